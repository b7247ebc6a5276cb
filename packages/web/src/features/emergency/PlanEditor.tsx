import {
  EMERGENCY_LEVELS,
  EMERGENCY_SCENARIOS,
  type EmergencyAssignee,
  type EmergencyPlan,
} from '@aegis/shared';
import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Drawer,
  Form,
  Input,
  InputNumber,
  Select,
  Space,
  Switch,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../app/errorText';
import { ReasonField } from '../../app/ReasonField';
import { orgListQuery } from '../org/api';
import { PlantNodeSelect } from '../plant/PlantNodeSelect';
import { rolesQuery } from '../users/api';
import { UserSelect } from '../users/UserSelect';
import { moved, type PlanInput, useSavePlan } from './api';

const ASSIGNEE_TYPES: EmergencyAssignee['type'][] = [
  'role',
  'post',
  'team',
  'user',
  'shift_leader',
  'shift_team',
  'on_call',
];

/** Picks who a step is for: a type, then the role, post, team or person where the type needs one. */
function AssigneeInput(props: { value?: EmergencyAssignee; onChange?: (v: EmergencyAssignee) => void }) {
  const { t, i18n } = useTranslation();
  const roles = useQuery(rolesQuery);
  const posts = useQuery(orgListQuery('posts'));
  const teams = useQuery(orgListQuery('teams'));
  const v = props.value ?? { type: 'shift_leader' };
  const set = (type: EmergencyAssignee['type']) => {
    if (type === 'role') props.onChange?.({ type, roleCode: roles.data?.[0]?.code ?? 'operator' });
    else if (type === 'post' || type === 'team' || type === 'user')
      props.onChange?.({ type } as EmergencyAssignee);
    else props.onChange?.({ type });
  };
  const en = i18n.language === 'en-US';
  return (
    <Space.Compact style={{ width: '100%' }}>
      <Select
        style={{ width: 140 }}
        value={v.type}
        onChange={set}
        options={ASSIGNEE_TYPES.map((k) => ({ value: k, label: t(`emergency.editor.assigneeType.${k}`) }))}
      />
      {v.type === 'role' && (
        <Select
          style={{ minWidth: 160 }}
          value={v.roleCode}
          onChange={(roleCode) => props.onChange?.({ type: 'role', roleCode })}
          options={(roles.data ?? []).map((r) => ({ value: r.code, label: en ? r.nameEn : r.nameZh }))}
        />
      )}
      {v.type === 'post' && (
        <Select
          style={{ minWidth: 160 }}
          value={'postId' in v ? v.postId : undefined}
          onChange={(postId) => props.onChange?.({ type: 'post', postId })}
          options={(posts.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
        />
      )}
      {v.type === 'team' && (
        <Select
          style={{ minWidth: 160 }}
          value={'teamId' in v ? v.teamId : undefined}
          onChange={(teamId) => props.onChange?.({ type: 'team', teamId })}
          options={(teams.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
        />
      )}
      {v.type === 'user' && (
        <div style={{ minWidth: 200 }}>
          <UserSelect
            value={'userId' in v ? v.userId : null}
            onChange={(userId) => userId && props.onChange?.({ type: 'user', userId })}
          />
        </div>
      )}
    </Space.Compact>
  );
}

type FormValues = PlanInput & { reason?: string };

const empty = (): FormValues => ({
  code: '',
  name: '',
  nodeId: 0,
  scenario: 'gas_leak',
  level: 'III',
  description: '',
  contacts: [],
  steps: [
    {
      title: '',
      instructions: '',
      assignee: { type: 'shift_leader' },
      timeLimitMin: 5,
      requiresPhoto: false,
    },
  ],
  triggers: [],
  active: true,
});

/** The plan editor: steps ordered with up/down buttons; saving an existing plan makes a new version and needs a reason. */
export function PlanEditor(props: { plan: EmergencyPlan | null; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const save = useSavePlan();
  const [form] = Form.useForm<FormValues>();
  const [error, setError] = useState<string | null>(null);
  const editing = props.plan !== null;
  const initial: FormValues = props.plan
    ? {
        code: props.plan.code,
        name: props.plan.name,
        nodeId: props.plan.nodeId,
        scenario: props.plan.scenario,
        level: props.plan.level,
        description: props.plan.description,
        contacts: props.plan.contacts,
        steps: props.plan.steps,
        triggers: props.plan.triggers,
        active: props.plan.active,
      }
    : empty();

  const submit = async () => {
    const values = await form.validateFields();
    setError(null);
    try {
      const saved = await save.mutateAsync({
        id: props.plan?.id ?? null,
        body: {
          ...values,
          contacts: values.contacts ?? [],
          triggers: (values.triggers ?? []).map((tr) => ({ ...tr, kind: 'alarm', ruleId: null })),
        },
      });
      void message.success(t('emergency.editor.saved', { version: saved.version }));
      props.onClose();
    } catch (e) {
      setError(errorText(t, e));
    }
  };

  return (
    <Drawer
      open={props.open}
      onClose={props.onClose}
      width={Math.min(900, window.innerWidth)}
      destroyOnHidden
      title={editing ? t('emergency.editor.titleEdit') : t('emergency.editor.titleNew')}
      extra={
        <Button type="primary" loading={save.isPending} onClick={() => void submit()} data-testid="plan-save">
          {t('common.save')}
        </Button>
      }
    >
      <Form form={form} layout="vertical" initialValues={initial}>
        <Space wrap style={{ width: '100%' }} align="start">
          <Form.Item name="code" label={t('emergency.editor.code')} rules={[{ required: true }]}>
            <Input disabled={editing} style={{ width: 180 }} />
          </Form.Item>
          <Form.Item name="name" label={t('emergency.editor.name')} rules={[{ required: true }]}>
            <Input style={{ width: 360 }} />
          </Form.Item>
        </Space>
        <Space wrap align="start">
          <Form.Item name="nodeId" label={t('emergency.editor.node')} rules={[{ required: true }]}>
            <PlantNodeSelect />
          </Form.Item>
          <Form.Item name="scenario" label={t('emergency.editor.scenario')}>
            <Select
              style={{ width: 140 }}
              options={EMERGENCY_SCENARIOS.map((s) => ({ value: s, label: t(`emergency.scenario.${s}`) }))}
            />
          </Form.Item>
          <Form.Item name="level" label={t('emergency.editor.level')}>
            <Select
              style={{ width: 100 }}
              options={EMERGENCY_LEVELS.map((l) => ({
                value: l,
                label: t('emergency.levelN', { level: l }),
              }))}
            />
          </Form.Item>
          <Form.Item name="active" label={t('emergency.editor.active')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Space>
        <Form.Item name="description" label={t('emergency.editor.description')}>
          <Input.TextArea rows={2} maxLength={4000} />
        </Form.Item>

        <Alert
          type="info"
          showIcon
          message={t('emergency.editor.deadlineHint')}
          style={{ marginBottom: 12 }}
        />
        <Form.List name="steps">
          {(fields, { add, remove }) => (
            <Card size="small" title={t('emergency.editor.steps')} style={{ marginBottom: 16 }}>
              {fields.map((field, i) => (
                <Card
                  key={field.key}
                  size="small"
                  type="inner"
                  style={{ marginBottom: 8 }}
                  title={`${i + 1}.`}
                  extra={
                    <Space>
                      <Button
                        size="small"
                        icon={<ArrowUpOutlined />}
                        disabled={i === 0}
                        aria-label={t('emergency.editor.up')}
                        onClick={() => form.setFieldValue('steps', moved(form.getFieldValue('steps'), i, -1))}
                      />
                      <Button
                        size="small"
                        icon={<ArrowDownOutlined />}
                        disabled={i === fields.length - 1}
                        aria-label={t('emergency.editor.down')}
                        onClick={() => form.setFieldValue('steps', moved(form.getFieldValue('steps'), i, 1))}
                      />
                      <Button
                        size="small"
                        danger
                        icon={<DeleteOutlined />}
                        disabled={fields.length === 1}
                        aria-label={t('emergency.editor.remove')}
                        onClick={() => remove(field.name)}
                      />
                    </Space>
                  }
                >
                  <Form.Item
                    name={[field.name, 'title']}
                    label={t('emergency.editor.stepTitle')}
                    rules={[{ required: true, whitespace: true }]}
                  >
                    <Input maxLength={200} />
                  </Form.Item>
                  <Form.Item name={[field.name, 'instructions']} label={t('emergency.editor.instructions')}>
                    <Input.TextArea rows={2} maxLength={4000} />
                  </Form.Item>
                  <Space wrap align="start">
                    <Form.Item name={[field.name, 'assignee']} label={t('emergency.editor.assignee')}>
                      <AssigneeInput />
                    </Form.Item>
                    <Form.Item
                      name={[field.name, 'timeLimitMin']}
                      label={t('emergency.editor.limit')}
                      rules={[{ required: true }]}
                    >
                      <InputNumber min={1} max={1440} />
                    </Form.Item>
                    <Form.Item
                      name={[field.name, 'requiresPhoto']}
                      label={t('emergency.editor.requiresPhoto')}
                      valuePropName="checked"
                    >
                      <Checkbox />
                    </Form.Item>
                  </Space>
                </Card>
              ))}
              <Button
                icon={<PlusOutlined />}
                onClick={() =>
                  add({
                    title: '',
                    instructions: '',
                    assignee: { type: 'shift_leader' },
                    timeLimitMin: 5,
                    requiresPhoto: false,
                  })
                }
              >
                {t('emergency.editor.addStep')}
              </Button>
            </Card>
          )}
        </Form.List>

        <Form.List name="contacts">
          {(fields, { add, remove }) => (
            <Card size="small" title={t('emergency.editor.contacts')} style={{ marginBottom: 16 }}>
              {fields.map((field) => (
                <Space key={field.key} wrap align="start">
                  <Form.Item name={[field.name, 'name']} rules={[{ required: true }]}>
                    <Input placeholder={t('emergency.editor.contactName')} />
                  </Form.Item>
                  <Form.Item name={[field.name, 'role']}>
                    <Input placeholder={t('emergency.editor.contactRole')} />
                  </Form.Item>
                  <Form.Item name={[field.name, 'phone']} rules={[{ required: true }]}>
                    <Input placeholder={t('emergency.editor.contactPhone')} />
                  </Form.Item>
                  <Button danger icon={<DeleteOutlined />} onClick={() => remove(field.name)} />
                </Space>
              ))}
              <Button icon={<PlusOutlined />} onClick={() => add({ name: '', role: '', phone: '' })}>
                {t('emergency.editor.addContact')}
              </Button>
            </Card>
          )}
        </Form.List>

        <Form.List name="triggers">
          {(fields, { add, remove }) => (
            <Card size="small" title={t('emergency.editor.triggers')} style={{ marginBottom: 16 }}>
              {fields.map((field) => (
                <Space key={field.key} wrap align="start">
                  <Form.Item
                    name={[field.name, 'nodeId']}
                    label={t('emergency.editor.triggerNode')}
                    rules={[{ required: true }]}
                  >
                    <PlantNodeSelect />
                  </Form.Item>
                  <Form.Item name={[field.name, 'minPriority']} label={t('emergency.editor.minPriority')}>
                    <Select
                      style={{ width: 100 }}
                      options={(['critical', 'high'] as const).map((p) => ({
                        value: p,
                        label: t(`emergency.priority.${p}`),
                      }))}
                    />
                  </Form.Item>
                  <Form.Item name={[field.name, 'tagPattern']} label={t('emergency.editor.tagPattern')}>
                    <Input style={{ width: 160 }} />
                  </Form.Item>
                  <Button
                    danger
                    icon={<DeleteOutlined />}
                    onClick={() => remove(field.name)}
                    style={{ marginTop: 30 }}
                  />
                </Space>
              ))}
              <Button
                icon={<PlusOutlined />}
                onClick={() => add({ kind: 'alarm', minPriority: 'critical', tagPattern: '', ruleId: null })}
              >
                {t('emergency.editor.addTrigger')}
              </Button>
            </Card>
          )}
        </Form.List>
        {editing && <ReasonField />}
        {error && <Alert type="error" showIcon message={error} />}
      </Form>
    </Drawer>
  );
}
