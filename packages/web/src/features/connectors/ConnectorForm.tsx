import { CONNECTOR_KINDS, type Connector, type ConnectorKind, CreateConnectorSchema } from '@aegis/shared';
import { App, Checkbox, Col, Drawer, Form, Grid, Input, InputNumber, Row, Select, Switch } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CodeNameCols, ProblemsAlert, SaveActions } from '../../app/FormParts';
import { ReasonField } from '../../app/ReasonField';
import { useCreateConnector, useUpdateConnector } from './api';

interface Values {
  code?: string;
  name?: string;
  kind?: ConnectorKind;
  enabled?: boolean;
  config?: Record<string, unknown>;
  reason?: string;
}

const DEFAULTS: Record<ConnectorKind, Record<string, unknown>> = {
  mqtt: { url: 'mqtt://', sparkplug: true },
  opcua: {
    endpointUrl: 'opc.tcp://',
    securityMode: 'None',
    securityPolicy: 'None',
    publishingIntervalMs: 500,
  },
  modbus: { port: 502, pollIntervalMs: 1000, timeoutMs: 2000 },
};

/** Empty strings become "not set", so optional fields stay out of the config. */
function cleanConfig(config: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config ?? {})
      .map(([k, v]) => [k, typeof v === 'string' ? v.trim() : v] as const)
      .filter(([, v]) => v !== '' && v !== undefined && v !== null),
  );
}

