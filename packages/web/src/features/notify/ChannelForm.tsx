import {
  CHANNEL_KINDS,
  type Channel,
  type ChannelKind,
  ChannelSettingsSchema,
  CreateChannelSchema,
  PERSONAL_CHANNEL_KINDS,
} from '@aegis/shared';
import {
  App,
  Checkbox,
  Col,
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
import { useSaveChannel } from './api';
import {
  type ChannelFormValues,
  channelPayload,
  newChannelValues,
  SECRET_FIELDS,
  SETTINGS_DEFAULTS,
  textToHeaders,
  valuesFromChannel,
} from './channelForm';
import { KindIcon } from './KindIcon';

/** Creates a channel (`channel` null) or edits one; the fields follow its kind; secrets are write-only. */
export function ChannelFormDrawer({
  open,
  channel,
  onClose,
}: {
  open: boolean;
  channel: Channel | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const phone = Grid.useBreakpoint().md === false;
  const [form] = Form.useForm<ChannelFormValues>();
  const save = useSaveChannel();
  const [problems, setProblems] = useState<string[]>([]);
  const kind = (Form.useWatch('kind', form) ?? channel?.kind ?? 'email') as ChannelKind;
  const clearing = (Form.useWatch('clearSecrets', form) ?? []) as string[];

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    setProblems([]);
    form.setFieldsValue(channel ? valuesFromChannel(channel) : newChannelValues('email'));
  }, [open, channel, form]);

  const submit = async () => {
    const v = await form.validateFields();
    const { settings, secrets } = channelPayload({ ...v, kind });
    const checked = ChannelSettingsSchema.safeParse({ kind, settings });
    if (!checked.success) {
      setProblems(checked.error.issues.map((i) => `${fieldLabel(i.path.slice(1).join('.'))}: ${i.message}`));
      return;
    }
    const reason = v.reason.trim();
    if (channel) {
      await save.mutateAsync({
        id: channel.id,
        body: { name: v.name.trim(), enabled: v.enabled, settings, secrets, reason },
      });
    } else {
      const body = {
        code: v.code.trim(),
        name: v.name.trim(),
        kind,
        enabled: v.enabled,
        settings,
        secrets,
        reason,
      };
      const parsed = CreateChannelSchema.safeParse(body);
      if (!parsed.success) {
        setProblems(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
        return;
      }
      await save.mutateAsync({ id: null, body });
    }
    setProblems([]);
    void message.success(t('common.saved'));
    onClose();
  };

  const fieldLabel = (name: string) => t(`notify.channel.field.${name}`, { defaultValue: name });
  const setting = (
    name: string,
    input: React.ReactNode,
    opts: { required?: boolean; span?: number; extra?: string; checkbox?: boolean } = {},
  ) => (
    <Col xs={24} sm={opts.span ?? 12} key={name}>
      <Form.Item
        name={['settings', name]}
        label={fieldLabel(name)}
        extra={opts.extra}
        valuePropName={opts.checkbox ? 'checked' : 'value'}
        rules={opts.required ? [{ required: true, whitespace: true }] : undefined}
      >
        {input}
      </Form.Item>
    </Col>
  );
  const isSet = (name: string) => !!channel?.secretsSet.includes(name);
  const secret = (name: string) => (
    <Col xs={24} sm={12} key={`secret-${name}`}>
      <Form.Item
        name={['secrets', name]}
        label={fieldLabel(name)}
        extra={
          t(`notify.channel.secretHint.${kind}.${name}`, { defaultValue: '', vars: '{{secret}}' }) ||
          undefined
        }
      >
        <Input.Password
          autoComplete="new-password"
          maxLength={1000}
          disabled={clearing.includes(name)}
          placeholder={isSet(name) ? t('notify.channel.secretKept') : undefined}
          data-testid={`channel-secret-${name}`}
        />
      </Form.Item>
    </Col>
  );
  const url = (placeholder: string, extra?: string) =>
    setting('url', <Input maxLength={2000} placeholder={placeholder} inputMode="url" />, {
      required: true,
      span: 24,
      extra,
    });
  const number = (name: string, min: number, max: number, suffix?: string) =>
    setting(name, <InputNumber min={min} max={max} suffix={suffix} style={{ width: '100%' }} />);
  const headers = (
    <Col xs={24} key="headers">
      <Form.Item
        name="headersText"
        label={fieldLabel('headers')}
        extra={t('notify.channel.headersHint', { vars: '{{secret}}' })}
        rules={[
          {
            validator: (_, text?: string) => {
              const r = textToHeaders(text ?? '');
              return r.ok
                ? Promise.resolve()
                : Promise.reject(
                    new Error(t('notify.channel.headersInvalid', { lines: r.badLines.join(', ') })),
                  );
            },
          },
        ]}
      >
        <Input.TextArea rows={2} placeholder="X-Api-Key: {{secret}}" style={{ fontFamily: 'monospace' }} />
      </Form.Item>
    </Col>
  );

  const storedSecrets = SECRET_FIELDS[kind].filter(isSet);
  return (
    <Drawer
      open={open}
      onClose={onClose}
      size={phone ? '100%' : 640}
      title={channel ? t('notify.channel.edit', { name: channel.name }) : t('notify.channel.new')}
      data-testid="channel-form"
      extra={<SaveActions saving={save.isPending} onSave={submit} onCancel={onClose} testId="channel-save" />}
    >
      <ProblemsAlert title={t('notify.invalid')} problems={problems} />
      <Form form={form} layout="vertical" name="notify-channel">
        <Row gutter={12}>
          <CodeNameCols
            codeLabel={t('notify.field.code')}
            nameLabel={t('notify.field.name')}
            locked={!!channel}
            span={{ code: { xs: 24, sm: 12 }, name: { xs: 24, sm: 12 } }}
          />
          <Col xs={16} sm={12}>
            <Form.Item name="kind" label={t('notify.channel.field.kind')} rules={[{ required: true }]}>
              <Select
                disabled={!!channel}
                data-testid="channel-kind"
                options={CHANNEL_KINDS.map((k) => ({
                  value: k,
                  label: (
                    <Space size={6}>
                      <KindIcon kind={k} />
                      {t(`notify.kind.${k}`)}
                    </Space>
                  ),
                }))}
                onChange={(k: ChannelKind) => {
                  form.setFieldValue('settings', { ...SETTINGS_DEFAULTS[k] });
                  form.setFieldValue('headersText', '');
                  form.setFieldValue('secrets', {});
                }}
              />
            </Form.Item>
          </Col>
          <Col xs={8} sm={12}>
            <Form.Item name="enabled" label={t('notify.field.enabled')} valuePropName="checked">
              <Switch />
            </Form.Item>
          </Col>
        </Row>
        <Typography.Paragraph type="secondary" style={{ marginTop: -8 }}>
          {t(`notify.channel.about.${kind}`)}{' '}
          {(PERSONAL_CHANNEL_KINDS as readonly string[]).includes(kind)
            ? t('notify.channel.personal')
            : t('notify.channel.group')}
        </Typography.Paragraph>
        <Row gutter={12}>
          {kind === 'email' && [
            setting('host', <Input maxLength={253} placeholder="smtp.example.com" />, { required: true }),
            number('port', 1, 65535),
            setting(
              'security',
              <Select
                options={(['starttls', 'tls', 'none'] as const).map((v) => ({
                  value: v,
                  label: t(`notify.channel.security.${v}`),
                }))}
              />,
            ),
            setting('from', <Input maxLength={320} placeholder="Aegis <aegis@example.com>" />, {
              required: true,
            }),
            setting('username', <Input maxLength={320} autoComplete="off" />),
            secret('password'),
            setting('allowSelfSigned', <Switch />, {
              checkbox: true,
              extra: t('notify.channel.selfSignedHint'),
            }),
          ]}
          {(kind === 'wecom' || kind === 'dingtalk' || kind === 'feishu') && [
            url(SETTINGS_DEFAULTS[kind].url as string, t(`notify.channel.urlHint.${kind}`)),
            ...SECRET_FIELDS[kind].map(secret),
          ]}
          {kind === 'webhook' && [
            url('https://erp.example.com/aegis/hook'),
            number('timeoutMs', 500, 60000, 'ms'),
            headers,
            ...SECRET_FIELDS.webhook.map(secret),
          ]}
          {kind === 'sms' && [
            setting(
              'method',
              <Select options={['POST', 'GET', 'PUT'].map((v) => ({ value: v, label: v }))} />,
            ),
            setting(
              'contentType',
              <Select
                options={['application/json', 'application/x-www-form-urlencoded', 'text/plain'].map((v) => ({
                  value: v,
                  label: v,
                }))}
              />,
            ),
            url(
              'https://sms.example.com/send?to={{phone}}',
              t('notify.channel.smsUrlHint', { vars: '{{phone}}, {{text}}' }),
            ),
            setting(
              'bodyTemplate',
              <Input.TextArea rows={3} maxLength={4000} style={{ fontFamily: 'monospace' }} />,
              {
                span: 24,
                extra: t('notify.channel.bodyTemplateHint', { vars: '{{phone}}, {{text}}, {{secret}}' }),
              },
            ),
            headers,
            number('timeoutMs', 500, 60000, 'ms'),
            secret('secret'),
          ]}
          {storedSecrets.length > 0 && (
            <Col xs={24}>
              <Form.Item name="clearSecrets" label={t('notify.channel.clearSecrets')}>
                <Checkbox.Group options={storedSecrets.map((s) => ({ value: s, label: fieldLabel(s) }))} />
              </Form.Item>
            </Col>
          )}
        </Row>
        <ReasonField />
      </Form>
    </Drawer>
  );
}
