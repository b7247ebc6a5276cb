import { DELIVERY_STATUSES, type Delivery, NOTIFY_EVENT_KINDS } from '@aegis/shared';
import { RedoOutlined, ReloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Descriptions,
  Drawer,
  Grid,
  Pagination,
  Row,
  Select,
  Space,
  Spin,
  Statistic,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { canAnywhere, useMe } from '../../app/auth';
import {
  channelsQuery,
  type DeliveryQuery,
  deliveriesQuery,
  deliveryQuery,
  notifyHealthQuery,
  useResend,
} from './api';
import { ChannelName } from './KindIcon';
import { canResend, DELIVERY_STATUS_COLOR, eventLabel } from './present';

const PAGE = 50;
const time = (iso: string | null) => (iso ? dayjs(iso).format('MM-DD HH:mm:ss') : '—');
const latency = (ms: number | null) =>
  ms === null ? '—' : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;

export function StatusTag({ status }: { status: Delivery['status'] }) {
  const { t } = useTranslation();
  return (
    <Tag color={DELIVERY_STATUS_COLOR[status]} data-status={status}>
      {t(`notify.status.${status}`)}
    </Tag>
  );
}

/** 发送记录: every message, to whom, over what, how it went; a failed one can be sent again. */
export function DeliveriesTab() {
  const { t, i18n } = useTranslation();
  const phone = Grid.useBreakpoint().md === false;
  const [filters, setFilters] = useState<Omit<DeliveryQuery, 'limit' | 'offset'>>({});
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const [page, setPage] = useState(1);
  const q: DeliveryQuery = {
    ...filters,
    from: range?.[0]?.toISOString(),
    to: range?.[1]?.toISOString(),
    limit: PAGE,
    offset: (page - 1) * PAGE,
  };
  const list = useQuery(deliveriesQuery(q));
  const channels = useQuery(channelsQuery);
  const [detail, setDetail] = useState<number | null>(null);
  const rows = list.data?.items ?? [];
  const total = list.data?.total ?? 0;
  const set = (patch: Partial<typeof filters>) => {
    setFilters((f) => ({ ...f, ...patch }));
    setPage(1);
  };

  const who = (d: Delivery) => d.userName ?? d.address ?? '—';
  const where = (d: Delivery) =>
    `${d.policyName ?? t('notify.delivery.noPolicy')} · ${t('notify.policy.level', { n: d.level })}${d.repeat ? ` · ${t('notify.preview.repeat', { n: d.repeat })}` : ''}`;

  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }}>
      <HealthStrip />
      <Card
        size="small"
        title={t('notify.delivery.title')}
        extra={
          <Button
            icon={<ReloadOutlined />}
            aria-label={t('common.refresh')}
            loading={list.isFetching}
            onClick={() => void list.refetch()}
          />
        }
      >
        <Row gutter={[8, 8]} style={{ marginBottom: 12 }}>
          <Col xs={12} sm={6} md={4}>
            <Select
              allowClear
              style={{ width: '100%' }}
              placeholder={t('notify.delivery.status')}
              value={filters.status}
              onChange={(status) => set({ status })}
              data-testid="delivery-filter-status"
              options={DELIVERY_STATUSES.map((s) => ({ value: s, label: t(`notify.status.${s}`) }))}
            />
          </Col>
          <Col xs={12} sm={6} md={5}>
            <Select
              allowClear
              style={{ width: '100%' }}
              placeholder={t('notify.delivery.channel')}
              value={filters.channelId}
              onChange={(channelId) => set({ channelId })}
              options={(channels.data ?? []).map((c) => ({
                value: c.id,
                label: <ChannelName kind={c.kind} name={c.name} />,
              }))}
            />
          </Col>
          <Col xs={24} sm={12} md={6}>
            <Select
              allowClear
              style={{ width: '100%' }}
              placeholder={t('notify.delivery.kind')}
              value={filters.kind}
              onChange={(kind) => set({ kind })}
              options={NOTIFY_EVENT_KINDS.map((k) => ({ value: k, label: eventLabel(k, i18n.language) }))}
            />
          </Col>
          <Col xs={24} sm={24} md={9}>
            <DatePicker.RangePicker
              showTime={{ format: 'HH:mm' }}
              format="MM-DD HH:mm"
              value={range}
              onChange={(v) => {
                setRange(v);
                setPage(1);
              }}
              inputReadOnly
              style={{ width: '100%' }}
            />
          </Col>
        </Row>
        {phone ? (
          list.isLoading ? (
            <Spin style={{ display: 'block', margin: '24px auto' }} />
          ) : rows.length === 0 ? (
            <Typography.Text type="secondary">{t('notify.delivery.none')}</Typography.Text>
          ) : (
            <div style={{ display: 'flex', flexDirection: 'column', gap: 8 }}>
              {rows.map((d) => (
                <Card
                  key={d.id}
                  size="small"
                  data-testid="delivery-row"
                  onClick={() => setDetail(d.id)}
                  style={{ cursor: 'pointer' }}
                >
                  <div style={{ display: 'flex', gap: 4, alignItems: 'flex-start' }}>
                    <Typography.Paragraph
                      strong
                      ellipsis={{ rows: 2 }}
                      style={{ margin: 0, wordBreak: 'break-word', flex: 1, minWidth: 0 }}
                    >
                      {d.eventTitle}
                    </Typography.Paragraph>
                    <StatusTag status={d.status} />
                  </div>
                  <div style={{ fontSize: 12, marginTop: 4 }}>
                    <ChannelName kind={d.channelKind} name={d.channelName} /> → {who(d)}
                  </div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {time(d.createdAt)} · {where(d)} · {t('notify.delivery.attemptsN', { count: d.attempts })}{' '}
                    · {latency(d.latencyMs)}
                  </Typography.Text>
                  {d.lastError && (
                    <Typography.Paragraph
                      type="danger"
                      ellipsis={{ rows: 2 }}
                      style={{ fontSize: 12, margin: 0 }}
                    >
                      {d.lastError}
                    </Typography.Paragraph>
                  )}
                </Card>
              ))}
              {total > PAGE && (
                <Pagination
                  size="small"
                  align="center"
                  current={page}
                  pageSize={PAGE}
                  total={total}
                  onChange={setPage}
                  showSizeChanger={false}
                />
              )}
            </div>
          )
        ) : (
          <Table<Delivery>
            rowKey="id"
            size="small"
            loading={list.isLoading}
            dataSource={rows}
            scroll={{ x: 'max-content' }}
            onRow={(d) => ({ onClick: () => setDetail(d.id), style: { cursor: 'pointer' } })}
            pagination={{
              current: page,
              pageSize: PAGE,
              total,
              onChange: setPage,
              showSizeChanger: false,
              showTotal: (n) => t('common.total', { count: n }),
            }}
            columns={[
              { title: t('notify.delivery.time'), key: 'time', render: (_, d) => time(d.createdAt) },
              {
                title: t('notify.delivery.event'),
                key: 'event',
                render: (_, d) => (
                  <Space orientation="vertical" size={0} style={{ maxWidth: 280 }}>
                    <Typography.Text ellipsis={{ tooltip: d.eventTitle }} style={{ maxWidth: 280 }}>
                      {d.eventTitle}
                    </Typography.Text>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {eventLabel(d.eventKind, i18n.language)}
                      {d.count > 1 ? ` · ×${d.count}` : ''}
                    </Typography.Text>
                  </Space>
                ),
              },
              { title: t('notify.delivery.policyLevel'), key: 'policy', render: (_, d) => where(d) },
              {
                title: t('notify.delivery.recipient'),
                key: 'recipient',
                render: (_, d) => (
                  <Space orientation="vertical" size={0}>
                    <span>{who(d)}</span>
                    {d.userName && d.address && (
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {d.address}
                      </Typography.Text>
                    )}
                  </Space>
                ),
              },
              {
                title: t('notify.delivery.channel'),
                key: 'channel',
                render: (_, d) => <ChannelName kind={d.channelKind} name={d.channelName} />,
              },
              {
                title: t('notify.delivery.status'),
                key: 'status',
                render: (_, d) => <StatusTag status={d.status} />,
              },
              {
                title: t('notify.delivery.attempts'),
                key: 'attempts',
                dataIndex: 'attempts',
                align: 'right',
              },
              {
                title: t('notify.delivery.error'),
                key: 'error',
                render: (_, d) =>
                  d.lastError ? (
                    <Typography.Text
                      type="danger"
                      ellipsis={{ tooltip: d.lastError }}
                      style={{ maxWidth: 220 }}
                    >
                      {d.lastError}
                    </Typography.Text>
                  ) : (
                    '—'
                  ),
              },
              {
                title: t('notify.delivery.latency'),
                key: 'latency',
                align: 'right',
                render: (_, d) => latency(d.latencyMs),
              },
            ]}
          />
        )}
      </Card>
      <DeliveryDrawer id={detail} onClose={() => setDetail(null)} />
    </Space>
  );
}

