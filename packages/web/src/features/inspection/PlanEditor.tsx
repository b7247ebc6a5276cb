import { CreatePlanSchema, type Plan, RISK_LEVEL_COLOURS, UpdatePlanSchema } from '@aegis/shared';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Checkbox,
  Col,
  Divider,
  Drawer,
  Form,
  Grid,
  Input,
  InputNumber,
  Radio,
  Row,
  Select,
  Space,
  Switch,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { canAnywhere, useMe } from '../../app/auth';
import { CodeNameCols, ProblemsAlert, SaveActions } from '../../app/FormParts';
import { useLocalName } from '../../app/i18n';
import { ReasonField } from '../../app/ReasonField';
import { checkpointsQuery, controlMeasuresQuery, routesQuery, templatesQuery, useSavePlan } from './api';
import { describeCron } from './cron';
import { OrderedList } from './OrderedList';
import { PlanDraftPreviewList } from './PlanPreviewList';
import { NodeField, useAssignees, useShifts } from './parts';
import {
  describeSchedule,
  describeWindow,
  draftPreviewFromValues,
  newPlanValues,
  type PlanFormValues,
  type PlanFormWithReason,
  planFromValues,
  planUpdateFromValues,
  type StopValues,
  scheduleFromValues,
  valuesFromPlan,
} from './planForm';

