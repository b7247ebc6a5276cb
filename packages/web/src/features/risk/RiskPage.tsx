import { Card, Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { RegisterTab } from './RegisterTab';
import { RiskMapTab } from './RiskMapTab';

const TABS = { register: RegisterTab, map: RiskMapTab } as const;
type RiskTab = keyof typeof TABS;
const TAB_KEYS = Object.keys(TABS) as RiskTab[];

/** 风险分级管控: the register (风险清单) and the 4-colour risk map (风险四色图). */
export function RiskPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { tab } = useParams();
  const active: RiskTab = TAB_KEYS.includes(tab as RiskTab) ? (tab as RiskTab) : 'register';
  return (
    <Card size="small" title={t('risk.title')}>
      <Tabs
        activeKey={active}
        onChange={(k) => navigate(`/risk/${k}`)}
        destroyOnHidden
        items={TAB_KEYS.map((k) => {
          const Tab = TABS[k];
          return { key: k, label: t(`risk.tab.${k}`), children: <Tab /> };
        })}
      />
    </Card>
  );
}
