import type { Connector } from '@aegis/shared';
import { DeleteOutlined, EditOutlined, PlusOutlined, RedoOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  App,
  Badge,
  Button,
  Card,
  Descriptions,
  Drawer,
  Grid,
  Space,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import relativeTime from 'dayjs/plugin/relativeTime';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ReasonModal } from '../../app/ReasonField';
import { DiskSpaceAlert } from '../system/DiskSpaceAlert';
import { connectorsQuery, useDeleteConnector, useRestartConnector } from './api';
import { ConnectorFormDrawer } from './ConnectorForm';
import { DemoFaults } from './DemoFaults';
import { LastError } from './LastError';
import { PendingCertificatesAlert, ServerCertificates } from './ServerCertificates';

dayjs.extend(relativeTime);

type Health = Connector['health'];
const STATE_BADGE: Record<Health['state'], 'success' | 'processing' | 'error' | 'default' | 'warning'> = {
  connected: 'success',
  connecting: 'processing',
  disconnected: 'warning',
  error: 'error',
  stopped: 'default',
};

const REFRESH_MS = 3000;

export function HealthBadge({ health }: { health: Health }) {
  const { t } = useTranslation();
  return (
    <span data-connector-state={health.state}>
      <Badge status={STATE_BADGE[health.state]} text={t(`connectors.state.${health.state}`)} />
    </span>
  );
}

const ago = (iso: string | null) => (iso ? dayjs(iso).fromNow() : '—');
const connectorKey = (c: Connector) => c.id ?? `default-${c.code}`;

