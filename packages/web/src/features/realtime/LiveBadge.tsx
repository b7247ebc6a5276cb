import { Badge, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import type { LiveStatus } from './live';

const COLOR: Record<LiveStatus, 'success' | 'processing' | 'error' | 'default'> = {
  open: 'success',
  connecting: 'processing',
  closed: 'error',
  idle: 'default',
};

/** Whether the page is receiving live updates; when not, what it shows may be out of date. */
export function LiveBadge({ status }: { status: LiveStatus }) {
  const { t } = useTranslation();
  return (
    <Tooltip title={t(`realtime.statusHint.${status}`)}>
      <span data-testid="live-status" data-status={status}>
        <Badge status={COLOR[status]} text={t(`realtime.status.${status}`)} />
      </span>
    </Tooltip>
  );
}
