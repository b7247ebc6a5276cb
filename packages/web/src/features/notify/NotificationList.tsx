import type { AlarmView, Notification } from '@aegis/shared';
import { CheckOutlined, ExportOutlined, EyeOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Badge, Button, Empty, Space, Spin, Switch, Tag, Tooltip, Typography, theme } from 'antd';
import dayjs from 'dayjs';
import relativeTime from 'dayjs/plugin/relativeTime';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { canAnywhere, useMe } from '../../app/auth';
import { AckModal } from '../alarms/AlarmDialogs';
import { activeAlarmsQuery } from '../alarms/api';
import { canBeAcknowledged, PriorityTag } from '../alarms/present';
import { useMarkRead } from './api';
import { useInbox } from './hooks';
import { bodyBelowTitle } from './inbox';
import { eventLabel } from './present';

dayjs.extend(relativeTime);

/**
 * The notification centre's list: what was addressed to me, newest first, with "open",
 * "acknowledge the alarm" (while it still waits for it) and "mark read".
 */
export function NotificationList({ limit = 50, onNavigate }: { limit?: number; onNavigate?: () => void }) {
  const { t, i18n } = useTranslation();
  const { token } = theme.useToken();
  const navigate = useNavigate();
  const { data: me } = useMe();
  const [unreadOnly, setUnreadOnly] = useState(false);
  // Only sent when on: the server reads any value of the parameter as "on".
  const inbox = useInbox(unreadOnly ? { unreadOnly: true, limit } : { limit });
  const markRead = useMarkRead();
  const mayAck = canAnywhere(me, 'alarm.ack');
  // The alarm bell keeps this list current over the live stream; an alarm not in it needs no acknowledgement.
  const alarms = useQuery({ ...activeAlarmsQuery, enabled: mayAck && canAnywhere(me, 'alarm.read') });
  const [acking, setAcking] = useState<{ alarm: AlarmView; notification: Notification } | null>(null);
  const items = inbox.data?.items ?? [];
  const unread = inbox.data?.unread ?? 0;

  const ackable = (n: Notification) => {
    if (!mayAck || !n.alarmKey) return undefined;
    const a = alarms.data?.find((x) => x.key === n.alarmKey);
    return a && canBeAcknowledged(a) ? a : undefined;
  };
  const open = (n: Notification) => {
    if (!n.readAt) markRead.mutate({ ids: [n.id] });
    onNavigate?.();
    if (n.link.startsWith('/')) void navigate(n.link);
  };

  return (
    <div data-testid="notification-list">
      <Space wrap style={{ justifyContent: 'space-between', width: '100%', marginBottom: 8 }}>
        <Space size={6}>
          <Switch
            size="small"
            checked={unreadOnly}
            onChange={setUnreadOnly}
            data-testid="notify-unread-only"
          />
          <Typography.Text>{t('notify.inbox.unreadOnly')}</Typography.Text>
          <Tag color={unread ? 'red' : undefined}>{t('notify.inbox.unread', { count: unread })}</Tag>
        </Space>
        <Button
          size="small"
          icon={<CheckOutlined />}
          disabled={unread === 0}
          loading={markRead.isPending && !markRead.variables?.ids}
          onClick={() => markRead.mutate({})}
          data-testid="notify-mark-all"
        >
          {t('notify.inbox.markAllRead')}
        </Button>
      </Space>
      {inbox.isLoading ? (
        <Spin style={{ display: 'block', margin: '24px auto' }} />
      ) : items.length === 0 ? (
        <Empty description={unreadOnly ? t('notify.inbox.noUnread') : t('notify.inbox.empty')} />
      ) : (
        <div style={{ display: 'flex', flexDirection: 'column', gap: 8 }}>
          {items.map((n) => {
            const alarm = ackable(n);
            return (
              <div
                key={n.id}
                data-testid="notification-item"
                data-notification-id={n.id}
                data-read={n.readAt ? 'true' : 'false'}
                style={{
                  border: `1px solid ${token.colorBorderSecondary}`,
                  borderLeft: `3px solid ${n.readAt ? token.colorBorderSecondary : token.colorPrimary}`,
                  borderRadius: token.borderRadius,
                  padding: '8px 10px',
                  background: n.readAt ? undefined : token.colorPrimaryBg,
                  minWidth: 0,
                }}
              >
                <Space size={4} wrap style={{ width: '100%' }}>
                  {!n.readAt && <Badge status="processing" />}
                  {n.priority && <PriorityTag priority={n.priority} />}
                  {n.count > 1 && <Tag>{t('notify.inbox.count', { count: n.count })}</Tag>}
                </Space>
                <Typography.Paragraph
                  strong={!n.readAt}
                  ellipsis={{ rows: 3, tooltip: n.title }}
                  style={{ margin: '4px 0 0', wordBreak: 'break-word' }}
                >
                  {n.title}
                </Typography.Paragraph>
                {bodyBelowTitle(n.title, n.body) && (
                  <Typography.Paragraph
                    type="secondary"
                    ellipsis={{ rows: 3, expandable: 'collapsible' }}
                    style={{ margin: '4px 0', whiteSpace: 'pre-line', wordBreak: 'break-word' }}
                  >
                    {bodyBelowTitle(n.title, n.body)}
                  </Typography.Paragraph>
                )}
                <Space size={4} wrap style={{ width: '100%', justifyContent: 'space-between' }}>
                  <Tooltip title={dayjs(n.createdAt).format('YYYY-MM-DD HH:mm:ss')}>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {dayjs(n.createdAt).fromNow()} · {eventLabel(n.kind, i18n.language)}
                    </Typography.Text>
                  </Tooltip>
                  <Space size={4} wrap>
                    <Button size="small" type="link" icon={<ExportOutlined />} onClick={() => open(n)}>
                      {t('notify.inbox.open')}
                    </Button>
                    {alarm && (
                      <Button
                        size="small"
                        type="primary"
                        danger
                        icon={<CheckOutlined />}
                        onClick={() => setAcking({ alarm, notification: n })}
                        data-testid="notify-ack"
                      >
                        {t('notify.inbox.ack')}
                      </Button>
                    )}
                    {!n.readAt && (
                      <Tooltip title={t('notify.inbox.markRead')}>
                        <Button
                          size="small"
                          type="text"
                          icon={<EyeOutlined />}
                          aria-label={t('notify.inbox.markRead')}
                          onClick={() => markRead.mutate({ ids: [n.id] })}
                          data-testid="notify-mark-read"
                        />
                      </Tooltip>
                    )}
                  </Space>
                </Space>
              </div>
            );
          })}
        </div>
      )}
      <AckModal
        alarm={acking?.alarm ?? null}
        onClose={() => setAcking(null)}
        onDone={() => {
          const n = acking?.notification;
          if (n && !n.readAt) markRead.mutate({ ids: [n.id] });
        }}
      />
    </div>
  );
}
