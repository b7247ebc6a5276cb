import {
  ALARM_PRIORITIES,
  NOTIFY_EVENT_KINDS,
  NOTIFY_TRIGGER_KINDS,
  type Policy,
  PolicyInputSchema,
  STOP_CONDITIONS,
} from '@aegis/shared';
import { useQuery } from '@tanstack/react-query';
import {
  App,
  Checkbox,
  Col,
  Collapse,
  Divider,
  Drawer,
  Form,
  Grid,
  Input,
  InputNumber,
  Row,
  Select,
  Space,
  Switch,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CodeNameCols, ProblemsAlert, SaveActions } from '../../app/FormParts';
import { ReasonField } from '../../app/ReasonField';
import { PlantNodeSelect } from '../plant/PlantNodeSelect';
import { channelsQuery, useSavePolicy } from './api';
import { LevelEditor } from './LevelEditor';
import { PreviewPanel } from './PreviewPanel';
import {
  newPolicyValues,
  type PolicyFormValues,
  type PolicyFormWithReason,
  policyFromValues,
  previewPolicy,
  valuesFromPolicy,
} from './policyForm';
import { eventLabel } from './present';
import { useRecipients } from './recipients';
import { TimeField } from './TimeField';

const TRIGGERS = new Set<string>(NOTIFY_TRIGGER_KINDS);
const DAYS = [1, 2, 3, 4, 5, 6, 7] as const;

