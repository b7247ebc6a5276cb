import { CloudSyncOutlined, DisconnectOutlined } from '@ant-design/icons';
import { Alert, Button, Space, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import type { Fieldwork } from './runtime';
import { useFieldworkState, useOnline } from './runtime';

/** The offline banner and the outbox's count with a "sync now" button, on top of both phone pages. */
export function SyncBar({ fw }: { fw: Fieldwork }) {
  const { t } = useTranslation();
  const online = useOnline();
  const state = useFieldworkState(fw);
  return (
    <Space orientation="vertical" size={8} style={{ width: '100%', marginBottom: 8 }}>
      {!online && (
        <Alert
          type="warning"
          showIcon
          icon={<DisconnectOutlined />}
          title={t('fieldwork.offline')}
          data-testid="offline-banner"
        />
      )}
      {(state.waiting > 0 || state.syncing) && (
        <div
          style={{ display: 'flex', alignItems: 'center', gap: 8, flexWrap: 'wrap' }}
          data-testid="sync-bar"
          data-waiting={state.waiting}
        >
          <Tag color={state.conflicts + state.failed > 0 ? 'red' : 'orange'} data-testid="sync-waiting">
            {t('fieldwork.waiting', { count: state.waiting })}
          </Tag>
          <Button
            size="small"
            icon={<CloudSyncOutlined spin={state.syncing} />}
            loading={state.syncing}
            disabled={!online}
            onClick={() => {
              fw.sync().catch(() => undefined);
            }}
            data-testid="sync-now"
          >
            {state.syncing ? t('fieldwork.syncing') : t('fieldwork.syncNow')}
          </Button>
        </div>
      )}
      {state.waiting === 0 &&
        !state.syncing &&
        state.lastSyncAt &&
        (state.lastReport?.synced.length ?? 0) > 0 && (
          <Typography.Text type="success" data-testid="sync-done">
            {t('fieldwork.synced')} ·{' '}
            {t('fieldwork.syncedAt', { time: dayjs(state.lastSyncAt).format('HH:mm:ss') })}
          </Typography.Text>
        )}
    </Space>
  );
}
