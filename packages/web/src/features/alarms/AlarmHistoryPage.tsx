import {
  ALARM_EVENT_TYPES,
  ALARM_PRIORITIES,
  type AlarmEventType,
  type AlarmJournalEntry,
  type AlarmPriority,
} from '@aegis/shared';
import { DownloadOutlined, ReloadOutlined, SearchOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Button,
  Card,
  Col,
  DatePicker,
  Descriptions,
  Drawer,
  Form,
  Grid,
  Input,
  Row,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PlantNodeSelect } from '../plant/PlantNodeSelect';
import { usePlantIndex } from '../realtime/usePlantIndex';
import { TagName, TagSelect } from '../tags/TagSelect';
import { AlarmsTabs } from './AlarmsTabs';
import { type AlarmHistoryFilters, alarmHistoryQuery } from './api';
import { downloadCsv } from './csv';
import { EVENT_COLOR } from './events';
import { formatAlarmValue, PriorityTag, useAlarmText } from './present';

interface FilterValues {
  range?: [Dayjs | null, Dayjs | null] | null;
  priority?: AlarmPriority;
  type?: AlarmEventType;
  equipmentId?: number | null;
  tagId?: number | null;
  user?: string;
}

function toFilters(v: FilterValues): AlarmHistoryFilters {
  return {
    from: v.range?.[0]?.toISOString(),
    to: v.range?.[1]?.toISOString(),
    priority: v.priority,
    type: v.type,
    equipmentId: v.equipmentId ?? undefined,
    tagId: v.tagId ?? undefined,
    user: v.user?.trim() || undefined,
  };
}

const at = (ms: number) => dayjs(ms).format('YYYY-MM-DD HH:mm:ss');
const tagText = (e: AlarmJournalEntry) => e.tag || `#${e.tagId}`;

function csvOf(
  t: TFunction,
  rows: AlarmJournalEntry[],
  equipment: (id: number) => string,
  text: (e: AlarmJournalEntry) => string,
): string[][] {
  return [
    [
      t('alarms.field.time'),
      t('alarms.field.event'),
      t('alarms.field.priority'),
      t('alarms.field.tag'),
      t('alarms.field.equipment'),
      t('alarms.field.message'),
      t('alarms.field.value'),
      t('alarms.field.transition'),
      t('alarms.field.user'),
      t('alarms.field.comment'),
      t('alarms.field.key'),
    ],
    ...rows.map((e) => [
      at(e.at),
      t(`alarms.event.${e.type}`),
      t(`alarms.priority.${e.priority}`),
      tagText(e),
      equipment(e.equipmentId),
      text(e),
      formatAlarmValue(e.value),
      `${e.from} → ${e.to}`,
      e.user ?? '',
      e.comment ?? '',
      e.key,
    ]),
  ];
}

