import { Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useParams } from 'react-router';
import { canAnywhere, useMe } from '../../app/auth';
import { ChannelsTab } from './ChannelsTab';
import { DeliveriesTab } from './DeliveriesTab';
import { PoliciesTab } from './PoliciesTab';

const TABS = ['channels', 'policies', 'deliveries'] as const;
type Tab = (typeof TABS)[number];

/** 通知: channels and escalation policies (notify.manage), the delivery log (notify.read). */
export function NotifyAdminPage() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const navigate = useNavigate();
  const params = useParams();
  const manage = canAnywhere(me, 'notify.manage');
  const allowed: Tab[] = manage ? [...TABS] : ['deliveries'];
  const tab = params.tab as Tab | undefined;
  if (!tab || !allowed.includes(tab)) return <Navigate to={`/notify/${allowed[0]}`} replace />;
  return (
    <Tabs
      activeKey={tab}
      onChange={(k) => void navigate(`/notify/${k}`)}
      destroyOnHidden
      items={allowed.map((key) => ({
        key,
        label: t(`notify.tab.${key}`),
        children:
          key === 'channels' ? <ChannelsTab /> : key === 'policies' ? <PoliciesTab /> : <DeliveriesTab />,
      }))}
    />
  );
}
