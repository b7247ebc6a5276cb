import {
  ISOLATION_KIND_LABELS,
  ISOLATION_KINDS,
  LOCKOUT_STATE_LABELS,
  type LockoutState,
  SOP_RUN_STATE_LABELS,
  SOP_STEP_KIND_LABELS,
  SOP_STEP_KINDS,
  type SopProcedure,
  type SopRunState,
  type SopStepKind,
} from '@aegis/shared';
import { DeleteOutlined, LockOutlined, PlayCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Drawer,
  Flex,
  Form,
  Input,
  InputNumber,
  Select,
  Space,
  Switch,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { canAnywhere, useMe } from '../../app/auth';
import { currentLanguage } from '../../app/i18n';
import { errorText } from '../../app/notify';
import { PlantNodeSelect } from '../plant/PlantNodeSelect';
import {
  equipmentTagsQuery,
  lockoutsQuery,
  procedureQuery,
  proceduresQuery,
  runsQuery,
  useCreateLockout,
  useSaveProcedure,
  useStartRun,
} from './api';

export const word = (w: { zh: string; en: string }) => (currentLanguage() === 'zh-CN' ? w.zh : w.en);
export const when = (iso: string | null) =>
  iso ? new Date(iso).toLocaleString(currentLanguage(), { dateStyle: 'short', timeStyle: 'short' }) : '';

export const RUN_COLOR: Record<SopRunState, string> = {
  in_progress: 'processing',
  done: 'success',
  aborted: 'default',
};
export const LOCKOUT_COLOR: Record<LockoutState, string> = {
  draft: 'default',
  applying: 'warning',
  locked: 'error',
  releasing: 'warning',
  released: 'success',
  cancelled: 'default',
};

/** 操作规程 / 执行记录 / 上锁挂牌 */
export function SopPage() {
  const { t } = useTranslation();
  const [sp, setSp] = useSearchParams();
  const tab = sp.get('tab') ?? 'procedures';
  return (
    <Card title={t('sop.title')}>
      <Tabs
        activeKey={tab}
        onChange={(k) => setSp({ tab: k })}
        items={[
          { key: 'procedures', label: t('sop.tabs.procedures'), children: <ProceduresTab /> },
          { key: 'runs', label: t('sop.tabs.runs'), children: <RunsTab /> },
          { key: 'lockouts', label: t('sop.tabs.lockouts'), children: <LockoutsTab /> },
        ]}
      />
    </Card>
  );
}

function ProceduresTab() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const navigate = useNavigate();
  const [q, setQ] = useState('');
  const list = useQuery(proceduresQuery(q ? { q } : {}));
  const [editing, setEditing] = useState<number | 'new' | null>(null);
  const start = useStartRun();
  const mayManage = canAnywhere(me, 'sop.manage');
  const mayPerform = canAnywhere(me, 'sop.perform');
  return (
    <Flex vertical gap={12}>
      <Flex gap={8} wrap>
        <Input.Search
          placeholder={t('sop.procedure.search')}
          allowClear
          onSearch={setQ}
          style={{ maxWidth: 320 }}
        />
        {mayManage && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setEditing('new')}
            data-testid="sop-new"
          >
            {t('sop.procedure.new')}
          </Button>
        )}
      </Flex>
      <Table<SopProcedure>
        rowKey="id"
        size="small"
        loading={list.isLoading}
        dataSource={list.data ?? []}
        pagination={false}
        scroll={{ x: true }}
        locale={{ emptyText: t('sop.procedure.empty') }}
        columns={[
          { title: t('sop.procedure.code'), dataIndex: 'code', responsive: ['sm'] },
          {
            title: t('sop.procedure.name'),
            render: (_, r) => (
              <Space>
                {r.name}
                {!r.active && <Tag>{t('sop.procedure.inactive')}</Tag>}
              </Space>
            ),
          },
          {
            title: t('sop.procedure.equipment'),
            render: (_, r) => `${r.equipment.code} ${r.equipment.name}`,
          },
          // on a phone: name, equipment and the action; the rest from a tablet up
          {
            title: t('sop.procedure.version'),
            dataIndex: 'version',
            render: (v) => `v${v}`,
            responsive: ['sm'],
          },
          { title: t('sop.procedure.steps'), dataIndex: 'stepCount', responsive: ['sm'] },
          {
            title: '',
            render: (_, r) => (
              <Space>
                {mayPerform && r.active && (
                  <Button
                    size="small"
                    type="primary"
                    icon={<PlayCircleOutlined />}
                    loading={start.isPending}
                    onClick={() =>
                      void start.mutateAsync(r.id).then((run) => navigate(`/sop/runs/${run.id}`))
                    }
                  >
                    {t('sop.procedure.start')}
                  </Button>
                )}
                <Button size="small" onClick={() => setEditing(r.id)}>
                  {mayManage ? t('sop.procedure.edit') : t('sop.procedure.view')}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      {editing !== null && (
        <ProcedureEditor
          id={editing === 'new' ? null : editing}
          readOnly={!mayManage}
          onClose={() => setEditing(null)}
        />
      )}
    </Flex>
  );
}

interface StepValues {
  title: string;
  instructions?: string;
  kind: SopStepKind;
  tagId?: number | null;
  lo?: number | null;
  hi?: number | null;
  unit?: string;
  requiresPrevious: boolean;
}
interface ProcedureValues {
  equipmentId: number | null;
  code: string;
  name: string;
  description?: string;
  active: boolean;
  steps: StepValues[];
  reason?: string;
}

function ProcedureEditor({
  id,
  readOnly,
  onClose,
}: {
  id: number | null;
  readOnly: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const existing = useQuery({ ...procedureQuery(id ?? 0), enabled: id !== null });
  const [form] = Form.useForm<ProcedureValues>();
  const equipmentId = Form.useWatch('equipmentId', form) ?? existing.data?.equipment.id ?? null;
  const tags = useQuery(equipmentTagsQuery(equipmentId));
  const save = useSaveProcedure();
  const [error, setError] = useState<string | null>(null);
  if (id !== null && !existing.data) return null;
  const d = existing.data;
  const initial: ProcedureValues = d
    ? {
        equipmentId: d.equipment.id,
        code: d.code,
        name: d.name,
        description: d.description,
        active: d.active,
        steps: d.steps.map((s) => ({
          title: s.title,
          instructions: s.instructions,
          kind: s.kind,
          tagId: s.tagId,
          lo: s.limits?.lo ?? null,
          hi: s.limits?.hi ?? null,
          unit: s.limits?.unit ?? '',
          requiresPrevious: s.requiresPrevious,
        })),
      }
    : {
        equipmentId: null,
        code: '',
        name: '',
        active: true,
        steps: [{ title: '', kind: 'confirm', requiresPrevious: true }],
      };

  const submit = async (v: ProcedureValues) => {
    setError(null);
    const steps = v.steps.map((s) => ({
      title: s.title,
      instructions: s.instructions ?? '',
      kind: s.kind,
      requiresPrevious: s.requiresPrevious,
      ...(s.kind === 'reading'
        ? { tagId: s.tagId ?? null, limits: { lo: s.lo ?? null, hi: s.hi ?? null, unit: s.unit ?? '' } }
        : {}),
    }));
    try {
      const body =
        id === null
          ? {
              equipmentId: v.equipmentId!,
              code: v.code,
              name: v.name,
              description: v.description ?? '',
              steps,
            }
          : {
              name: v.name,
              description: v.description ?? '',
              active: v.active,
              steps,
              reason: v.reason ?? '',
            };
      await save.mutateAsync({ id, body });
      void message.success(t('sop.procedure.saved'));
      onClose();
    } catch (e) {
      setError(errorText(t, e));
    }
  };

  return (
    <Drawer
      open
      width={Math.min(720, window.innerWidth)}
      title={d ? `${d.code} ${d.name} v${d.version}` : t('sop.procedure.new')}
      onClose={onClose}
      destroyOnHidden
    >
      <Form<ProcedureValues>
        form={form}
        layout="vertical"
        initialValues={initial}
        disabled={readOnly}
        onFinish={(v) => void submit(v)}
      >
        <Form.Item
          name="equipmentId"
          label={t('sop.procedure.equipment')}
          rules={[{ required: true, message: t('sop.required') }]}
        >
          {id === null ? (
            <PlantNodeSelect levels={['equipment']} id="sop-equipment" />
          ) : (
            <Typography.Text>{`${d?.equipment.code} ${d?.equipment.name}`}</Typography.Text>
          )}
        </Form.Item>
        <Flex gap={8}>
          <Form.Item
            name="code"
            label={t('sop.procedure.code')}
            rules={[{ required: true, message: t('sop.required') }]}
            style={{ flex: 1 }}
          >
            <Input disabled={id !== null || readOnly} maxLength={64} data-testid="sop-code" />
          </Form.Item>
          <Form.Item
            name="name"
            label={t('sop.procedure.name')}
            rules={[{ required: true, whitespace: true, message: t('sop.required') }]}
            style={{ flex: 2 }}
          >
            <Input maxLength={200} data-testid="sop-name" />
          </Form.Item>
        </Flex>
        <Form.Item name="description" label={t('sop.procedure.description')}>
          <Input.TextArea rows={2} maxLength={4000} />
        </Form.Item>
        {id !== null && (
          <Form.Item name="active" label={t('sop.procedure.active')} valuePropName="checked">
            <Switch />
          </Form.Item>
        )}
        <Form.List name="steps">
          {(fields, { add, remove }) => (
            <Flex vertical gap={8}>
              {fields.map((f, i) => (
                <Card
                  key={f.key}
                  size="small"
                  title={t('sop.step.n', { n: i + 1 })}
                  extra={
                    !readOnly &&
                    fields.length > 1 && (
                      <Button size="small" icon={<DeleteOutlined />} onClick={() => remove(f.name)} />
                    )
                  }
                >
                  <Form.Item
                    name={[f.name, 'title']}
                    label={t('sop.step.title')}
                    rules={[{ required: true, whitespace: true, message: t('sop.required') }]}
                  >
                    <Input maxLength={200} data-testid={`sop-step-title-${i}`} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'instructions']} label={t('sop.step.instructions')}>
                    <Input.TextArea rows={2} maxLength={4000} />
                  </Form.Item>
                  <Flex gap={8} wrap>
                    <Form.Item name={[f.name, 'kind']} label={t('sop.step.kind')}>
                      <Select
                        style={{ width: 120 }}
                        options={SOP_STEP_KINDS.map((k) => ({
                          value: k,
                          label: word(SOP_STEP_KIND_LABELS[k]),
                        }))}
                      />
                    </Form.Item>
                    <Form.Item
                      name={[f.name, 'requiresPrevious']}
                      label={t('sop.step.requiresPrevious')}
                      valuePropName="checked"
                    >
                      <Switch disabled={i === 0 || readOnly} />
                    </Form.Item>
                  </Flex>
                  <Form.Item noStyle shouldUpdate>
                    {() =>
                      form.getFieldValue(['steps', f.name, 'kind']) === 'reading' && (
                        <Flex gap={8} wrap>
                          <Form.Item name={[f.name, 'tagId']} label={t('sop.step.tag')}>
                            <Select
                              allowClear
                              style={{ width: 220 }}
                              options={(tags.data?.items ?? []).map((tg) => ({
                                value: tg.id,
                                label: `${tg.code} ${tg.nameZh}`,
                              }))}
                            />
                          </Form.Item>
                          <Form.Item name={[f.name, 'lo']} label={t('sop.step.lo')}>
                            <InputNumber />
                          </Form.Item>
                          <Form.Item name={[f.name, 'hi']} label={t('sop.step.hi')}>
                            <InputNumber />
                          </Form.Item>
                          <Form.Item name={[f.name, 'unit']} label={t('sop.step.unit')}>
                            <Input style={{ width: 80 }} maxLength={32} />
                          </Form.Item>
                        </Flex>
                      )
                    }
                  </Form.Item>
                </Card>
              ))}
              {!readOnly && (
                <Button
                  icon={<PlusOutlined />}
                  onClick={() => add({ title: '', kind: 'confirm', requiresPrevious: true })}
                >
                  {t('sop.step.add')}
                </Button>
              )}
            </Flex>
          )}
        </Form.List>
        {id !== null && !readOnly && (
          <Form.Item
            name="reason"
            label={t('sop.reason')}
            rules={[{ required: true, min: 3, message: t('sop.reasonRequired') }]}
            style={{ marginTop: 12 }}
          >
            <Input maxLength={500} />
          </Form.Item>
        )}
        {d && (
          <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>
            {d.versions
              .map((v) => `v${v.version} ${when(v.at)} ${v.by.name}${v.reason ? `：${v.reason}` : ''}`)
              .join(' · ')}
          </Typography.Paragraph>
        )}
        {error && <Alert type="error" showIcon message={error} style={{ margin: '12px 0' }} />}
        {!readOnly && (
          <Button
            type="primary"
            htmlType="submit"
            block
            loading={save.isPending}
            style={{ marginTop: 12 }}
            data-testid="sop-save"
          >
            {id === null ? t('sop.procedure.create') : t('sop.procedure.saveVersion')}
          </Button>
        )}
      </Form>
    </Drawer>
  );
}

function RunsTab() {
  const { t } = useTranslation();
  const list = useQuery(runsQuery());
  return (
    <Table
      rowKey="id"
      size="small"
      loading={list.isLoading}
      dataSource={list.data ?? []}
      pagination={false}
      scroll={{ x: true }}
      locale={{ emptyText: t('sop.run.empty') }}
      columns={[
        {
          title: t('sop.procedure.name'),
          render: (_, r) => (
            <Link to={`/sop/runs/${r.id}`}>{`${r.sopCode} ${r.sopName} v${r.sopVersion}`}</Link>
          ),
        },
        { title: t('sop.procedure.equipment'), render: (_, r) => `${r.equipment.code} ${r.equipment.name}` },
        {
          title: t('sop.run.state'),
          render: (_, r) => <Tag color={RUN_COLOR[r.state]}>{word(SOP_RUN_STATE_LABELS[r.state])}</Tag>,
        },
        {
          title: t('sop.run.progress'),
          render: (_, r) => (
            <Space>
              {`${r.stepsDone}/${r.stepCount}`}
              {r.failedSteps > 0 && <Tag color="error">{t('sop.run.failed', { count: r.failedSteps })}</Tag>}
              {r.skippedSteps > 0 && (
                <Tag color="warning">{t('sop.run.skipped', { count: r.skippedSteps })}</Tag>
              )}
            </Space>
          ),
        },
        {
          title: t('sop.run.startedBy'),
          render: (_, r) => `${r.startedBy.name} ${when(r.startedAt)}`,
          responsive: ['sm'],
        },
      ]}
    />
  );
}

interface LockoutValues {
  equipmentId: number | null;
  reason: string;
  points: Array<{
    name: string;
    kind: (typeof ISOLATION_KINDS)[number];
    commandTagId?: number | null;
    safeValue?: number | null;
  }>;
}

function LockoutsTab() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const navigate = useNavigate();
  const list = useQuery(lockoutsQuery());
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<LockoutValues>();
  const equipmentId = Form.useWatch('equipmentId', form) ?? null;
  const tags = useQuery(equipmentTagsQuery(equipmentId));
  const create = useCreateLockout();
  const [error, setError] = useState<string | null>(null);
  const submit = async (v: LockoutValues) => {
    setError(null);
    try {
      const l = await create.mutateAsync({
        equipmentId: v.equipmentId!,
        reason: v.reason,
        points: v.points.map((p) => ({
          name: p.name,
          kind: p.kind,
          commandTagId: p.commandTagId ?? null,
          safeValue: p.commandTagId ? (p.safeValue ?? 0) : null,
        })),
      });
      navigate(`/sop/lockouts/${l.id}`);
    } catch (e) {
      setError(errorText(t, e));
    }
  };
  return (
    <Flex vertical gap={12}>
      {canAnywhere(me, 'lockout.apply') && (
        <div>
          <Button
            type="primary"
            icon={<LockOutlined />}
            onClick={() => setOpen(true)}
            data-testid="lockout-new"
          >
            {t('sop.lockout.new')}
          </Button>
        </div>
      )}
      <Table
        rowKey="id"
        size="small"
        loading={list.isLoading}
        dataSource={list.data ?? []}
        pagination={false}
        scroll={{ x: true }}
        locale={{ emptyText: t('sop.lockout.empty') }}
        columns={[
          {
            title: t('sop.lockout.code'),
            render: (_, r) => <Link to={`/sop/lockouts/${r.id}`}>{r.code}</Link>,
          },
          {
            title: t('sop.procedure.equipment'),
            render: (_, r) => `${r.equipment.code} ${r.equipment.name}`,
          },
          { title: t('sop.lockout.reason'), dataIndex: 'reason', responsive: ['sm'] },
          {
            title: t('sop.run.state'),
            render: (_, r) => <Tag color={LOCKOUT_COLOR[r.state]}>{word(LOCKOUT_STATE_LABELS[r.state])}</Tag>,
          },
          { title: t('sop.lockout.locks'), render: (_, r) => `${r.locksApplied}/${r.pointCount}` },
          {
            title: t('sop.run.startedBy'),
            render: (_, r) => `${r.createdBy.name} ${when(r.createdAt)}`,
            responsive: ['sm'],
          },
        ]}
      />
      <Drawer
        open={open}
        width={Math.min(640, window.innerWidth)}
        title={t('sop.lockout.new')}
        onClose={() => setOpen(false)}
        destroyOnHidden
      >
        <Form<LockoutValues>
          form={form}
          layout="vertical"
          initialValues={{ equipmentId: null, reason: '', points: [{ name: '', kind: 'electrical' }] }}
          onFinish={(v) => void submit(v)}
        >
          <Form.Item
            name="equipmentId"
            label={t('sop.procedure.equipment')}
            rules={[{ required: true, message: t('sop.required') }]}
          >
            <PlantNodeSelect levels={['equipment']} id="lockout-equipment" />
          </Form.Item>
          <Form.Item
            name="reason"
            label={t('sop.lockout.reason')}
            rules={[{ required: true, min: 3, message: t('sop.reasonRequired') }]}
          >
            <Input maxLength={1000} data-testid="lockout-reason" />
          </Form.Item>
          <Form.List name="points">
            {(fields, { add, remove }) => (
              <Flex vertical gap={8}>
                {fields.map((f, i) => (
                  <Card
                    key={f.key}
                    size="small"
                    title={t('sop.lockout.point', { n: i + 1 })}
                    extra={
                      fields.length > 1 && (
                        <Button size="small" icon={<DeleteOutlined />} onClick={() => remove(f.name)} />
                      )
                    }
                  >
                    <Flex gap={8} wrap>
                      <Form.Item
                        name={[f.name, 'name']}
                        label={t('sop.lockout.pointName')}
                        rules={[{ required: true, whitespace: true, message: t('sop.required') }]}
                      >
                        <Input maxLength={200} placeholder="MCC 开关" />
                      </Form.Item>
                      <Form.Item name={[f.name, 'kind']} label={t('sop.lockout.kind')}>
                        <Select
                          style={{ width: 110 }}
                          options={ISOLATION_KINDS.map((k) => ({
                            value: k,
                            label: word(ISOLATION_KIND_LABELS[k]),
                          }))}
                        />
                      </Form.Item>
                      <Form.Item
                        name={[f.name, 'commandTagId']}
                        label={t('sop.lockout.commandTag')}
                        tooltip={t('sop.lockout.commandTagHelp')}
                      >
                        <Select
                          allowClear
                          style={{ width: 200 }}
                          options={(tags.data?.items ?? []).map((tg) => ({
                            value: tg.id,
                            label: `${tg.code} ${tg.nameZh}`,
                          }))}
                        />
                      </Form.Item>
                      <Form.Item name={[f.name, 'safeValue']} label={t('sop.lockout.safeValue')}>
                        <InputNumber placeholder="0" />
                      </Form.Item>
                    </Flex>
                  </Card>
                ))}
                <Button icon={<PlusOutlined />} onClick={() => add({ name: '', kind: 'mechanical' })}>
                  {t('sop.lockout.addPoint')}
                </Button>
              </Flex>
            )}
          </Form.List>
          {error && <Alert type="error" showIcon message={error} style={{ margin: '12px 0' }} />}
          <Button
            type="primary"
            htmlType="submit"
            block
            loading={create.isPending}
            style={{ marginTop: 12 }}
            data-testid="lockout-create"
          >
            {t('sop.lockout.create')}
          </Button>
        </Form>
      </Drawer>
    </Flex>
  );
}