/** 报警日志 the alarm journal: every activation, acknowledgement, shelving and comment, newest first. */
export function AlarmHistoryPage() {
  const { t } = useTranslation();
  const alarmText = useAlarmText();
  const phone = Grid.useBreakpoint().md === false;
  const plant = usePlantIndex();
  const [form] = Form.useForm<FilterValues>();
  const [filters, setFilters] = useState<AlarmHistoryFilters>({});
  const [page, setPage] = useState({ current: 1, pageSize: 50 });
  const [detail, setDetail] = useState<AlarmJournalEntry | null>(null);
  const list = useQuery(
    alarmHistoryQuery(filters, { limit: page.pageSize, offset: (page.current - 1) * page.pageSize }),
  );
  // The user filter is sent along, and also applied here in case the server does not know it.
  const rows = (list.data?.items ?? []).filter(
    (e) => !filters.user || (e.user ?? '').toLowerCase().includes(filters.user.toLowerCase()),
  );

  const apply = (v: FilterValues) => {
    setFilters(toFilters(v));
    setPage((p) => ({ ...p, current: 1 }));
  };

  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }}>
      <AlarmsTabs />
      <Card
        size="small"
        title={t('alarms.historyTitle')}
        extra={
          <Space>
            <Button
              icon={<DownloadOutlined />}
              disabled={rows.length === 0}
              data-testid="alarm-history-export-all"
              onClick={() => {
                // Every matching entry, not just this page, written by the server (and audited there).
                const query = new URLSearchParams(
                  Object.entries(filters).flatMap(([k, v]) =>
                    v === undefined || v === '' ? [] : [[k, String(v)]],
                  ),
                );
                window.location.assign(`/api/alarms/history/export.csv?${query}`);
              }}
            >
              {phone ? null : t('alarms.exportAll')}
            </Button>
            <Button
              icon={<DownloadOutlined />}
              disabled={rows.length === 0}
              data-testid="alarm-history-export-xlsx"
              onClick={() => {
                // The same filter, as a workbook with typed cells (server-side, audited).
                const query = new URLSearchParams(
                  Object.entries(filters).flatMap(([k, v]) =>
                    v === undefined || v === '' ? [] : [[k, String(v)]],
                  ),
                );
                window.location.assign(`/api/alarms/history/export.xlsx?${query}`);
              }}
            >
              XLSX
            </Button>
            <Button
              icon={<DownloadOutlined />}
              disabled={rows.length === 0}
              data-testid="alarm-history-export"
              onClick={() =>
                downloadCsv(
                  `alarm-journal-${dayjs().format('YYYYMMDD-HHmmss')}.csv`,
                  csvOf(t, rows, (id) => plant.label(id), alarmText),
                )
              }
            >
              {phone ? null : t('alarms.exportPage')}
            </Button>
          </Space>
        }
      >
        <Form form={form} layout="vertical" onFinish={apply}>
          <Row gutter={12}>
            <Col xs={24} md={12} xl={8}>
              <Form.Item name="range" label={t('alarms.field.time')}>
                <DatePicker.RangePicker
                  showTime={{ format: 'HH:mm' }}
                  format="YYYY-MM-DD HH:mm"
                  allowEmpty={[true, true]}
                  presets={[
                    { label: t('trends.preset.1h'), value: [dayjs().subtract(1, 'hour'), dayjs()] },
                    { label: t('trends.preset.24h'), value: [dayjs().subtract(1, 'day'), dayjs()] },
                    { label: t('trends.preset.7d'), value: [dayjs().subtract(7, 'day'), dayjs()] },
                  ]}
                  style={{ width: '100%' }}
                />
              </Form.Item>
            </Col>
            <Col xs={12} md={6} xl={4}>
              <Form.Item name="priority" label={t('alarms.field.priority')}>
                <Select
                  allowClear
                  options={ALARM_PRIORITIES.map((p) => ({ value: p, label: t(`alarms.priority.${p}`) }))}
                />
              </Form.Item>
            </Col>
            <Col xs={12} md={6} xl={4}>
              <Form.Item name="type" label={t('alarms.field.event')}>
                <Select
                  allowClear
                  popupMatchSelectWidth={false}
                  options={ALARM_EVENT_TYPES.map((e) => ({ value: e, label: t(`alarms.event.${e}`) }))}
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={12} xl={8}>
              <Form.Item name="equipmentId" label={t('alarms.field.equipment')}>
                <PlantNodeSelect levels={['equipment']} allowClear />
              </Form.Item>
            </Col>
            <Col xs={24} md={12} xl={8}>
              <Form.Item name="tagId" label={t('alarms.field.tag')}>
                <TagSelect />
              </Form.Item>
            </Col>
            <Col xs={24} md={6} xl={4}>
              <Form.Item name="user" label={t('alarms.field.user')}>
                <Input allowClear />
              </Form.Item>
            </Col>
          </Row>
          <Space wrap>
            <Button type="primary" htmlType="submit" icon={<SearchOutlined />}>
              {t('common.search')}
            </Button>
            <Button
              onClick={() => {
                form.resetFields();
                apply({});
              }}
            >
              {t('common.reset')}
            </Button>
            <Button
              icon={<ReloadOutlined />}
              onClick={() => void list.refetch()}
              aria-label={t('common.refresh')}
            />
          </Space>
        </Form>
      </Card>
      <Card size="small">
        <Table<AlarmJournalEntry>
          rowKey="id"
          size="small"
          loading={list.isFetching}
          dataSource={rows}
          scroll={{ x: 'max-content' }}
          onRow={(e) => ({
            ...({ 'data-alarm-key': e.key } as Record<string, string>),
            onClick: () => setDetail(e),
            style: { cursor: 'pointer' },
          })}
          pagination={{
            ...page,
            total: list.data?.total ?? 0,
            showSizeChanger: !phone,
            size: phone ? 'small' : undefined,
            pageSizeOptions: [20, 50, 100, 200],
            showTotal: (total) => t('common.total', { count: total }),
            onChange: (current, pageSize) => setPage({ current, pageSize }),
          }}
          columns={[
            { title: t('alarms.field.time'), dataIndex: 'at', render: (v: number) => at(v) },
            {
              title: t('alarms.field.event'),
              dataIndex: 'type',
              render: (v: AlarmEventType) => <Tag color={EVENT_COLOR[v]}>{t(`alarms.event.${v}`)}</Tag>,
            },
            ...(phone
              ? []
              : [
                  {
                    title: t('alarms.field.priority'),
                    dataIndex: 'priority',
                    render: (p: AlarmPriority) => <PriorityTag priority={p} />,
                  },
                  {
                    title: t('alarms.field.tag'),
                    key: 'tag',
                    render: (_: unknown, e: AlarmJournalEntry) => (
                      <Space orientation="vertical" size={0}>
                        <TagName id={e.tagId} fallback={e.tag || undefined} />
                        <span style={{ fontSize: 12 }}>{plant.label(e.equipmentId)}</span>
                      </Space>
                    ),
                  },
                ]),
            {
              title: t('alarms.field.message'),
              key: 'message',
              render: (_: unknown, e: AlarmJournalEntry) => (
                <Typography.Text ellipsis={{ tooltip: alarmText(e) }} style={{ maxWidth: phone ? 160 : 320 }}>
                  {alarmText(e)}
                </Typography.Text>
              ),
            },

            ...(phone
              ? []
              : [
                  {
                    title: t('alarms.field.value'),
                    key: 'value',
                    render: (_: unknown, e: AlarmJournalEntry) => formatAlarmValue(e.value),
                  },
                  { title: t('alarms.field.user'), dataIndex: 'user' },
                  {
                    title: t('alarms.field.comment'),
                    dataIndex: 'comment',
                    render: (v: string | null) => (
                      <Typography.Text ellipsis={{ tooltip: v }} style={{ maxWidth: 240 }}>
                        {v ?? ''}
                      </Typography.Text>
                    ),
                  },
                ]),
          ]}
        />
      </Card>
      <Drawer
        open={!!detail}
        onClose={() => setDetail(null)}
        size={phone ? '100%' : 520}
        title={detail ? t(`alarms.event.${detail.type}`) : null}
      >
        {detail && (
          <Descriptions
            size="small"
            bordered
            column={1}
            items={[
              { key: 'time', label: t('alarms.field.time'), children: at(detail.at) },
              {
                key: 'priority',
                label: t('alarms.field.priority'),
                children: <PriorityTag priority={detail.priority} />,
              },
              {
                key: 'tag',
                label: t('alarms.field.tag'),
                children: <TagName id={detail.tagId} fallback={detail.tag || undefined} />,
              },
              {
                key: 'equipment',
                label: t('alarms.field.equipment'),
                children: plant.label(detail.equipmentId),
              },
              { key: 'message', label: t('alarms.field.message'), children: alarmText(detail) },
              { key: 'value', label: t('alarms.field.value'), children: formatAlarmValue(detail.value) },
              {
                key: 'transition',
                label: t('alarms.field.transition'),
                children: `${t(`alarms.state.${detail.from}`)} → ${t(`alarms.state.${detail.to}`)}`,
              },
              { key: 'user', label: t('alarms.field.user'), children: detail.user ?? '—' },
              { key: 'comment', label: t('alarms.field.comment'), children: detail.comment ?? '—' },
              {
                key: 'annunciated',
                label: t('alarms.field.annunciated'),
                children: detail.annunciated ? t('alarms.yes') : t('alarms.no'),
              },
              { key: 'key', label: t('alarms.field.key'), children: <code>{detail.key}</code> },
              ...(detail.detail
                ? [
                    {
                      key: 'detail',
                      label: t('alarms.field.detail'),
                      children: (
                        <pre style={{ margin: 0, fontSize: 12 }}>
                          {JSON.stringify(detail.detail, null, 2)}
                        </pre>
                      ),
                    },
                  ]
                : []),
            ]}
          />
        )}
      </Drawer>
    </Space>
  );
}
