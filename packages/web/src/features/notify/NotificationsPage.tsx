import { SettingOutlined } from '@ant-design/icons';
import { Button, Card } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { NotificationList } from './NotificationList';

/** 通知中心: everything addressed to me, the full list. */
export function NotificationsPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <Card
      size="small"
      title={t('notify.inbox.title')}
      extra={
        <Button icon={<SettingOutlined />} onClick={() => void navigate('/notifications/settings')}>
          {t('notify.profile.title')}
        </Button>
      }
    >
      <NotificationList limit={200} />
    </Card>
  );
}