/** Creates (`policy` null) or edits an escalation policy, with "what would happen" for the unsaved form. */
export function PolicyEditor({
  open,
  policy,
  onClose,
}: {
  open: boolean;
  policy: Policy | null;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const phone = Grid.useBreakpoint().md === false;
  const [form] = Form.useForm<PolicyFormWithReason>();
  const save = useSavePolicy();
  const channels = useQuery(channelsQuery);
  const recipients = useRecipients();
  const [problems, setProblems] = useState<string[]>([]);
  const windowOn = Form.useWatch('windowOn', form);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    setProblems([]);
    form.setFieldsValue(policy ? valuesFromPolicy(policy) : newPolicyValues());
  }, [open, policy, form]);

  const submit = async () => {
    const v = await form.validateFields();
    const input = policyFromValues(v);
    const parsed = PolicyInputSchema.safeParse(input);
    if (!parsed.success) {
      setProblems(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
      return;
    }
    const reason = v.reason.trim();
    if (policy) await save.mutateAsync({ id: policy.id, body: { ...input, reason } });
    else await save.mutateAsync({ id: null, body: { ...input, reason } });
    setProblems([]);
    void message.success(t('common.saved'));
    onClose();
  };

  // All fields, also those not touched yet (getFieldsValue(true)), as the policy they describe.
  const current = () => {
    const v = form.getFieldsValue(true) as PolicyFormValues;
    return v.levels ? previewPolicy({ ...newPolicyValues(), ...v }) : null;
  };

  const section = (title: string) => (
    <Divider titlePlacement="start" style={{ margin: '8px 0 12px' }}>
      {title}
    </Divider>
  );

  return (
    <Drawer
      open={open}
      onClose={onClose}
      size={phone ? '100%' : 820}
      title={policy ? t('notify.policy.edit', { name: policy.name }) : t('notify.policy.new')}
      data-testid="policy-editor"
      extra={
        <SaveActions
          saving={save.isPending}
          onSave={submit}
          onCancel={phone ? undefined : onClose}
          testId="policy-save"
        />
      }
    >
      <ProblemsAlert title={t('notify.invalid')} problems={problems} />
      <Form form={form} layout="vertical" name="notify-policy">
        <Row gutter={12}>
          <CodeNameCols
            codeLabel={t('notify.field.code')}
            nameLabel={t('notify.field.name')}
            locked={!!policy}
            span={{ code: { xs: 24, sm: 8 }, name: { xs: 18, sm: 12 } }}
          />
          <Col xs={6} sm={4}>
            <Form.Item name="enabled" label={t('notify.field.enabled')} valuePropName="checked">
              <Switch />
            </Form.Item>
          </Col>
        </Row>

        {section(t('notify.policy.match'))}
        <Form.Item
          name="kinds"
          label={t('notify.policy.kinds')}
          extra={t('notify.policy.kindsHint')}
          rules={[{ required: true, type: 'array', min: 1, message: t('notify.policy.needKind') }]}
        >
          <Select
            mode="multiple"
            data-testid="policy-kinds"
            options={[
              {
                label: t('notify.policy.triggerKinds'),
                options: NOTIFY_EVENT_KINDS.filter((k) => TRIGGERS.has(k)).map((k) => ({
                  value: k,
                  label: eventLabel(k, i18n.language),
                })),
              },
              {
                label: t('notify.policy.informKinds'),
                options: NOTIFY_EVENT_KINDS.filter((k) => !TRIGGERS.has(k)).map((k) => ({
                  value: k,
                  label: eventLabel(k, i18n.language),
                })),
              },
            ]}
          />
        </Form.Item>
        <Row gutter={12}>
          <Col xs={24} sm={12}>
            <Form.Item
              name="priorities"
              label={t('notify.policy.priorities')}
              extra={t('notify.policy.prioritiesHint')}
            >
              <Checkbox.Group
                options={ALARM_PRIORITIES.map((p) => ({ value: p, label: t(`alarms.priority.${p}`) }))}
              />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="nodeId" label={t('notify.policy.node')} extra={t('notify.policy.nodeHint')}>
              <PlantNodeSelect wholeEnterprise />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item label={t('notify.policy.window')} extra={t('notify.policy.windowHint')}>
          <Space orientation="vertical" size={8} style={{ width: '100%' }}>
            <Space wrap>
              <Form.Item name="windowOn" valuePropName="checked" noStyle>
                <Switch />
              </Form.Item>
              <Typography.Text>
                {windowOn ? t('notify.policy.windowOnly') : t('notify.policy.always')}
              </Typography.Text>
            </Space>
            {windowOn && (
              <>
                <Form.Item
                  name="windowDays"
                  noStyle
                  rules={[{ required: true, type: 'array', min: 1, message: t('notify.policy.needDay') }]}
                >
                  <Checkbox.Group options={DAYS.map((d) => ({ value: d, label: t(`notify.day.${d}`) }))} />
                </Form.Item>
                <Space wrap>
                  <Form.Item name="windowFrom" noStyle>
                    <TimeField aria-label={t('notify.policy.windowFrom')} />
                  </Form.Item>
                  <span>—</span>
                  <Form.Item name="windowTo" noStyle>
                    <TimeField aria-label={t('notify.policy.windowTo')} />
                  </Form.Item>
                </Space>
              </>
            )}
          </Space>
        </Form.Item>

        {section(t('notify.policy.levels'))}
        <LevelEditor form={form} channels={channels.data ?? []} recipients={recipients} />

        {section(t('notify.policy.repeatAndStop'))}
        <Row gutter={12}>
          <Col xs={12} sm={6}>
            <Form.Item
              name="repeatCount"
              label={t('notify.policy.repeatCount')}
              tooltip={t('notify.policy.repeatHint')}
            >
              <InputNumber min={0} max={100} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={12} sm={6}>
            <Form.Item name="repeatIntervalMinutes" label={t('notify.policy.repeatInterval')}>
              <InputNumber min={1} max={1440} suffix={t('notify.policy.minutes')} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="groupSeconds"
              label={t('notify.policy.groupSeconds')}
              tooltip={t('notify.policy.groupHint')}
            >
              <InputNumber min={0} max={3600} suffix={t('notify.policy.seconds')} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="stopOn" label={t('notify.policy.stopOn')} extra={t('notify.policy.stopOnHint')}>
          <Checkbox.Group
            options={STOP_CONDITIONS.map((s) => ({ value: s, label: t(`notify.stop.${s}`) }))}
          />
        </Form.Item>
        <Collapse
          size="small"
          style={{ marginBottom: 16 }}
          items={[
            {
              key: 'template',
              label: t('notify.policy.template'),
              forceRender: true,
              children: (
                <Form.Item
                  name="template"
                  extra={t('notify.policy.templateHint', {
                    vars: '{{title}} {{text}} {{priority}} {{place}} {{time}} {{link}} {{count}}',
                  })}
                  style={{ marginBottom: 0 }}
                >
                  <Input.TextArea
                    rows={4}
                    maxLength={2000}
                    showCount
                    placeholder="{{priority}} {{title}} @ {{place}} {{time}}\n{{text}}\n{{link}}"
                    style={{ fontFamily: 'monospace' }}
                  />
                </Form.Item>
              ),
            },
            {
              key: 'preview',
              label: t('notify.preview.title'),
              children: <PreviewPanel policy={current} />,
            },
          ]}
          defaultActiveKey={phone ? [] : ['preview']}
        />
        <ReasonField />
      </Form>
    </Drawer>
  );
}