/** 数据采集 connectors: each connection's health, refreshed every few seconds; create, edit, restart. */
export function ConnectorsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const phone = Grid.useBreakpoint().md === false;
  const list = useQuery({ ...connectorsQuery, refetchInterval: REFRESH_MS });
  const restart = useRestartConnector();
  const remove = useDeleteConnector();
  const [editing, setEditing] = useState<Connector | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Connector | null>(null);
  const [detail, setDetail] = useState<string | number | null>(null);
  const rows = list.data ?? [];
  const shown = detail !== null ? rows.find((c) => connectorKey(c) === detail) : undefined;

  const actions = (c: Connector) =>
    c.id === null ? (
      <Tooltip title={t('connectors.defaultHint')}>
        <Tag>{t('connectors.builtIn')}</Tag>
      </Tooltip>
    ) : (
      <Space size={4}>
        <Tooltip title={t('connectors.restart')}>
          <Button
            size="small"
            icon={<RedoOutlined />}
            aria-label={t('connectors.restart')}
            data-testid="connector-restart"
            loading={restart.isPending && restart.variables === c.id}
            onClick={(e) => {
              e.stopPropagation();
              restart.mutate(c.id!, {
                onSuccess: () => void message.success(t('connectors.restarted', { code: c.code })),
              });
            }}
          />
        </Tooltip>
        <Button
          size="small"
          icon={<EditOutlined />}
          aria-label={t('common.edit')}
          onClick={(e) => {
            e.stopPropagation();
            setEditing(c);
          }}
        />
        <Button
          size="small"
          danger
          icon={<DeleteOutlined />}
          aria-label={t('common.delete')}
          onClick={(e) => {
            e.stopPropagation();
            setDeleting(c);
          }}
        />
      </Space>
    );

  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }}>
      <DiskSpaceAlert />
      <PendingCertificatesAlert connectors={rows} onReview={(c) => setDetail(connectorKey(c))} />
      <Card
        size="small"
        title={t('connectors.title')}
        extra={
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setEditing('new')}
            data-testid="connector-new"
          >
            {phone ? null : t('connectors.new')}
          </Button>
        }
      >
        <Table<Connector>
          rowKey={connectorKey}
          size="small"
          loading={list.isLoading}
          dataSource={rows}
          pagination={false}
          scroll={{ x: 'max-content' }}
          onRow={(c) => ({
            ...({ 'data-connector-code': c.code } as Record<string, string>),
            onClick: () => setDetail(connectorKey(c)),
            style: { cursor: 'pointer' },
          })}
          columns={[
            {
              title: t('connectors.field.name'),
              key: 'name',
              render: (_, c) => (
                <Space orientation="vertical" size={0}>
                  <span>
                    {c.name} {!c.enabled && <Tag>{t('connectors.disabled')}</Tag>}
                  </span>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    <code>{c.code}</code> · {t(`connectors.kind.${c.kind}`)}
                  </Typography.Text>
                </Space>
              ),
            },
            {
              title: t('connectors.field.state'),
              key: 'state',
              render: (_, c) => <HealthBadge health={c.health} />,
            },
            ...(phone
              ? []
              : [
                  {
                    title: t('connectors.field.lastMessage'),
                    key: 'last',
                    render: (_: unknown, c: Connector) => ago(c.health.lastMessageAt),
                  },
                  {
                    title: t('connectors.field.counters'),
                    key: 'counters',
                    render: (_: unknown, c: Connector) => (
                      <Space size={4} wrap>
                        <Tag>{t('connectors.messages', { count: c.health.messages })}</Tag>
                        <Tag>{t('connectors.points', { count: c.health.points })}</Tag>
                        <Tag color={c.health.errors ? 'red' : undefined}>
                          {t('connectors.errors', { count: c.health.errors })}
                        </Tag>
                      </Space>
                    ),
                  },
                  {
                    title: t('connectors.field.lastError'),
                    key: 'lastError',
                    render: (_: unknown, c: Connector) => <LastError health={c.health} maxWidth={260} />,
                  },
                ]),
            { title: t('common.actions'), key: 'actions', fixed: 'right', render: (_, c) => actions(c) },
          ]}
        />
        <Drawer
          open={!!shown}
          onClose={() => setDetail(null)}
          size={phone ? '100%' : 520}
          title={shown ? `${shown.name} (${shown.code})` : null}
          extra={shown && actions(shown)}
        >
          {/* A certificate waiting for approval is what the administrator came for: first. */}
          {shown && <ServerCertificates connector={shown} />}
          {shown && (
            <Descriptions
              size="small"
              bordered
              column={1}
              items={[
                {
                  key: 'kind',
                  label: t('connectors.field.kind'),
                  children: t(`connectors.kind.${shown.kind}`),
                },
                {
                  key: 'state',
                  label: t('connectors.field.state'),
                  children: <HealthBadge health={shown.health} />,
                },
                {
                  key: 'since',
                  label: t('connectors.field.since'),
                  children: dayjs(shown.health.since).format('YYYY-MM-DD HH:mm:ss'),
                },
                {
                  key: 'last',
                  label: t('connectors.field.lastMessage'),
                  children: ago(shown.health.lastMessageAt),
                },
                { key: 'messages', label: t('connectors.field.messages'), children: shown.health.messages },
                { key: 'points', label: t('connectors.field.points'), children: shown.health.points },
                { key: 'errors', label: t('connectors.field.errors'), children: shown.health.errors },
                {
                  key: 'reconnects',
                  label: t('connectors.field.reconnects'),
                  children: shown.health.reconnects,
                },
                {
                  key: 'lastError',
                  label: t('connectors.field.lastError'),
                  children: <LastError health={shown.health} />,
                },
                {
                  key: 'config',
                  label: t('connectors.field.config'),
                  children: (
                    <pre style={{ margin: 0, fontSize: 12, whiteSpace: 'pre-wrap' }}>
                      {JSON.stringify(shown.config, null, 2)}
                    </pre>
                  ),
                },
              ]}
            />
          )}
        </Drawer>
        <ConnectorFormDrawer
          open={editing !== null}
          connector={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
        />
        <ReasonModal
          open={!!deleting}
          danger
          title={t('connectors.deleteTitle', { code: deleting?.code ?? '' })}
          okText={t('common.delete')}
          onClose={() => setDeleting(null)}
          onConfirm={(reason) => remove.mutateAsync({ id: deleting!.id!, reason })}
        />
      </Card>
      <DemoFaults />
    </Space>
  );
}