/** The notification worker at a glance: what waits, what was given up. */
function HealthStrip() {
  const { t } = useTranslation();
  const health = useQuery(notifyHealthQuery);
  const h = health.data;
  if (!h) return null;
  return (
    <Card size="small" data-testid="notify-health">
      <Row gutter={[12, 8]}>
        <Col xs={12} sm={6}>
          <Statistic title={t('notify.health.outbox')} value={h.outboxPending} />
        </Col>
        <Col xs={12} sm={6}>
          <Statistic title={t('notify.health.escalations')} value={h.escalationsPending} />
        </Col>
        <Col xs={12} sm={6}>
          <Statistic title={t('notify.health.pending')} value={h.deliveriesPending} />
        </Col>
        <Col xs={12} sm={6}>
          <Statistic
            title={t('notify.health.dead')}
            value={h.deliveriesDead}
            styles={{ content: h.deliveriesDead ? { color: '#cf1322' } : undefined }}
          />
        </Col>
      </Row>
      <Typography.Text type={h.tickFailures ? 'danger' : 'secondary'} style={{ fontSize: 12 }}>
        {t('notify.health.lastTick', { at: h.lastTickAt ? dayjs(h.lastTickAt).fromNow() : '—' })}
        {h.tickFailures ? ` · ${t('notify.health.failures', { count: h.tickFailures })}` : ''}
      </Typography.Text>
    </Card>
  );
}