/** Creates a connector (`connector` null) or edits one; the fields follow its kind. Passwords are write-only. */
export function ConnectorFormDrawer({
  open,
  connector,
  onClose,
}: {
  open: boolean;
  connector: Connector | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const phone = Grid.useBreakpoint().md === false;
  const [form] = Form.useForm<Values>();
  const create = useCreateConnector();
  const update = useUpdateConnector();
  const [problems, setProblems] = useState<string[]>([]);
  const [clearPassword, setClearPassword] = useState(false);
  const kind = (Form.useWatch('kind', form) ?? connector?.kind ?? 'mqtt') as ConnectorKind;

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    setProblems([]);
    setClearPassword(false);
    form.setFieldsValue(
      connector
        ? {
            code: connector.code,
            name: connector.name,
            kind: connector.kind,
            enabled: connector.enabled,
            config: connector.config,
          }
        : { kind: 'mqtt', enabled: true, config: DEFAULTS.mqtt },
    );
  }, [open, connector, form]);

  const submit = async () => {
    const v = await form.validateFields();
    const config = cleanConfig(v.config);
    // A password left empty keeps the stored one; removing it is said explicitly.
    if (connector?.hasPassword && clearPassword) config.password = null;
    const reason = v.reason?.trim() ?? '';
    if (connector) {
      await update.mutateAsync({
        id: connector.id!,
        name: v.name?.trim(),
        enabled: v.enabled,
        config,
        reason,
      });
    } else {
      const body = {
        code: v.code?.trim() ?? '',
        name: v.name?.trim() ?? '',
        enabled: v.enabled ?? true,
        kind,
        config,
        reason,
      };
      const parsed = CreateConnectorSchema.safeParse(body);
      if (!parsed.success) {
        setProblems(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
        return;
      }
      await create.mutateAsync(body as Parameters<typeof create.mutateAsync>[0]);
    }
    setProblems([]);
    void message.success(t('common.saved'));
    onClose();
  };

  const field = (
    name: string,
    label: string,
    input: React.ReactNode,
    opts: { required?: boolean; span?: number; extra?: string } = {},
  ) => (
    <Col xs={24} sm={opts.span ?? 12}>
      <Form.Item
        name={['config', name]}
        label={label}
        extra={opts.extra}
        rules={opts.required ? [{ required: true }] : undefined}
      >
        {input}
      </Form.Item>
    </Col>
  );
  const password = (
    <Input.Password
      autoComplete="new-password"
      maxLength={500}
      disabled={clearPassword}
      placeholder={connector?.hasPassword ? t('connectors.passwordKept') : undefined}
    />
  );
  const clearPasswordBox = connector?.hasPassword ? (
    <Col xs={24} sm={12}>
      <Form.Item label=" " colon={false}>
        <Checkbox
          checked={clearPassword}
          onChange={(e) => setClearPassword(e.target.checked)}
          data-testid="connector-clear-password"
        >
          {t('connectors.clearPassword')}
        </Checkbox>
      </Form.Item>
    </Col>
  ) : null;

  return (
    <Drawer
      open={open}
      onClose={onClose}
      size={phone ? '100%' : 640}
      title={connector ? t('connectors.edit', { code: connector.code }) : t('connectors.new')}
      data-testid="connector-form"
      extra={
        <SaveActions
          saving={create.isPending || update.isPending}
          onSave={submit}
          onCancel={onClose}
          testId="connector-save"
        />
      }
    >
      <ProblemsAlert title={t('connectors.invalid')} problems={problems} />
      <Form form={form} layout="vertical" name="connector">
        <Row gutter={12}>
          <CodeNameCols
            codeLabel={t('connectors.field.code')}
            nameLabel={t('connectors.field.name')}
            locked={!!connector}
            span={{ code: { xs: 24, sm: 12 }, name: { xs: 24, sm: 12 } }}
          />
          <Col xs={16} sm={12}>
            <Form.Item name="kind" label={t('connectors.field.kind')} rules={[{ required: true }]}>
              <Select
                disabled={!!connector}
                options={CONNECTOR_KINDS.map((k) => ({ value: k, label: t(`connectors.kind.${k}`) }))}
                onChange={(k: ConnectorKind) => form.setFieldValue('config', DEFAULTS[k])}
              />
            </Form.Item>
          </Col>
          <Col xs={8} sm={12}>
            <Form.Item name="enabled" label={t('connectors.field.enabled')} valuePropName="checked">
              <Switch />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={12}>
          {kind === 'mqtt' && (
            <>
              {field(
                'url',
                t('connectors.config.url'),
                <Input placeholder="mqtt://broker:1883" maxLength={500} />,
                {
                  required: true,
                  span: 24,
                  extra: t('connectors.urlCredentialsHint'),
                },
              )}
              {field('clientId', t('connectors.config.clientId'), <Input maxLength={200} />)}
              {field(
                'username',
                t('connectors.config.username'),
                <Input maxLength={200} autoComplete="off" />,
              )}
              {field('password', t('connectors.config.password'), password)}
              {clearPasswordBox}
              <Col xs={24} sm={12}>
                <Form.Item
                  name={['config', 'sparkplug']}
                  label={t('connectors.config.sparkplug')}
                  valuePropName="checked"
                  extra={t('connectors.config.sparkplugHint')}
                >
                  <Switch />
                </Form.Item>
              </Col>
            </>
          )}
          {kind === 'opcua' && (
            <>
              {field(
                'endpointUrl',
                t('connectors.config.endpointUrl'),
                <Input placeholder="opc.tcp://host:4840" maxLength={500} />,
                {
                  required: true,
                  span: 24,
                  extra: t('connectors.urlCredentialsHint'),
                },
              )}
              {field(
                'securityMode',
                t('connectors.config.securityMode'),
                <Select options={['None', 'Sign', 'SignAndEncrypt'].map((v) => ({ value: v, label: v }))} />,
              )}
              {field(
                'securityPolicy',
                t('connectors.config.securityPolicy'),
                <Select
                  options={['None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'].map(
                    (v) => ({
                      value: v,
                      label: v,
                    }),
                  )}
                />,
              )}
              {field(
                'username',
                t('connectors.config.username'),
                <Input maxLength={200} autoComplete="off" />,
              )}
              {field('password', t('connectors.config.password'), password)}
              {clearPasswordBox}
              {field(
                'publishingIntervalMs',
                t('connectors.config.publishingIntervalMs'),
                <InputNumber min={50} max={60000} suffix="ms" style={{ width: '100%' }} />,
              )}
            </>
          )}
          {kind === 'modbus' && (
            <>
              {field(
                'host',
                t('connectors.config.host'),
                <Input placeholder="192.168.1.10" maxLength={255} />,
                { required: true },
              )}
              {field(
                'port',
                t('connectors.config.port'),
                <InputNumber min={1} max={65535} style={{ width: '100%' }} />,
              )}
              {field(
                'pollIntervalMs',
                t('connectors.config.pollIntervalMs'),
                <InputNumber min={50} max={3600000} suffix="ms" style={{ width: '100%' }} />,
              )}
              {field(
                'timeoutMs',
                t('connectors.config.timeoutMs'),
                <InputNumber min={100} max={60000} suffix="ms" style={{ width: '100%' }} />,
              )}
            </>
          )}
        </Row>
        <ReasonField />
      </Form>
    </Drawer>
  );
}
