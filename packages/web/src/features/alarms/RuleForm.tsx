import {
  ALARM_PRIORITIES,
  ALARM_RULE_TYPES,
  type AlarmRuleRecord,
  type AlarmRuleType,
  CreateAlarmRuleSchema,
  LIMIT_LEVELS,
} from '@aegis/shared';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Checkbox,
  Col,
  Divider,
  Form,
  Grid,
  Input,
  InputNumber,
  Modal,
  Radio,
  Row,
  Select,
  Switch,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { canAnywhere, useMe } from '../../app/auth';
import { ReasonField } from '../../app/ReasonField';
import { connectorsQuery } from '../connectors/api';
import type { TagRow } from '../tags/api';
import { TagSelect, tagRef } from '../tags/TagSelect';
import { useCreateRule, useUpdateRule } from './api';
import {
  conditionsOf,
  interlockFromValues,
  newRuleValues,
  type RuleFormValues,
  ruleFromValues,
  valuesFromRecord,
} from './rules';

const col = { xs: 24, sm: 12 } as const;

/**
 * Adds a rule to a tag, or edits one. Alarm limits are regulated: a reason is required and the
 * change is audited. The interlock (write a value to a tag when the alarm activates) needs tag.write.
 */
export function RuleFormModal({
  open,
  tag,
  record,
  onClose,
}: {
  open: boolean;
  tag: TagRow;
  record: AlarmRuleRecord | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { data: me } = useMe();
  const phone = Grid.useBreakpoint().md === false;
  const [form] = Form.useForm<RuleFormValues>();
  const create = useCreateRule();
  const update = useUpdateRule();
  const [problems, setProblems] = useState<string[]>([]);
  const mayWrite = canAnywhere(me, 'tag.write');
  // Only to offer a pick list: without it the id is typed, so a failure is not worth a message.
  const connectors = useQuery({
    ...connectorsQuery,
    enabled: open && canAnywhere(me, 'connector.manage'),
    meta: { silent: true },
  });

  const type = Form.useWatch('type', form) ?? 'limit';
  const levels = Form.useWatch('levels', form);
  const weRules = Form.useWatch('weRules', form);
  const discreteMode = Form.useWatch('discreteMode', form);
  const interlockOn = Form.useWatch('interlockOn', form);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue(
      record ? valuesFromRecord(record) : newRuleValues(tag.type === 'number' ? 'limit' : 'discrete'),
    );
    setProblems([]);
  }, [open, record, tag.type, form]);

  const submit = async () => {
    const v = await form.validateFields();
    // Validate with the shared schema first: the same rules the server applies, shown in place.
    const rule = ruleFromValues(v);
    const interlock = mayWrite ? interlockFromValues(v) : undefined;
    const body = {
      tagId: tag.id,
      enabled: v.enabled,
      rule,
      interlock: interlock ?? null,
      reason: v.reason ?? '',
    };
    const parsed = CreateAlarmRuleSchema.safeParse(body);
    if (!parsed.success) {
      setProblems(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
      return;
    }
    setProblems([]);
    if (record) {
      await update.mutateAsync({
        id: record.id,
        enabled: v.enabled,
        rule,
        ...(mayWrite ? { interlock: interlock ?? null } : {}),
        reason: body.reason.trim(),
      });
    } else {
      await create.mutateAsync(body);
    }
    void message.success(t('common.saved'));
    onClose();
  };

  const priority = (
    <Col {...col}>
      <Form.Item name="priority" label={t('alarms.field.priority')} rules={[{ required: true }]}>
        <Select options={ALARM_PRIORITIES.map((p) => ({ value: p, label: t(`alarms.priority.${p}`) }))} />
      </Form.Item>
    </Col>
  );
  const seconds = (name: keyof RuleFormValues, label: string, required = false, min = 0) => (
    <Col {...col}>
      <Form.Item name={name} label={label} rules={required ? [{ required: true }] : undefined}>
        <InputNumber min={min} step={1} suffix={t('rules.unit.s')} style={{ width: '100%' }} />
      </Form.Item>
    </Col>
  );
  const number = (
    name: keyof RuleFormValues,
    label: string,
    opts: {
      required?: boolean;
      min?: number;
      max?: number;
      step?: number;
      suffix?: string;
      help?: string;
    } = {},
  ) => (
    <Col {...col}>
      <Form.Item
        name={name}
        label={label}
        rules={opts.required ? [{ required: true }] : undefined}
        extra={opts.help}
      >
        <InputNumber
          min={opts.min}
          max={opts.max}
          step={opts.step}
          suffix={opts.suffix}
          style={{ width: '100%' }}
        />
      </Form.Item>
    </Col>
  );
  const unit = tag.unit || undefined;

  return (
    <Modal
      open={open}
      title={record ? t('rules.edit') : t('rules.add', { tag: tagRef(tag) })}
      okText={t('common.save')}
      okButtonProps={{ loading: create.isPending || update.isPending, 'data-testid': 'rule-save' }}
      onCancel={onClose}
      onOk={() => void submit().catch(() => {})}
      width={phone ? '100%' : 760}
      style={phone ? { top: 0, maxWidth: '100vw', padding: 0 } : { top: 24 }}
      // The body scrolls inside the dialog, so the save button and the reason stay reachable on a short screen.
      styles={{
        body: { maxHeight: phone ? 'calc(100dvh - 130px)' : 'calc(100vh - 180px)', overflowY: 'auto' },
      }}
      forceRender
      destroyOnHidden={false}
    >
      {problems.length > 0 && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 12 }}
          title={t('rules.invalid')}
          description={
            <ul style={{ margin: 0, paddingInlineStart: 18 }}>
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          }
        />
      )}
      <Form
        form={form}
        layout="vertical"
        name="alarmRule"
        initialValues={newRuleValues()}
        scrollToFirstError={{ block: 'center' }}
      >
        <Row gutter={12}>
          <Col xs={24} sm={16}>
            <Form.Item name="type" label={t('rules.field.type')} rules={[{ required: true }]}>
              <Select<AlarmRuleType>
                disabled={!!record}
                options={ALARM_RULE_TYPES.map((r) => ({ value: r, label: t(`rules.type.${r}`) }))}
              />
            </Form.Item>
          </Col>
          <Col xs={24} sm={8}>
            <Form.Item name="enabled" label={t('rules.field.enabled')} valuePropName="checked">
              <Switch />
            </Form.Item>
          </Col>
        </Row>
        <Typography.Paragraph type="secondary" style={{ marginTop: -8 }}>
          {t(`rules.typeHint.${type}`)}
        </Typography.Paragraph>

        {type === 'limit' && (
          <>
            <Row gutter={8} style={{ fontWeight: 500, marginBottom: 4 }}>
              <Col span={5}>{t('rules.field.level')}</Col>
              <Col span={10}>{t('rules.field.setpoint')}</Col>
              <Col span={9}>{t('alarms.field.priority')}</Col>
            </Row>
            {LIMIT_LEVELS.map((l) => (
              <Row gutter={8} key={l} align="middle">
                <Col span={5}>
                  <Form.Item name={['levels', l, 'on']} valuePropName="checked" style={{ marginBottom: 8 }}>
                    <Checkbox data-testid={`rule-level-${l}`}>{l}</Checkbox>
                  </Form.Item>
                </Col>
                <Col span={10}>
                  <Form.Item
                    name={['levels', l, 'setpoint']}
                    style={{ marginBottom: 8 }}
                    rules={[{ required: !!levels?.[l]?.on, message: t('rules.setpointRequired') }]}
                  >
                    <InputNumber
                      disabled={!levels?.[l]?.on}
                      suffix={unit}
                      style={{ width: '100%' }}
                      aria-label={`${l} ${t('rules.field.setpoint')}`}
                    />
                  </Form.Item>
                </Col>
                <Col span={9}>
                  <Form.Item name={['levels', l, 'priority']} style={{ marginBottom: 8 }}>
                    <Select
                      disabled={!levels?.[l]?.on}
                      aria-label={`${l} ${t('alarms.field.priority')}`}
                      options={ALARM_PRIORITIES.map((p) => ({ value: p, label: t(`alarms.priority.${p}`) }))}
                    />
                  </Form.Item>
                </Col>
              </Row>
            ))}
            <Row gutter={12}>
              {number('deadband', t('rules.field.deadband'), {
                min: 0,
                suffix: unit,
                help: t('rules.deadbandHint'),
              })}
            </Row>
          </>
        )}

        {type === 'rate_of_change' && (
          <Row gutter={12}>
            {number('limit', t('rules.field.rocLimit'), { required: true, min: 0, suffix: unit })}
            <Col {...col}>
              <Form.Item name="per" label={t('rules.field.per')}>
                <Radio.Group
                  optionType="button"
                  options={(['second', 'minute'] as const).map((p) => ({
                    value: p,
                    label: t(`rules.per.${p}`),
                  }))}
                />
              </Form.Item>
            </Col>
            {seconds('windowS', t('rules.field.window'), true, 0.1)}
            {priority}
          </Row>
        )}

        {type === 'deviation' && (
          <Row gutter={12}>
            <Col xs={24}>
              <Form.Item
                name="setpointTag"
                label={t('rules.field.setpointTag')}
                rules={[{ required: true, whitespace: true }]}
                extra={t('rules.setpointTagHint')}
              >
                <SetpointTagInput />
              </Form.Item>
            </Col>
            {number('limit', t('rules.field.deviationLimit'), { required: true, min: 0, suffix: unit })}
            {number('deadband', t('rules.field.deadband'), { min: 0, suffix: unit })}
            {priority}
          </Row>
        )}

        {type === 'discrete' && (
          <Row gutter={12}>
            <Col xs={24}>
              <Form.Item name="discreteMode" label={t('rules.field.discreteMode')}>
                <Radio.Group
                  optionType="button"
                  options={[
                    { value: 'value', label: t('rules.discrete.value') },
                    { value: 'states', label: t('rules.discrete.states') },
                  ]}
                />
              </Form.Item>
            </Col>
            {discreteMode === 'states' ? (
              <Col xs={24}>
                <Form.Item
                  name="alarmStates"
                  label={t('rules.field.alarmStates')}
                  rules={[{ required: true, type: 'array', min: 1 }]}
                  extra={t('rules.alarmStatesHint')}
                  normalize={(vals: Array<string | number>) =>
                    (vals ?? []).map((x) =>
                      typeof x === 'string' && /^-?\d+(\.\d+)?$/.test(x) ? Number(x) : x,
                    )
                  }
                >
                  <Select
                    mode="tags"
                    options={Object.entries(tag.states ?? {}).flatMap(([raw, label]) => [
                      { value: Number.isFinite(Number(raw)) ? Number(raw) : raw, label: `${raw} · ${label}` },
                      { value: label, label: `“${label}”` },
                    ])}
                  />
                </Form.Item>
              </Col>
            ) : (
              <Col {...col}>
                <Form.Item name="alarmValue" label={t('rules.field.alarmValue')}>
                  <Radio.Group
                    optionType="button"
                    options={[
                      { value: true, label: t('realtime.on') },
                      { value: false, label: t('realtime.off') },
                    ]}
                  />
                </Form.Item>
              </Col>
            )}
            {priority}
          </Row>
        )}

        {type === 'stale' && (
          <Row gutter={12}>
            {seconds('timeoutS', t('rules.field.timeout'), true, 1)}
            {priority}
          </Row>
        )}

        {type === 'comm_loss' && (
          <Row gutter={12}>
            <Col {...col}>
              <Form.Item
                name="connector"
                label={t('rules.field.connector')}
                rules={[{ required: true, whitespace: true }]}
              >
                {connectors.data ? (
                  <Select
                    options={connectors.data.map((c) => ({
                      value: c.code,
                      label: `${c.name} (${c.code})`,
                    }))}
                  />
                ) : (
                  <Input maxLength={200} />
                )}
              </Form.Item>
            </Col>
            {priority}
          </Row>
        )}

        {type === 'bad_quality' && (
          <Row gutter={12}>
            <Col {...col}>
              <Form.Item
                name="includeUncertain"
                valuePropName="checked"
                label={t('rules.field.includeUncertain')}
              >
                <Switch />
              </Form.Item>
            </Col>
            {priority}
          </Row>
        )}

        {(type === 'ewma' || type === 'spc') && (
          <Row gutter={12}>
            {type === 'ewma' &&
              number('lambda', t('rules.field.lambda'), { required: true, min: 0.01, max: 1, step: 0.05 })}
            {type === 'ewma' &&
              number('L', t('rules.field.L'), { required: true, min: 0.1, step: 0.5, suffix: 'σ' })}
            {number('mean', t('rules.field.mean'), { suffix: unit, help: t('rules.estimatedHint') })}
            {number('sigma', t('rules.field.sigma'), {
              min: 0,
              suffix: unit,
              help: t('rules.estimatedHint'),
            })}
            {number('warmupSamples', t('rules.field.warmupSamples'), { required: true, min: 2, max: 10000 })}
            {type === 'ewma' &&
              number('minSamples', t('rules.field.minSamples'), { required: true, min: 1, max: 10000 })}
            {type === 'spc' && (
              <Col xs={24}>
                <Form.Item
                  name="weRules"
                  label={t('rules.field.weRules')}
                  rules={[{ required: true, type: 'array', min: 1 }]}
                >
                  <Checkbox.Group
                    options={([1, 2, 3, 4] as const).map((r) => ({ value: r, label: t(`rules.we.${r}`) }))}
                  />
                </Form.Item>
              </Col>
            )}
            {type === 'spc' &&
              number('runLength', t('rules.field.runLength'), { required: true, min: 2, max: 50 })}
            {priority}
          </Row>
        )}

        <Divider titlePlacement="start" plain>
          {t('rules.common')}
        </Divider>
        <Row gutter={12}>
          <Col xs={24}>
            <Form.Item name="message" label={t('rules.field.message')} extra={t('rules.messageHint')}>
              <Input maxLength={500} />
            </Form.Item>
          </Col>
          {seconds('onDelayS', t('rules.field.onDelay'))}
          {seconds('offDelayS', t('rules.field.offDelay'))}
        </Row>

        <Divider titlePlacement="start" plain>
          {t('rules.interlock')}
        </Divider>
        {mayWrite ? (
          <>
            <Form.Item name="interlockOn" valuePropName="checked" extra={t('rules.interlockHint')}>
              <Checkbox>{t('rules.interlockEnable')}</Checkbox>
            </Form.Item>
            {interlockOn && (
              <Row gutter={12}>
                <Col xs={24}>
                  <Form.Item
                    name="interlockTagId"
                    label={t('rules.field.interlockTag')}
                    rules={[{ required: true }]}
                  >
                    <TagSelect />
                  </Form.Item>
                </Col>
                <Col {...col}>
                  <Form.Item
                    name="interlockValue"
                    label={t('rules.field.interlockValue')}
                    rules={[{ required: true, whitespace: true }]}
                    extra={t('rules.interlockValueHint')}
                  >
                    <Input maxLength={200} />
                  </Form.Item>
                </Col>
                {seconds('confirmTimeoutS', t('rules.field.confirmTimeout'), true, 0.1)}
                <Col xs={24}>
                  <Form.Item
                    name="interlockConditions"
                    label={t('rules.field.interlockConditions')}
                    extra={t('rules.interlockConditionsHint')}
                  >
                    <Select
                      mode="multiple"
                      allowClear
                      options={conditionsOf({ type, levels, weRules }).map((c) => ({ value: c, label: c }))}
                    />
                  </Form.Item>
                </Col>
              </Row>
            )}
          </>
        ) : (
          <Typography.Paragraph type="secondary">
            {record?.interlock
              ? t('rules.interlockReadOnly', {
                  tag: `#${record.interlock.tagId}`,
                  value: String(record.interlock.value),
                })
              : t('rules.interlockNeedsWrite')}
          </Typography.Paragraph>
        )}
        <ReasonField />
      </Form>
    </Modal>
  );
}

/** The setpoint tag as "EQUIPMENT.TAG": typed, or picked from the tag search. */
function SetpointTagInput({
  value,
  onChange,
  id,
}: {
  value?: string;
  onChange?: (v: string) => void;
  id?: string;
}) {
  const { t } = useTranslation();
  return (
    <Row gutter={8}>
      <Col xs={24} sm={10}>
        <Input
          id={id}
          value={value}
          onChange={(e) => onChange?.(e.target.value)}
          placeholder="EQUIPMENT.TAG"
        />
      </Col>
      <Col xs={24} sm={14}>
        <TagSelect
          placeholder={t('rules.pickSetpointTag')}
          value={null}
          onChange={(_id, tag) => {
            if (tag) onChange?.(tagRef(tag));
          }}
        />
      </Col>
    </Row>
  );
}
