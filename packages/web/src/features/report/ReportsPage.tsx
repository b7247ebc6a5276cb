import {
  REPORT_KINDS,
  REPORT_PERIODS,
  type ReportKind,
  type ReportParamsIn,
  type ReportRun,
  type ReportSchedule,
} from '@aegis/shared';
import {
  DeleteOutlined,
  EditOutlined,
  FileExcelOutlined,
  FilePdfOutlined,
  PlusOutlined,
} from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Form,
  Input,
  Modal,
  Progress,
  Select,
  Space,
  Switch,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { canAnywhere, useMe } from '../../app/auth';
import { errorText } from '../../app/errorText';
import { currentLanguage, useLocalName } from '../../app/i18n';
import { ReasonField, ReasonModal } from '../../app/ReasonField';
import { downloadFile } from '../inspection/download';
import { orgListQuery } from '../org/api';
import { PlantNodeSelect } from '../plant/PlantNodeSelect';
import { rolesQuery, usersQuery } from '../users/api';
import {
  fileUrl,
  runQuery,
  runsQuery,
  type ScheduleInput,
  schedulesQuery,
  useDeleteSchedule,
  useGenerate,
  useSaveSchedule,
} from './api';

const fmt = (iso: string | null) =>
  iso ? new Date(iso).toLocaleString(currentLanguage(), { dateStyle: 'short', timeStyle: 'short' }) : '—';
