import { MessageOutlined, SettingOutlined, UnorderedListOutlined } from '@ant-design/icons';
import { Badge, Button, Drawer, Grid, Space, Tooltip } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useInbox } from './hooks';
import { NotificationList } from './NotificationList';

/** The header's notification counter (unread, live) that opens the notification centre in a drawer. */
export function NotifyBell() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const phone = Grid.useBreakpoint().md === false;
  const [open, setOpen] = useState(false);
  // Only the count is shown here: the smallest page the server gives.
  const inbox = useInbox({ limit: 1 });
  const unread = inbox.data?.unread ?? 0;
  const label = t('notify.bell', { count: unread });
  const go = (path: string) => {
    setOpen(false);
    void navigate(path);
  };
  return (
    <>
      <Tooltip title={label}>
        <Button
          type="text"
          aria-label={label}
          data-testid="notify-bell"
          data-count={unread}
          onClick={() => setOpen(true)}
          icon={
            <Badge count={unread} size="small" overflowCount={99}>
              <MessageOutlined style={{ fontSize: 18 }} />
            </Badge>
          }
        />
      </Tooltip>
      <Drawer
        open={open}
        onClose={() => setOpen(false)}
        size={phone ? '100%' : 440}
        title={t('notify.inbox.title')}
        data-testid="notify-drawer"
        extra={
          <Space size={4}>
            <Tooltip title={t('notify.profile.title')}>
              <Button
                type="text"
                icon={<SettingOutlined />}
                aria-label={t('notify.profile.title')}
                onClick={() => go('/notifications/settings')}
              />
            </Tooltip>
            <Tooltip title={t('notify.inbox.all')}>
              <Button
                type="text"
                icon={<UnorderedListOutlined />}
                aria-label={t('notify.inbox.all')}
                onClick={() => go('/notifications')}
              />
            </Tooltip>
          </Space>
        }
      >
        {open && <NotificationList limit={30} onNavigate={() => setOpen(false)} />}
      </Drawer>
    </>
  );
}
