import { type ConnectorKind, CreateTagSchema, STORAGE_COMPRESSIONS, TAG_TYPES } from '@aegis/shared';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  App,
  Button,
  Col,
  Divider,
  Drawer,
  Form,
  Grid,
  Input,
  InputNumber,
  Row,
  Select,
  Space,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { canAnywhere, useMe } from '../../app/auth';
import { ProblemsAlert, SaveActions } from '../../app/FormParts';
import { ReasonField } from '../../app/ReasonField';
import { connectorsQuery } from '../connectors/api';
import { PlantNodeSelect } from '../plant/PlantNodeSelect';
import { type TagRow, useCreateTag, useUpdateTag } from './api';
import {
  bodyFromValues,
  DEFAULT_CONNECTION,
  SOURCE_KINDS,
  type SourceKind,
  type TagFormValues,
  valuesFromTag,
} from './source';

/**
 * Creates a tag (`tag` null) or edits one: identity, range, state labels, the source binding
 * (fields follow the source kind) and storage settings. A reason is required and audited.
 */
export function TagFormDrawer({
  open,
  tag,
  defaultEquipmentId,
  onClose,
}: {
  open: boolean;
  tag: TagRow | null;
  defaultEquipmentId?: number | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { data: me } = useMe();
  const phone = Grid.useBreakpoint().md === false;
  const [form] = Form.useForm<TagFormValues>();
  const create = useCreateTag();
  const update = useUpdateTag();
  const [problems, setProblems] = useState<string[]>([]);
  const type = Form.useWatch('type', form);
  const kind = Form.useWatch(['source', 'kind'], form) as SourceKind | undefined;
  const compression = Form.useWatch('storageCompression', form);
  // Only to offer a pick list: without it the id is typed, so a failure is not worth a message.
  const connectors = useQuery({
    ...connectorsQuery,
    enabled: open && canAnywhere(me, 'connector.manage'),
    meta: { silent: true },
  });

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    setProblems([]);
    form.setFieldsValue(
      tag
        ? valuesFromTag(tag)
        : {
            equipmentId: defaultEquipmentId ?? undefined,
            type: 'number',
            unit: '',
            states: [],
            source: {
              kind: 'http',
              path: '$',
              connectorId: DEFAULT_CONNECTION,
              samplingIntervalMs: 1000,
              unitId: 1,
              area: 'holding',
              dataType: 'int16',
              scale: 1,
              offset: 0,
              wordOrder: 'big',
            },
            storageDeadband: 0,
            heartbeatS: 60,
            storageCompression: 'none',
            storageDeviation: null,
          },
    );
  }, [open, tag, defaultEquipmentId, form]);

  const submit = async () => {
    const v = await form.validateFields();
    const body = bodyFromValues(v);
    const reason = v.reason?.trim() ?? '';
    const parsed = CreateTagSchema.safeParse({ ...body, reason });
    if (!parsed.success) {
      setProblems(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
      return;
    }
    setProblems([]);
    if (tag) {
      // Only what changed: an unchanged source must not restart the connector's subscription.
      const before = bodyFromValues(valuesFromTag(tag));
      const changes = Object.fromEntries(
        Object.entries(body).filter(
          ([k, val]) => JSON.stringify(val) !== JSON.stringify(before[k as keyof typeof before]),
        ),
      );
      if (Object.keys(changes).length === 0) {
        void message.info(t('tags.noChanges'));
        return;
      }
      await update.mutateAsync({ id: tag.id, ...changes, reason });
    } else {
      await create.mutateAsync({ ...body, reason });
    }
    void message.success(t('common.saved'));
    onClose();
  };

  const connectorOptions = (kinds: ConnectorKind[], withDefault: boolean) => [
    ...(withDefault ? [{ value: DEFAULT_CONNECTION, label: t('tags.source.defaultConnection') }] : []),
    ...(connectors.data ?? [])
      .filter((c) => c.id !== null && kinds.includes(c.kind))
      .map((c) => ({ value: c.id!, label: `${c.name} (${c.code})` })),
  ];
  const connectorField = (kinds: ConnectorKind[], withDefault: boolean) => (
    <Col xs={24} sm={12}>
      <Form.Item
        name={['source', 'connectorId']}
        label={t('tags.source.connector')}
        rules={withDefault ? undefined : [{ required: true }, { type: 'number', min: 1 }]}
      >
        {connectors.data ? (
          <Select options={connectorOptions(kinds, withDefault)} />
        ) : (
          <InputNumber
            min={withDefault ? 0 : 1}
            style={{ width: '100%' }}
            placeholder={withDefault ? t('tags.source.defaultHint') : 'ID'}
          />
        )}
      </Form.Item>
    </Col>
  );
  const text = (name: string, label: string, required = false, placeholder?: string, extra?: string) => (
    <Col xs={24} sm={12}>
      <Form.Item
        name={['source', name]}
        label={label}
        extra={extra}
        rules={required ? [{ required: true, whitespace: true }] : undefined}
      >
        <Input maxLength={500} placeholder={placeholder} />
      </Form.Item>
    </Col>
  );
  const num = (
    name: string,
    label: string,
    opts: { min?: number; max?: number; required?: boolean; step?: number } = {},
  ) => (
    <Col xs={12} sm={6}>
      <Form.Item
        name={['source', name]}
        label={label}
        rules={opts.required ? [{ required: true }] : undefined}
      >
        <InputNumber min={opts.min} max={opts.max} step={opts.step} style={{ width: '100%' }} />
      </Form.Item>
    </Col>
  );
  const pick = (name: string, label: string, values: readonly string[]) => (
    <Col xs={12} sm={6}>
      <Form.Item name={['source', name]} label={label}>
        <Select options={values.map((v) => ({ value: v, label: v }))} />
      </Form.Item>
    </Col>
  );

  return (
    <Drawer
      open={open}
      onClose={onClose}
      size={phone ? '100%' : 720}
      title={tag ? t('tags.edit', { code: tag.code }) : t('tags.new')}
      data-testid="tag-form"
      extra={
        <SaveActions
          saving={create.isPending || update.isPending}
          onSave={submit}
          onCancel={onClose}
          testId="tag-save"
        />
      }
    >
      <ProblemsAlert title={t('tags.invalid')} problems={problems} />
      <Form form={form} layout="vertical" name="tag">
        <Row gutter={12}>
          <Col xs={24}>
            <Form.Item name="equipmentId" label={t('tags.field.equipment')} rules={[{ required: true }]}>
              <PlantNodeSelect levels={['equipment']} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="code"
              label={t('tags.field.code')}
              rules={[
                { required: true },
                { pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, message: t('plant.codeHint') },
              ]}
            >
              <Input maxLength={64} />
            </Form.Item>
          </Col>
          <Col xs={12} sm={6}>
            <Form.Item name="type" label={t('tags.field.type')} rules={[{ required: true }]}>
              <Select options={TAG_TYPES.map((x) => ({ value: x, label: t(`tags.type.${x}`) }))} />
            </Form.Item>
          </Col>
          <Col xs={12} sm={6}>
            <Form.Item name="unit" label={t('tags.field.unit')}>
              <Input maxLength={32} placeholder="°C, MPa, rpm" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="nameZh"
              label={t('tags.field.nameZh')}
              rules={[{ required: true, whitespace: true }]}
            >
              <Input maxLength={200} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="nameEn"
              label={t('tags.field.nameEn')}
              rules={[{ required: true, whitespace: true }]}
            >
              <Input maxLength={200} />
            </Form.Item>
          </Col>
          {type === 'number' && (
            <>
              <Col xs={12}>
                <Form.Item name="engLow" label={t('tags.field.engLow')}>
                  <InputNumber style={{ width: '100%' }} />
                </Form.Item>
              </Col>
              <Col xs={12}>
                <Form.Item
                  name="engHigh"
                  label={t('tags.field.engHigh')}
                  dependencies={['engLow']}
                  rules={[
                    ({ getFieldValue }) => ({
                      validator: (_, v?: number | null) => {
                        const low = getFieldValue('engLow') as number | null | undefined;
                        return v === null || v === undefined || low === null || low === undefined || low < v
                          ? Promise.resolve()
                          : Promise.reject(new Error(t('tags.rangeInvalid')));
                      },
                    }),
                  ]}
                >
                  <InputNumber style={{ width: '100%' }} />
                </Form.Item>
              </Col>
            </>
          )}
        </Row>
        {type === 'state' && (
          <>
            <Typography.Text strong>{t('tags.field.states')}</Typography.Text>
            <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
              {t('tags.statesHint')}
            </Typography.Paragraph>
            <Form.List name="states">
              {(fields, { add, remove }) => (
                <>
                  {fields.map((f) => (
                    <Space key={f.key} align="baseline" style={{ display: 'flex' }}>
                      <Form.Item name={[f.name, 'raw']} rules={[{ required: true, whitespace: true }]}>
                        <Input placeholder={t('tags.stateRaw')} style={{ width: 100 }} maxLength={32} />
                      </Form.Item>
                      <Form.Item name={[f.name, 'label']} rules={[{ required: true, whitespace: true }]}>
                        <Input placeholder={t('tags.stateLabel')} maxLength={64} />
                      </Form.Item>
                      <MinusCircleOutlined aria-label={t('common.delete')} onClick={() => remove(f.name)} />
                    </Space>
                  ))}
                  <Button
                    type="dashed"
                    icon={<PlusOutlined />}
                    onClick={() => add({})}
                    style={{ marginBottom: 16 }}
                  >
                    {t('tags.addState')}
                  </Button>
                </>
              )}
            </Form.List>
          </>
        )}

        <Divider titlePlacement="start" plain>
          {t('tags.field.source')}
        </Divider>
        <Row gutter={12}>
          <Col xs={24} sm={12}>
            <Form.Item name={['source', 'kind']} label={t('tags.source.kind')} rules={[{ required: true }]}>
              <Select options={SOURCE_KINDS.map((k) => ({ value: k, label: t(`tags.sourceKind.${k}`) }))} />
            </Form.Item>
          </Col>
          {kind === 'mqtt' && (
            <>
              {connectorField(['mqtt'], true)}
              {text(
                'topic',
                t('tags.source.topic'),
                true,
                'plant/press1/telemetry',
                t('tags.source.topicHint'),
              )}
              {text('path', t('tags.source.path'), false, '$', t('tags.source.pathHint'))}
              {text('timestampPath', t('tags.source.timestampPath'), false, 'ts')}
              {text(
                'commandTopic',
                t('tags.source.commandTopic'),
                false,
                'plant/press1/cmd',
                t('tags.source.commandTopicHint'),
              )}
            </>
          )}
          {kind === 'sparkplug' && (
            <>
              {connectorField(['mqtt'], true)}
              {text('group', t('tags.source.group'), true)}
              {text('edgeNode', t('tags.source.edgeNode'), true)}
              {text('device', t('tags.source.device'), false)}
              {text('metric', t('tags.source.metric'), true)}
            </>
          )}
          {kind === 'opcua' && (
            <>
              {connectorField(['opcua'], false)}
              {text('nodeId', t('tags.source.nodeId'), true, 'ns=2;s=Press1.Pressure')}
              {num('samplingIntervalMs', t('tags.source.samplingIntervalMs'), { min: 0, max: 3_600_000 })}
            </>
          )}
          {kind === 'modbus' && (
            <>
              {connectorField(['modbus'], false)}
              {num('unitId', t('tags.source.unitId'), { min: 0, max: 255 })}
              {pick('area', t('tags.source.area'), ['holding', 'input', 'coil', 'discrete'])}
              {num('address', t('tags.source.address'), { min: 0, max: 65535, required: true })}
              {pick('dataType', t('tags.source.dataType'), [
                'int16',
                'uint16',
                'int32',
                'uint32',
                'float32',
                'bool',
              ])}
              {num('scale', t('tags.source.scale'), { step: 0.1 })}
              {num('offset', t('tags.source.offset'))}
              {pick('wordOrder', t('tags.source.wordOrder'), ['big', 'little'])}
            </>
          )}
          {kind === 'http' && (
            <Col xs={24}>
              <Typography.Paragraph type="secondary">{t('tags.source.httpHint')}</Typography.Paragraph>
            </Col>
          )}
        </Row>

        <Divider titlePlacement="start" plain>
          {t('tags.storage')}
        </Divider>
        <Row gutter={12}>
          <Col xs={12}>
            <Form.Item
              name="storageDeadband"
              label={t('tags.field.storageDeadband')}
              extra={t('tags.storageDeadbandHint')}
            >
              <InputNumber min={0} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col xs={12}>
            <Form.Item name="heartbeatS" label={t('tags.field.heartbeat')} extra={t('tags.heartbeatHint')}>
              <InputNumber min={0} max={86400} suffix={t('rules.unit.s')} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          {type === 'number' && (
            <>
              <Col xs={12}>
                <Form.Item
                  name="storageCompression"
                  label={t('tags.field.storageCompression')}
                  extra={t('tags.storageCompressionHint')}
                >
                  <Select
                    options={STORAGE_COMPRESSIONS.map((c) => ({
                      value: c,
                      label: t(`tags.compression.${c}`),
                    }))}
                  />
                </Form.Item>
              </Col>
              {compression === 'swinging_door' && (
                <Col xs={12}>
                  <Form.Item
                    name="storageDeviation"
                    label={t('tags.field.storageDeviation')}
                    extra={t('tags.storageDeviationHint')}
                    rules={[{ required: true, message: t('tags.deviationRequired') }]}
                  >
                    <InputNumber min={0} style={{ width: '100%' }} />
                  </Form.Item>
                </Col>
              )}
            </>
          )}
        </Row>
        <ReasonField />
      </Form>
    </Drawer>
  );
}