const day = (d: Dayjs) => d.format('YYYY-MM-DD');
const size = (n: number) =>
  n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(2)} MB`;

const STATUS_COLOR = { queued: 'default', running: 'processing', done: 'success', failed: 'error' } as const;

/** Cron presets in the plant's time zone (the server reads them there). */
const CRON_PRESETS = [
  { cron: '0 8 * * *', key: 'daily8' },
  { cron: '0 8 * * 1', key: 'monday8' },
  { cron: '0 8 1 * *', key: 'month1' },
] as const;

// ------------------------------------------------------------------ generate

interface GenerateForm {
  kind: ReportKind;
  nodeId: number | null;
  day?: Dayjs;
  shiftId?: number;
  week?: Dayjs;
  month?: Dayjs;
  range?: [Dayjs, Dayjs];
}

function paramsOf(v: GenerateForm): ReportParamsIn {
  const base = { nodeId: v.nodeId ?? null };
  switch (v.kind) {
    case 'shift_daily':
      return { ...base, from: day(v.day!), to: day(v.day!), ...(v.shiftId ? { shiftId: v.shiftId } : {}) };
    case 'weekly_safety': {
      // ISO week: Monday to Sunday
      const monday = v.week!.subtract((v.week!.day() + 6) % 7, 'day');
      return { ...base, from: day(monday), to: day(monday.add(6, 'day')) };
    }
    case 'monthly_alarm':
      return { ...base, from: day(v.month!.startOf('month')), to: day(v.month!.endOf('month')) };
    default:
      return { ...base, from: day(v.range![0]), to: day(v.range![1]) };
  }
}

function RunProgress({ id }: { id: number }) {
  const { t } = useTranslation();
  const run = useQuery(runQuery(id));
  const r = run.data;
  if (!r) return null;
  return (
    <Card size="small" title={r.title} data-testid="report-progress">
      <Progress
        percent={r.progress}
        status={r.status === 'failed' ? 'exception' : r.status === 'done' ? 'success' : 'active'}
      />
      <Typography.Text type="secondary">{t(`report.status.${r.status}`)}</Typography.Text>
      {r.error && <Alert type="error" showIcon message={r.error} style={{ marginTop: 8 }} />}
      {r.status === 'done' && <Downloads run={r} />}
    </Card>
  );
}

function Downloads({ run }: { run: ReportRun }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  return (
    <Space wrap style={{ marginTop: 8 }}>
      {run.files.map((f) => (
        <Button
          key={f.format}
          size="small"
          icon={f.format === 'pdf' ? <FilePdfOutlined /> : <FileExcelOutlined />}
          onClick={() =>
            downloadFile(fileUrl(run.id, f.format), f.name).catch((e) => message.error(errorText(t, e)))
          }
        >
          {f.format.toUpperCase()} · {size(f.size)}
        </Button>
      ))}
    </Space>
  );
}

function GenerateTab({ onGenerated }: { onGenerated: (id: number) => void }) {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const { message } = App.useApp();
  const [form] = Form.useForm<GenerateForm>();
  const kind = Form.useWatch('kind', form) ?? 'shift_daily';
  const shifts = useQuery(orgListQuery('shifts'));
  const generate = useGenerate();
  const [current, setCurrent] = useState<number | null>(null);
  const may = canAnywhere(me, 'report.generate');
  const yesterday = dayjs().subtract(1, 'day');
  return (
    <Space direction="vertical" style={{ width: '100%', maxWidth: 640 }}>
      {!may && <Alert type="info" showIcon message={t('report.noGenerate')} />}
      <Form<GenerateForm>
        form={form}
        layout="vertical"
        disabled={!may}
        initialValues={{
          kind: 'shift_daily',
          nodeId: null,
          day: yesterday,
          week: dayjs().subtract(7, 'day'),
          month: dayjs().subtract(1, 'month'),
          range: [dayjs().subtract(30, 'day'), yesterday],
        }}
        onFinish={async (v) => {
          try {
            const run = await generate.mutateAsync({ kind: v.kind, params: paramsOf(v) });
            setCurrent(run.id);
            onGenerated(run.id);
          } catch (e) {
            message.error(errorText(t, e));
          }
        }}
      >
        <Form.Item name="kind" label={t('report.kind')} rules={[{ required: true }]}>
          <Select
            id="report-kind"
            options={REPORT_KINDS.map((k) => ({ value: k, label: t(`report.kinds.${k}`) }))}
          />
        </Form.Item>
        <Form.Item name="nodeId" label={t('report.node')}>
          <PlantNodeSelect wholeEnterprise id="report-node" />
        </Form.Item>
        {kind === 'shift_daily' && (
          <Space wrap>
            <Form.Item name="day" label={t('report.day')} rules={[{ required: true }]}>
              <DatePicker allowClear={false} />
            </Form.Item>
            <Form.Item name="shiftId" label={t('report.shift')}>
              <Select
                allowClear
                style={{ minWidth: 180 }}
                placeholder={t('report.allShifts')}
                options={(shifts.data ?? []).map((s) => ({
                  value: s.id,
                  label: `${s.name} ${s.startTime}–${s.endTime}`,
                }))}
              />
            </Form.Item>
          </Space>
        )}
        {kind === 'weekly_safety' && (
          <Form.Item name="week" label={t('report.week')} rules={[{ required: true }]}>
            <DatePicker picker="week" allowClear={false} />
          </Form.Item>
        )}
        {kind === 'monthly_alarm' && (
          <Form.Item name="month" label={t('report.month')} rules={[{ required: true }]}>
            <DatePicker picker="month" allowClear={false} />
          </Form.Item>
        )}
        {!['shift_daily', 'weekly_safety', 'monthly_alarm'].includes(kind) && (
          <Form.Item name="range" label={t('report.period')} rules={[{ required: true }]}>
            <DatePicker.RangePicker allowClear={false} />
          </Form.Item>
        )}
        <Button type="primary" htmlType="submit" loading={generate.isPending} data-testid="report-generate">
          {t('report.generate')}
        </Button>
      </Form>
      {current !== null && <RunProgress id={current} />}
    </Space>
  );
}

// ------------------------------------------------------------------ archive

function ArchiveTab({ highlight }: { highlight: number | null }) {
  const { t } = useTranslation();
  const [page, setPage] = useState(1);
  const [kind, setKind] = useState<ReportKind | undefined>();
  const runs = useQuery(runsQuery({ kind, limit: 20, offset: (page - 1) * 20 }));
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Select
        allowClear
        style={{ minWidth: 200 }}
        placeholder={t('report.allKinds')}
        value={kind}
        onChange={(v) => {
          setKind(v);
          setPage(1);
        }}
        options={REPORT_KINDS.map((k) => ({ value: k, label: t(`report.kinds.${k}`) }))}
      />
      <Table<ReportRun>
        rowKey="id"
        size="small"
        loading={runs.isLoading}
        dataSource={runs.data?.items ?? []}
        scroll={{ x: 'max-content' }}
        rowClassName={(r) => (r.id === highlight ? 'ant-table-row-selected' : '')}
        pagination={{ current: page, pageSize: 20, total: runs.data?.total ?? 0, onChange: setPage }}
        columns={[
          {
            title: t('report.col.report'),
            render: (_, r) => <Typography.Text strong>{r.title}</Typography.Text>,
          },
          {
            title: t('report.col.status'),
            render: (_, r) =>
              r.status === 'running' ? (
                <Progress percent={r.progress} size="small" style={{ width: 120 }} />
              ) : (
                <Tag color={STATUS_COLOR[r.status]} title={r.error ?? undefined}>
                  {t(`report.status.${r.status}`)}
                </Tag>
              ),
          },
          {
            title: t('report.col.by'),
            responsive: ['md'],
            render: (_, r) => (r.scheduleId ? t('report.bySchedule') : (r.requestedBy?.name ?? '—')),
          },
          {
            title: t('report.col.when'),
            responsive: ['sm'],
            render: (_, r) => fmt(r.finishedAt ?? r.createdAt),
          },
          {
            title: 'SHA-256',
            responsive: ['lg'],
            render: (_, r) =>
              r.files.map((f) => (
                <div key={f.format}>
                  <Typography.Text code copyable={{ text: f.sha256 }} title={f.sha256}>
                    {f.format} {f.sha256.slice(0, 12)}…
                  </Typography.Text>
                </div>
              )),
          },
          {
            title: t('report.col.files'),
            render: (_, r) => (r.status === 'done' ? <Downloads run={r} /> : null),
          },
        ]}
      />
    </Space>
  );
}

// ------------------------------------------------------------------ schedules

function ScheduleModal({ schedule, onClose }: { schedule: ReportSchedule | null; onClose: () => void }) {
  const { t } = useTranslation();
  const name = useLocalName();
  const [form] = Form.useForm<ScheduleInput & { preset?: string }>();
  const save = useSaveSchedule();
  const users = useQuery(usersQuery({ limit: 1000, offset: 0 }));
  const roles = useQuery(rolesQuery);
  const [error, setError] = useState<string | null>(null);
  return (
    <Modal
      open
      width={640}
      title={schedule ? t('report.editSchedule') : t('report.newSchedule')}
      okText={t('common.save')}
      confirmLoading={save.isPending}
      onCancel={onClose}
      onOk={async () => {
        const { preset: _p, ...v } = await form.validateFields();
        setError(null);
        try {
          await save.mutateAsync({ id: schedule?.id ?? null, body: v });
          onClose();
        } catch (e) {
          setError(errorText(t, e));
        }
      }}
    >
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      <Form
        form={form}
        layout="vertical"
        initialValues={
          schedule
            ? { ...schedule, reason: '' }
            : {
                name: '',
                kind: 'shift_daily',
                nodeId: null,
                period: 'yesterday',
                cron: '0 8 * * *',
                recipients: { userIds: [], roleIds: [] },
                enabled: true,
              }
        }
      >
        <Form.Item name="name" label={t('report.col.name')} rules={[{ required: true, whitespace: true }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Space wrap>
          <Form.Item name="kind" label={t('report.kind')} rules={[{ required: true }]}>
            <Select
              style={{ minWidth: 200 }}
              options={REPORT_KINDS.map((k) => ({ value: k, label: t(`report.kinds.${k}`) }))}
            />
          </Form.Item>
          <Form.Item name="period" label={t('report.period')} rules={[{ required: true }]}>
            <Select
              style={{ minWidth: 200 }}
              options={REPORT_PERIODS.map((p) => ({ value: p, label: t(`report.periods.${p}`) }))}
            />
          </Form.Item>
        </Space>
        <Form.Item name="nodeId" label={t('report.node')}>
          <PlantNodeSelect wholeEnterprise />
        </Form.Item>
        <Form.Item label={t('report.cron')} required>
          <Space wrap>
            <Select
              style={{ minWidth: 160 }}
              placeholder={t('report.cronPreset')}
              options={CRON_PRESETS.map((p) => ({ value: p.cron, label: t(`report.presets.${p.key}`) }))}
              onChange={(v: string) => form.setFieldValue('cron', v)}
            />
            <Form.Item name="cron" noStyle rules={[{ required: true, whitespace: true }]}>
              <Input style={{ width: 160 }} placeholder="0 8 * * 1" />
            </Form.Item>
          </Space>
          <Typography.Text type="secondary" style={{ display: 'block' }}>
            {t('report.cronHelp')}
          </Typography.Text>
        </Form.Item>
        <Form.Item name={['recipients', 'userIds']} label={t('report.recipientUsers')}>
          <Select
            mode="multiple"
            showSearch={{ optionFilterProp: 'label' }}
            options={(users.data?.items ?? []).map((u) => ({
              value: u.id,
              label: `${u.displayName} (${u.username})`,
            }))}
          />
        </Form.Item>
        <Form.Item
          name={['recipients', 'roleIds']}
          label={t('report.recipientRoles')}
          extra={t('report.rolesHelp')}
        >
          <Select
            mode="multiple"
            options={(roles.data ?? []).map((r) => ({ value: r.id, label: name(r) }))}
          />
        </Form.Item>
        <Form.Item name="enabled" label={t('report.enabled')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <ReasonField />
      </Form>
    </Modal>
  );
}

function SchedulesTab() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const schedules = useQuery(schedulesQuery);
  const remove = useDeleteSchedule();
  const [editing, setEditing] = useState<ReportSchedule | null | 'new'>(null);
  const [deleting, setDeleting] = useState<ReportSchedule | null>(null);
  const may = canAnywhere(me, 'report.manage');
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {may && (
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
          {t('report.newSchedule')}
        </Button>
      )}
      <Table<ReportSchedule>
        rowKey="id"
        size="small"
        loading={schedules.isLoading}
        dataSource={schedules.data ?? []}
        pagination={false}
        scroll={{ x: 'max-content' }}
        columns={[
          { title: t('report.col.name'), dataIndex: 'name' },
          { title: t('report.kind'), render: (_, s) => t(`report.kinds.${s.kind}`) },
          {
            title: t('report.node'),
            responsive: ['md'],
            render: (_, s) => s.nodeName ?? t('scope.wholeEnterprise'),
          },
          {
            title: t('report.cron'),
            render: (_, s) =>
              `${CRON_PRESETS.find((p) => p.cron === s.cron) ? t(`report.presets.${CRON_PRESETS.find((p) => p.cron === s.cron)!.key}`) : s.cron} · ${t(`report.periods.${s.period}`)}`,
          },
          {
            title: t('report.recipients'),
            responsive: ['md'],
            render: (_, s) => s.recipientNames.join('、') || '—',
          },
          {
            title: t('report.nextAt'),
            render: (_, s) => (s.enabled ? fmt(s.nextAt) : <Tag>{t('report.disabled')}</Tag>),
          },
          {
            title: '',
            render: (_, s) =>
              may && (
                <Space>
                  <Button
                    size="small"
                    icon={<EditOutlined />}
                    onClick={() => setEditing(s)}
                    aria-label={t('common.edit')}
                  />
                  <Button
                    size="small"
                    danger
                    icon={<DeleteOutlined />}
                    onClick={() => setDeleting(s)}
                    aria-label={t('common.delete')}
                  />
                </Space>
              ),
          },
        ]}
      />
      {editing !== null && (
        <ScheduleModal schedule={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />
      )}
      <ReasonModal
        open={deleting !== null}
        danger
        title={t('report.deleteSchedule', { name: deleting?.name ?? '' })}
        onConfirm={(reason) => remove.mutateAsync({ id: deleting!.id, reason })}
        onClose={() => setDeleting(null)}
      />
    </Space>
  );
}

/** 合规报表: generate with progress, the archive with hashes, schedules by e-mail. */
export function ReportsPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? (params.get('run') ? 'archive' : 'generate');
  const highlight = params.get('run') ? Number(params.get('run')) : null;
  return (
    <div>
      <Typography.Title level={3}>{t('report.title')}</Typography.Title>
      <Tabs
        activeKey={tab}
        onChange={(k) => setParams({ tab: k })}
        items={[
          {
            key: 'generate',
            label: t('report.tabs.generate'),
            children: <GenerateTab onGenerated={() => undefined} />,
          },
          { key: 'archive', label: t('report.tabs.archive'), children: <ArchiveTab highlight={highlight} /> },
          { key: 'schedules', label: t('report.tabs.schedules'), children: <SchedulesTab /> },
        ]}
      />
    </div>
  );
}
