import type { Connector } from '@aegis/shared';
import { Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';

type ConnectorHealth = Connector['health'];

/** A connector is healthy when it is connected (or stopped on purpose): its last error is then history. */
export const isHealthy = (h: Pick<ConnectorHealth, 'state'>) =>
  h.state === 'connected' || h.state === 'stopped';

/**
 * The connector's last error: red while it is the reason the connector is down; greyed, as
 * history with its time, once the connector is connected again.
 */
export function LastError({ health, maxWidth }: { health: ConnectorHealth; maxWidth?: number }) {
  const { t } = useTranslation();
  if (!health.lastError) return <>{maxWidth ? '' : '—'}</>;
  const at = (health as ConnectorHealth & { lastErrorAt?: string | null }).lastErrorAt;
  if (!isHealthy(health)) {
    return (
      <Typography.Text type="danger" ellipsis={{ tooltip: health.lastError }} style={{ maxWidth }}>
        {health.lastError}
      </Typography.Text>
    );
  }
  // Without the error's own time, it is known to be older than the current connection.
  const when = at
    ? t('connectors.errorAt', { time: dayjs(at).format('MM-DD HH:mm:ss') })
    : t('connectors.errorBefore', { time: dayjs(health.since).format('MM-DD HH:mm:ss') });
  const text = `${when}：${health.lastError}`;
  return (
    <Typography.Text
      type="secondary"
      ellipsis={{ tooltip: text }}
      style={{ maxWidth }}
      data-testid="last-error-history"
    >
      {text}
    </Typography.Text>
  );
}