/** One delivery: the message as sent (e-mail HTML in a sandboxed frame: no script, no same origin). */
function DeliveryDrawer({ id, onClose }: { id: number | null; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const phone = Grid.useBreakpoint().md === false;
  const { data: me } = useMe();
  const detail = useQuery({ ...deliveryQuery(id ?? 0), enabled: id !== null });
  const resend = useResend();
  const d = id !== null ? detail.data : undefined;
  return (
    <Drawer
      open={id !== null}
      onClose={onClose}
      size={phone ? '100%' : 640}
      title={t('notify.delivery.detail')}
      data-testid="delivery-drawer"
      extra={
        d &&
        canResend(d.status) &&
        canAnywhere(me, 'notify.manage') && (
          <Tooltip title={t('notify.delivery.resendHint')}>
            <Button
              type="primary"
              icon={<RedoOutlined />}
              loading={resend.isPending}
              data-testid="delivery-resend"
              onClick={() =>
                resend.mutate(d.id, {
                  onSuccess: () => {
                    void message.success(t('notify.delivery.resent'));
                    void detail.refetch();
                  },
                })
              }
            >
              {t('notify.delivery.resend')}
            </Button>
          </Tooltip>
        )
      }
    >
      {detail.isLoading && <Spin style={{ display: 'block', margin: '24px auto' }} />}
      {d && (
        <>
          <Descriptions
            size="small"
            bordered
            column={1}
            styles={{ label: { whiteSpace: 'nowrap' } }}
            items={[
              { key: 'title', label: t('notify.delivery.event'), children: d.eventTitle },
              {
                key: 'status',
                label: t('notify.delivery.status'),
                children: <StatusTag status={d.status} />,
              },
              {
                key: 'event',
                label: t('notify.delivery.kind'),
                children: `${eventLabel(d.eventKind, i18n.language)}${d.count > 1 ? ` · ×${d.count}` : ''}`,
              },
              {
                key: 'policy',
                label: t('notify.delivery.policyLevel'),
                children: `${d.policyName ?? t('notify.delivery.noPolicy')} · ${t('notify.policy.level', { n: d.level })}${d.repeat ? ` · ${t('notify.preview.repeat', { n: d.repeat })}` : ''}`,
              },
              {
                key: 'channel',
                label: t('notify.delivery.channel'),
                children: <ChannelName kind={d.channelKind} name={d.channelName} />,
              },
              {
                key: 'recipient',
                label: t('notify.delivery.recipient'),
                children: [d.userName, d.address].filter(Boolean).join(' · ') || '—',
              },
              { key: 'attempts', label: t('notify.delivery.attempts'), children: d.attempts },
              { key: 'created', label: t('notify.delivery.time'), children: time(d.createdAt) },
              { key: 'sent', label: t('notify.delivery.sentAt'), children: time(d.sentAt) },
              ...(d.nextAttemptAt
                ? [{ key: 'next', label: t('notify.delivery.nextAttempt'), children: time(d.nextAttemptAt) }]
                : []),
              { key: 'latency', label: t('notify.delivery.latency'), children: latency(d.latencyMs) },
              ...(d.lastError
                ? [
                    {
                      key: 'error',
                      label: t('notify.delivery.error'),
                      children: (
                        <Typography.Text type="danger" style={{ wordBreak: 'break-word' }}>
                          {d.lastError}
                        </Typography.Text>
                      ),
                    },
                  ]
                : []),
              ...(d.subject
                ? [{ key: 'subject', label: t('notify.delivery.subject'), children: d.subject }]
                : []),
            ]}
          />
          {d.html && (
            <>
              <Typography.Title level={5} style={{ marginTop: 16 }}>
                {t('notify.delivery.html')}
              </Typography.Title>
              <iframe
                title={t('notify.delivery.html')}
                sandbox=""
                srcDoc={d.html}
                data-testid="delivery-html"
                style={{
                  width: '100%',
                  height: 360,
                  border: '1px solid #d9d9d9',
                  borderRadius: 6,
                  background: '#fff',
                }}
              />
            </>
          )}
          {d.body && (
            <>
              <Typography.Title level={5} style={{ marginTop: 16 }}>
                {t('notify.delivery.text')}
              </Typography.Title>
              <pre
                data-testid="delivery-text"
                style={{
                  whiteSpace: 'pre-wrap',
                  wordBreak: 'break-word',
                  fontSize: 12,
                  background: 'rgba(0,0,0,0.04)',
                  padding: 8,
                  margin: 0,
                }}
              >
                {d.body}
              </pre>
            </>
          )}
          {!d.html && !d.body && (
            <Typography.Paragraph type="secondary" style={{ marginTop: 16 }}>
              {t('notify.delivery.noBody')}
            </Typography.Paragraph>
          )}
        </>
      )}
    </Drawer>
  );
}