const DAYS = [1, 2, 3, 4, 5, 6, 7] as const;
const HOURS = Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:00`);
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Creates (`plan` null) or edits an inspection plan: what, where, when, who, the time window, the rules. */
export function PlanEditor({
  open,
  plan,
  onClose,
}: {
  open: boolean;
  plan: Plan | null;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { data: me } = useMe();
  const phone = Grid.useBreakpoint().md === false;
  const localName = useLocalName();
  const [form] = Form.useForm<PlanFormWithReason>();
  const save = useSavePlan();
  const templates = useQuery(templatesQuery);
  const routes = useQuery(routesQuery);
  const checkpoints = useQuery(checkpointsQuery);
  const measures = useQuery({
    ...controlMeasuresQuery,
    enabled: canAnywhere(me, 'risk.read'),
    meta: { silent: true },
  });
  const assignees = useAssignees();
  const shifts = useShifts();
  const [problems, setProblems] = useState<string[]>([]);
  const stopMode = Form.useWatch('stopMode', form);
  const scheduleKind = Form.useWatch('scheduleKind', form);
  const requireScan = Form.useWatch('requireScan', form);
  const cron = Form.useWatch('cron', form);
  // re-render on any change, so the schedule and window read back as they are edited
  const watched = Form.useWatch([], form) as PlanFormValues | undefined;

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    setProblems([]);
    form.setFieldsValue(plan ? valuesFromPlan(plan) : newPlanValues());
  }, [open, plan, form]);

  const submit = async () => {
    await form.validateFields();
    const v = form.getFieldsValue(true) as PlanFormWithReason;
    const body = plan ? planUpdateFromValues(v, v.reason ?? '') : planFromValues(v);
    const parsed = (plan ? UpdatePlanSchema : CreatePlanSchema).safeParse(body);
    if (!parsed.success) {
      setProblems(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
      return;
    }
    if (plan) await save.mutateAsync({ id: plan.id, body: planUpdateFromValues(v, v.reason ?? '') });
    else await save.mutateAsync({ id: null, body: planFromValues(v) });
    setProblems([]);
    void message.success(t('common.saved'));
    onClose();
  };

  const section = (title: string) => (
    <Divider titlePlacement="start" style={{ margin: '8px 0 12px' }}>
      {title}
    </Divider>
  );
  const templateOptions = (templates.data ?? [])
    .filter((x) => x.active)
    .map((x) => ({ value: x.id, label: `${x.name} (v${x.version})` }));
  const cpById = new Map((checkpoints.data ?? []).map((c) => [c.id, c]));
  const stops = (watched?.stops ?? []) as StopValues[];
  const full = watched ? { ...newPlanValues(), ...watched } : null;
  const scheduleWords = full ? describeSchedule(scheduleFromValues(full), i18n.language, shifts.name) : '';
  const windowWords = full ? describeWindow(planFromValues(full).window, i18n.language) : '';
  const cronWords = cron ? describeCron(cron, i18n.language) : null;

  return (
    <Drawer
      open={open}
      onClose={onClose}
      size={phone ? '100%' : 820}
      title={plan ? t('inspection.plan.edit', { name: plan.name }) : t('inspection.plan.new')}
      data-testid="plan-editor"
      extra={
        <SaveActions
          saving={save.isPending}
          onSave={submit}
          onCancel={phone ? undefined : onClose}
          testId="plan-save"
        />
      }
    >
      <ProblemsAlert title={t('inspection.invalid')} problems={problems} />
      <Form form={form} layout="vertical" name="inspection-plan">
        <Row gutter={12}>
          <CodeNameCols
            codeLabel={t('inspection.field.code')}
            nameLabel={t('inspection.field.name')}
            locked={!!plan}
            span={{ code: { xs: 24, sm: 8 }, name: { xs: 18, sm: 12 } }}
          />
          <Col xs={6} sm={4}>
            <Form.Item name="active" label={t('inspection.field.active')} valuePropName="checked">
              <Switch />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="nodeId" label={t('inspection.field.node')} rules={[{ required: true }]}>
              <NodeField locked={!!plan} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="templateId"
              label={t('inspection.plan.template')}
              rules={[{ required: true, message: t('inspection.plan.needTemplate') }]}
            >
              <Select
                showSearch={{ optionFilterProp: 'label' }}
                options={templateOptions}
                loading={templates.isLoading}
                data-testid="plan-template"
              />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="description" label={t('inspection.field.description')}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>

        {section(t('inspection.plan.where'))}
        <Form.Item name="stopMode">
          <Radio.Group
            optionType="button"
            options={[
              { value: 'route', label: t('inspection.plan.byRoute') },
              { value: 'checkpoints', label: t('inspection.plan.byCheckpoints') },
            ]}
          />
        </Form.Item>
        {stopMode === 'route' ? (
          <Form.Item
            name="routeId"
            label={t('inspection.plan.route')}
            rules={[{ required: true, message: t('inspection.plan.needRoute') }]}
          >
            <Select
              showSearch={{ optionFilterProp: 'label' }}
              data-testid="plan-route"
              options={(routes.data ?? [])
                .filter((r) => r.active)
                .map((r) => ({
                  value: r.id,
                  label: `${r.name} · ${t('inspection.route.count', { n: r.checkpointIds.length })}`,
                }))}
            />
          </Form.Item>
        ) : (
          <Form.Item label={t('inspection.plan.stops')} extra={t('inspection.plan.stopsHint')} required>
            <Select<number>
              showSearch={{ optionFilterProp: 'label' }}
              placeholder={t('inspection.route.add')}
              value={null as unknown as number}
              style={{ width: '100%', marginBottom: 8 }}
              onChange={(id) =>
                id && form.setFieldValue('stops', [...stops, { checkpointId: id, templateId: null }])
              }
              options={(checkpoints.data ?? [])
                .filter((c) => c.active && !stops.some((s) => s.checkpointId === c.id))
                .map((c) => ({ value: c.id, label: `${c.name} (${c.code})` }))}
            />
            <Form.Item name="stops" noStyle>
              <OrderedList<StopValues>
                keyOf={(s) => s.checkpointId}
                testId="plan-stops"
                empty={<Typography.Text type="secondary">{t('inspection.route.empty')}</Typography.Text>}
                render={(s, i) => (
                  <Space wrap size={4} style={{ width: '100%' }}>
                    <Typography.Text>
                      {cpById.get(s.checkpointId)?.name ?? `#${s.checkpointId}`}
                    </Typography.Text>
                    <Select<number | null>
                      size="small"
                      style={{ minWidth: 160 }}
                      value={s.templateId}
                      onChange={(templateId) =>
                        form.setFieldValue(
                          'stops',
                          stops.map((x, j) => (j === i ? { ...x, templateId: templateId ?? null } : x)),
                        )
                      }
                      options={[
                        { value: null, label: t('inspection.plan.planTemplate') },
                        ...templateOptions,
                      ]}
                      aria-label={t('inspection.plan.stopTemplate')}
                    />
                  </Space>
                )}
              />
            </Form.Item>
          </Form.Item>
        )}

        {section(t('inspection.plan.when'))}
        <Form.Item name="scheduleKind">
          <Radio.Group
            optionType="button"
            data-testid="plan-schedule-kind"
            options={(['shift', 'daily', 'weekly', 'cron'] as const).map((k) => ({
              value: k,
              label: t(`inspection.schedule.${k}`),
            }))}
          />
        </Form.Item>
        {scheduleKind === 'shift' && (
          <Form.Item
            name="shiftIds"
            label={t('inspection.schedule.shifts')}
            extra={t('inspection.schedule.shiftsHint')}
          >
            <Select
              mode="multiple"
              options={shifts.list.map((s) => ({
                value: s.id,
                label: `${s.name} ${s.startTime}–${s.endTime}`,
              }))}
            />
          </Form.Item>
        )}
        {scheduleKind === 'weekly' && (
          <Form.Item
            name="days"
            label={t('inspection.schedule.days')}
            rules={[{ required: true, type: 'array', min: 1, message: t('inspection.schedule.needDay') }]}
          >
            <Checkbox.Group options={DAYS.map((d) => ({ value: d, label: t(`notify.day.${d}`) }))} />
          </Form.Item>
        )}
        {(scheduleKind === 'daily' || scheduleKind === 'weekly') && (
          <Form.Item
            name="times"
            label={t('inspection.schedule.times')}
            extra={t('inspection.schedule.timesHint')}
            rules={[
              { required: true, type: 'array', min: 1, message: t('inspection.schedule.needTime') },
              {
                validator: async (_, v?: string[]) => {
                  const bad = (v ?? []).filter((x) => !TIME.test(x.trim()));
                  if (bad.length)
                    throw new Error(t('inspection.schedule.badTime', { times: bad.join(', ') }));
                },
              },
            ]}
          >
            <Select
              mode="tags"
              tokenSeparators={[',', '，', ' ']}
              options={HOURS.map((h) => ({ value: h, label: h }))}
              data-testid="plan-times"
            />
          </Form.Item>
        )}
        {scheduleKind === 'cron' && (
          <Form.Item
            name="cron"
            label={t('inspection.schedule.cron')}
            extra={cronWords ?? t('inspection.schedule.cronHint')}
            rules={[{ required: true, min: 9, message: t('inspection.schedule.needCron') }]}
          >
            <Input style={{ fontFamily: 'monospace' }} placeholder="0 8 * * 1-5" maxLength={120} />
          </Form.Item>
        )}
        {scheduleWords && (
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 12 }}
            title={scheduleWords}
            data-testid="plan-schedule-words"
          />
        )}

        {section(t('inspection.plan.who'))}
        <Form.Item
          name="assignee"
          label={t('inspection.plan.assignee')}
          rules={[{ required: true, message: t('inspection.plan.needAssignee') }]}
          extra={t('inspection.plan.assigneeHint')}
        >
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            options={assignees.options}
            data-testid="plan-assignee"
          />
        </Form.Item>

        {section(t('inspection.plan.window'))}
        <Row gutter={8}>
          <Col xs={12} sm={6}>
            <Form.Item
              name="startOffsetMin"
              label={t('inspection.window.start')}
              tooltip={t('inspection.window.startHint')}
            >
              <InputNumber
                min={-1440}
                max={1440}
                suffix={t('inspection.minutes')}
                style={{ width: '100%' }}
              />
            </Form.Item>
          </Col>
          <Col xs={12} sm={6}>
            <Form.Item
              name="dueAfterMin"
              label={t('inspection.window.due')}
              tooltip={t('inspection.window.dueHint')}
              rules={[{ required: true }]}
            >
              <InputNumber min={1} max={10080} suffix={t('inspection.minutes')} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={12} sm={6}>
            <Form.Item
              name="graceMin"
              label={t('inspection.window.grace')}
              tooltip={t('inspection.window.graceHint')}
            >
              <InputNumber min={0} max={10080} suffix={t('inspection.minutes')} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={12} sm={6}>
            <Form.Item
              name="remindBeforeMin"
              label={t('inspection.window.remind')}
              tooltip={t('inspection.window.remindHint')}
            >
              <InputNumber min={0} max={1440} suffix={t('inspection.minutes')} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
        {windowWords && (
          <Typography.Paragraph type="secondary" style={{ marginTop: -8 }} data-testid="plan-window-words">
            {windowWords}
          </Typography.Paragraph>
        )}

        {section(t('inspection.plan.rules'))}
        <Row gutter={12}>
          <Col xs={24} sm={12}>
            <Form.Item
              name="requireScan"
              label={t('inspection.plan.requireScan')}
              valuePropName="checked"
              tooltip={t('inspection.plan.requireScanHint')}
            >
              <Switch />
            </Form.Item>
          </Col>
          {requireScan && (
            <Col xs={24} sm={12}>
              <Form.Item name="onMissingScan" label={t('inspection.plan.onMissingScan')}>
                <Radio.Group
                  options={[
                    { value: 'refuse', label: t('inspection.plan.missingRefuse') },
                    { value: 'flag', label: t('inspection.plan.missingFlag') },
                  ]}
                />
              </Form.Item>
            </Col>
          )}
          <Col xs={24} sm={12}>
            <Form.Item
              name="requirePhotoOnAbnormal"
              label={t('inspection.plan.photoOnAbnormal')}
              valuePropName="checked"
            >
              <Switch />
            </Form.Item>
          </Col>
        </Row>
        {canAnywhere(me, 'risk.read') && !measures.isError && (
          <Form.Item
            name="controlMeasureIds"
            label={t('inspection.plan.measures')}
            extra={t('inspection.plan.measuresHint')}
          >
            <Select
              mode="multiple"
              loading={measures.isLoading}
              showSearch={{ optionFilterProp: 'search' }}
              data-testid="plan-measures"
              options={(measures.data ?? []).map((m) => ({
                value: m.id,
                search: `${m.description} ${m.unitName} ${m.nodeNameZh} ${m.nodeNameEn}`,
                label: (
                  <Space size={4}>
                    <span
                      style={{
                        display: 'inline-block',
                        width: 8,
                        height: 8,
                        borderRadius: 4,
                        background: RISK_LEVEL_COLOURS[m.level],
                      }}
                    />
                    <span>
                      {m.description}
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {' '}
                        · {m.unitName} · {localName({ nameZh: m.nodeNameZh, nameEn: m.nodeNameEn })}
                        {m.cycle ? ` · ${t(`inspection.cycle.${m.cycle}`)}` : ''}
                      </Typography.Text>
                    </span>
                  </Space>
                ),
              }))}
            />
          </Form.Item>
        )}

        {section(t('inspection.plan.preview'))}
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t('inspection.plan.previewDraft')}
        </Typography.Paragraph>
        <PlanDraftPreviewList draft={full ? draftPreviewFromValues(full) : null} />
        {plan && (
          <div style={{ marginTop: 16 }}>
            <ReasonField />
          </div>
        )}
      </Form>
    </Drawer>
  );
}
