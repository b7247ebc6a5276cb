import {
  PERMIT_APPROVAL_LEVEL_LABELS,
  PERMIT_RAISE_REASON_LABELS,
  PERMIT_STATES,
  PERMIT_TERMINAL_STATES,
  PERMIT_TYPE_GRADES,
  PERMIT_TYPE_LABELS,
  PERMIT_TYPES,
  type PermitDraft,
  type PermitGasTagInput,
  type PermitPreview,
  type PermitType,
} from '@aegis/shared';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Col,
  DatePicker,
  Empty,
  Flex,
  Form,
  Input,
  InputNumber,
  Radio,
  Row,
  Select,
  Space,
  Spin,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useLocalName } from '../../app/i18n';
import { plantNodesQuery } from '../plant/api';
import { PlantNodeSelect } from '../plant/PlantNodeSelect';
import {
  gasTagCandidatesQuery,
  permitQuery,
  permitRulesQuery,
  permitsQuery,
  previewPermit,
  useSavePermit,
} from './api';
import { hoursBetween } from './board';
import { PersonSelect } from './PersonSelect';
import { GradeTag, gradeWord, refusalText, typeWord, word, words } from './parts';
import {
  CERTIFICATE_TYPES,
  fromDetail,
  initialValues,
  type PermitFormValues,
  previewable,
  toDraft,
} from './permitForm';

/** 申请作业票: the type first, then the standard's form for it; saved as a draft, submitted (signed) on its page. */
export function PermitNewPage() {
  const { t } = useTranslation();
  const [sp, setSp] = useSearchParams();
  const editId = sp.get('edit') ? Number(sp.get('edit')) : null;
  const draft = useQuery({ ...permitQuery(editId ?? 0), enabled: editId !== null, refetchInterval: false });
  const type = (editId !== null ? draft.data?.type : (sp.get('type') as PermitType | null)) ?? null;

  if (editId !== null) {
    if (draft.isLoading) return <Spin />;
    if (!draft.data) return <Empty description={draft.error ? refusalText(t, draft.error) : undefined} />;
    return <PermitForm type={draft.data.type} editId={editId} initial={fromDetail(draft.data)} />;
  }
  if (!type || !PERMIT_TYPES.includes(type)) {
    return (
      <Card title={t('permit.new.pickType')} style={{ maxWidth: 960 }} data-testid="permit-type-picker">
        <Row gutter={[8, 8]}>
          {PERMIT_TYPES.map((x) => (
            <Col key={x} xs={12} sm={8} md={6}>
              <Button
                block
                style={{ height: 56, whiteSpace: 'normal' }}
                onClick={() => setSp({ type: x })}
                data-testid={`permit-type-${x}`}
              >
                {word(PERMIT_TYPE_LABELS, x)}
              </Button>
            </Col>
          ))}
        </Row>
      </Card>
    );
  }
  return <PermitForm key={type} type={type} editId={null} initial={initialValues(type)} />;
}

function PermitForm({
  type,
  editId,
  initial,
}: {
  type: PermitType;
  editId: number | null;
  initial: PermitFormValues;
}) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [form] = Form.useForm<PermitFormValues>();
  const save = useSavePermit();
  const rules = useQuery(permitRulesQuery);
  const [error, setError] = useState<string | null>(null);
  const values = Form.useWatch([], { form, preserve: true }) as PermitFormValues | undefined;
  const draft = useMemo(() => toDraft(type, values ?? initial), [type, values, initial]);
  const preview = usePreview(draft);
  const required = [{ required: true, message: t('permit.form.required') }];
  const needsGas = rules.data?.rules.some((r) => r.type === type && r.needsGasAnalysis) ?? false;
  const certificates = CERTIFICATE_TYPES.includes(type);
  const rule = preview.data?.rule;
  const hours = draft.validFrom && draft.validTo ? hoursBetween(draft.validFrom, draft.validTo) : null;

  const submit = async () => {
    setError(null);
    try {
      await form.validateFields();
    } catch {
      return;
    }
    try {
      const saved = await save.mutateAsync({ id: editId, draft: toDraft(type, form.getFieldsValue(true)) });
      void navigate(`/permits/${saved.id}`);
    } catch (e) {
      setError(refusalText(t, e));
    }
  };

  return (
    <Flex vertical gap={12} style={{ maxWidth: 960 }} data-testid="permit-form">
      <Link to={editId ? `/permits/${editId}` : '/permits/new'}>
        ← {editId ? t('permit.new.backToPermit') : t('permit.new.otherType')}
      </Link>
      <Typography.Title level={4} style={{ margin: 0 }}>
        {editId
          ? t('permit.new.editTitle', { type: typeWord(type) })
          : t('permit.new.title', { type: typeWord(type) })}
      </Typography.Title>
      <Form<PermitFormValues>
        form={form}
        layout="vertical"
        initialValues={initial}
        name="permit"
        scrollToFirstError
      >
        <Card size="small" title={t('permit.section.basic')} style={{ marginBottom: 12 }}>
          <Row gutter={12}>
            <Col xs={24} md={16}>
              <Form.Item
                name="title"
                label={t('permit.field.title')}
                rules={[{ ...required[0], whitespace: true }]}
              >
                <Input maxLength={200} placeholder={t('permit.field.titlePh')} data-testid="permit-title" />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item
                name="applicantUnit"
                label={t('permit.field.applicantUnit')}
                rules={[{ ...required[0], whitespace: true }]}
              >
                <Input maxLength={200} data-testid="permit-unit" />
              </Form.Item>
            </Col>
            {type === 'hot_work' && (
              <Col xs={24}>
                <Form.Item name="grade" label={t('permit.field.grade')} rules={required}>
                  <Radio.Group
                    optionType="button"
                    options={PERMIT_TYPE_GRADES.hot_work.map((g) => ({ value: g, label: gradeWord(g) }))}
                    data-testid="permit-grade-picker"
                  />
                </Form.Item>
              </Col>
            )}
            <Col xs={24} md={12}>
              <Form.Item name="locationId" label={t('permit.field.location')} rules={required}>
                <PlantNodeSelect id="permit-location" />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="equipmentIds" label={t('permit.field.equipment')}>
                <EquipmentSelect locationId={values?.locationId ?? null} />
              </Form.Item>
            </Col>
            <Col xs={24} md={16}>
              <Form.Item
                name="window"
                label={t('permit.field.window')}
                rules={required}
                extra={
                  rule && (
                    <span data-testid="permit-max-validity">
                      {t('permit.form.maxValidity', { hours: rule.maxValidityHours })}
                      {hours !== null && ` · ${t('permit.form.chosenHours', { hours })}`}
                    </span>
                  )
                }
                validateStatus={rule && hours !== null && hours > rule.maxValidityHours ? 'error' : undefined}
              >
                <DatePicker.RangePicker
                  showTime={{ format: 'HH:mm' }}
                  format="YYYY-MM-DD HH:mm"
                  inputReadOnly
                  allowClear={false}
                  style={{ width: '100%' }}
                  data-testid="permit-window"
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name="windLevel" label={t('permit.field.windLevel')}>
                <InputNumber min={0} max={17} style={{ width: '100%' }} data-testid="permit-wind" />
              </Form.Item>
            </Col>
          </Row>
        </Card>

        <Card
          size="small"
          title={t('permit.section.typeFields', { type: typeWord(type) })}
          style={{ marginBottom: 12 }}
        >
          <TypeFields type={type} />
        </Card>

        <Card size="small" title={t('permit.section.people')} style={{ marginBottom: 12 }}>
          <Row gutter={12}>
            {(
              [
                ['personInChargeId', 'personInCharge', true],
                ['watcherId', 'watcher', true],
                ['brieferId', 'briefer', true],
                ['acceptorId', 'acceptor', true],
                ['analystId', 'analyst', false],
              ] as const
            )
              .filter(([name]) => name !== 'analystId' || needsGas)
              .map(([name, label, must]) => (
                <Col key={name} xs={24} sm={12} md={8}>
                  <Form.Item
                    name={name}
                    label={t(`permit.field.${label}`)}
                    rules={must ? required : []}
                    extra={name === 'analystId' ? t('permit.form.analystHint') : undefined}
                  >
                    <PersonSelect id={`permit-${label}`} />
                  </Form.Item>
                </Col>
              ))}
          </Row>
          <Typography.Text strong>{t('permit.field.workers')}</Typography.Text>
          <Form.List name="workers">
            {(fields, { add, remove }) => (
              <Flex vertical gap={8} style={{ marginTop: 8 }}>
                {fields.map((f, i) => (
                  <Row key={f.key} gutter={8} align="top" data-testid={`permit-worker-${i}`}>
                    <Col xs={12} md={7}>
                      <Form.Item
                        name={[f.name, 'name']}
                        rules={[{ ...required[0], whitespace: true }]}
                        style={{ marginBottom: 8 }}
                      >
                        <Input
                          placeholder={t('permit.field.workerName')}
                          maxLength={100}
                          data-testid={`permit-worker-${i}-name`}
                        />
                      </Form.Item>
                    </Col>
                    <Col xs={12} md={7}>
                      <Form.Item name={[f.name, 'userId']} style={{ marginBottom: 8 }}>
                        <PersonSelect id={`permit-worker-${i}-user`} />
                      </Form.Item>
                    </Col>
                    <Col xs={20} md={8}>
                      <Form.Item
                        name={[f.name, 'certificateNo']}
                        rules={
                          certificates
                            ? [
                                {
                                  ...required[0],
                                  whitespace: true,
                                  message: t('permit.form.certificateRequired'),
                                },
                              ]
                            : []
                        }
                        style={{ marginBottom: 8 }}
                      >
                        <Input
                          placeholder={t('permit.field.certificateNo')}
                          maxLength={100}
                          data-testid={`permit-worker-${i}-cert`}
                        />
                      </Form.Item>
                    </Col>
                    <Col xs={4} md={2}>
                      <Button
                        icon={<DeleteOutlined />}
                        aria-label={t('common.delete')}
                        disabled={fields.length === 1}
                        onClick={() => remove(f.name)}
                      />
                    </Col>
                  </Row>
                ))}
                <Button
                  icon={<PlusOutlined />}
                  onClick={() => add({ name: '', userId: null, certificateNo: '' })}
                  data-testid="permit-worker-add"
                >
                  {t('permit.form.addWorker')}
                </Button>
                {certificates && (
                  <Typography.Text type="secondary">{t('permit.form.certificateHint')}</Typography.Text>
                )}
              </Flex>
            )}
          </Form.List>
        </Card>

        <Card size="small" title={t('permit.section.risks')} style={{ marginBottom: 12 }}>
          <Form.List name="risks">
            {(fields, { add, remove }) => (
              <Flex vertical gap={8}>
                {fields.map((f, i) => (
                  <Flex key={f.key} gap={8}>
                    <Form.Item name={f.name} style={{ flex: 1, marginBottom: 0 }}>
                      <Input
                        maxLength={500}
                        placeholder={t('permit.field.riskPh')}
                        data-testid={`permit-risk-${i}`}
                      />
                    </Form.Item>
                    <Button
                      icon={<DeleteOutlined />}
                      aria-label={t('common.delete')}
                      onClick={() => remove(f.name)}
                    />
                  </Flex>
                ))}
                <Button icon={<PlusOutlined />} onClick={() => add('')} data-testid="permit-risk-add">
                  {t('permit.form.addRisk')}
                </Button>
              </Flex>
            )}
          </Form.List>
        </Card>

        <Card size="small" title={t('permit.section.measures')} style={{ marginBottom: 12 }}>
          <MeasuresField />
        </Card>

        {(needsGas || (rule?.continuousMonitoring ?? false)) && (
          <Card size="small" title={t('permit.section.gasTags')} style={{ marginBottom: 12 }}>
            <Form.Item
              name="gasTags"
              extra={
                rule?.continuousMonitoring ? t('permit.form.gasTagsRequired') : t('permit.form.gasTagsHint')
              }
              style={{ marginBottom: 0 }}
            >
              <GasTagPicker locationId={values?.locationId ?? null} />
            </Form.Item>
          </Card>
        )}

        <Card size="small" title={t('permit.section.links')} style={{ marginBottom: 12 }}>
          <Form.Item name="linkedPermitIds" label={t('permit.field.linked')} style={{ marginBottom: 0 }}>
            <LinkedPermitSelect excludeId={editId} />
          </Form.Item>
        </Card>
      </Form>

      <PreviewCard preview={preview.data} error={preview.error} pending={!previewable(draft)} />

      {error && <Alert type="error" showIcon title={error} data-testid="permit-form-error" />}
      <Button
        type="primary"
        block
        size="large"
        loading={save.isPending}
        onClick={() => void submit()}
        data-testid="permit-save"
      >
        {t('permit.form.saveDraft')}
      </Button>
      <Typography.Text type="secondary">{t('permit.form.saveHint')}</Typography.Text>
    </Flex>
  );
}

/** Asks the server what submit would say (grade, validity, approvers, conflicts), half a second after typing stops. */
function usePreview(draft: PermitDraft) {
  const key = JSON.stringify(draft);
  const [debounced, setDebounced] = useState(key);
  useEffect(() => {
    const id = setTimeout(() => setDebounced(key), 500);
    return () => clearTimeout(id);
  }, [key]);
  const ready = previewable(JSON.parse(debounced) as PermitDraft);
  return useQuery({
    queryKey: ['permits', 'preview', debounced],
    queryFn: () => previewPermit(JSON.parse(debounced) as PermitDraft),
    enabled: ready,
    retry: false,
    staleTime: 60_000,
    placeholderData: (prev) => prev,
    meta: { silent: true },
  });
}

function PreviewCard({
  preview,
  error,
  pending,
}: {
  preview: PermitPreview | undefined;
  error: unknown;
  pending: boolean;
}) {
  const { t } = useTranslation();
  return (
    <Card size="small" title={t('permit.preview.title')} data-testid="permit-preview">
      {pending && !preview && (
        <Typography.Text type="secondary">{t('permit.preview.pending')}</Typography.Text>
      )}
      {!!error && (
        <Alert type="warning" showIcon title={refusalText(t, error)} data-testid="permit-preview-error" />
      )}
      {preview && (
        <Flex vertical gap={8}>
          <Space wrap>
            <span>{t('permit.field.grade')}：</span>
            <GradeTag requested={preview.requestedGrade} effective={preview.effectiveGrade} />
            {preview.effectiveGrade === 'none' && <span>—</span>}
            {preview.raiseReasons.map((r) => (
              <Tag key={r} color="orange">
                {t('permit.preview.raised')}：{word(PERMIT_RAISE_REASON_LABELS, r)}
              </Tag>
            ))}
          </Space>
          <span>
            {t('permit.form.maxValidity', { hours: preview.rule.maxValidityHours })}
            {preview.rule.needsGasAnalysis &&
              ` · ${t('permit.preview.needsGas', { minutes: preview.rule.analysisMaxAgeMin })}`}
          </span>
          <div>
            <Typography.Text strong>{t('permit.section.approvals')}</Typography.Text>
            <ol style={{ margin: '4px 0', paddingInlineStart: 20 }}>
              {preview.approvals.map((a) => (
                <li key={a.level}>
                  {word(PERMIT_APPROVAL_LEVEL_LABELS, a.level)}
                  {a.addedFor && (
                    <Tag color="orange" style={{ marginInlineStart: 4 }}>
                      {a.addedFor}
                    </Tag>
                  )}
                  ：
                  {a.eligible.length ? (
                    a.eligible.map((p) => p.name).join('、')
                  ) : (
                    <Typography.Text type="danger">{t('permit.approval.nobody')}</Typography.Text>
                  )}
                </li>
              ))}
            </ol>
          </div>
          {preview.conflicts.map((c) => (
            <Alert
              key={c.permitId}
              type={c.decision === 'forbid' ? 'error' : 'warning'}
              showIcon
              title={`${c.code} ${typeWord(c.type)}：${words(c.reason)}`}
            />
          ))}
          {preview.problems.length > 0 && (
            <Alert
              type="info"
              showIcon
              title={t('permit.preview.problems')}
              description={
                <ul style={{ margin: 0, paddingInlineStart: 18 }} data-testid="permit-preview-problems">
                  {preview.problems.map((p) => (
                    <li key={p.zh}>{words(p)}</li>
                  ))}
                </ul>
              }
            />
          )}
        </Flex>
      )}
    </Card>
  );
}

function TypeFields({ type }: { type: PermitType }) {
  const { t } = useTranslation();
  const required = [{ required: true, whitespace: true, message: t('permit.form.required') }];
  const requiredNum = [{ required: true, message: t('permit.form.required') }];
  const text = (name: string, must = false, max = 200) => (
    <Col xs={24} md={12} key={name}>
      <Form.Item name={['fields', name]} label={t(`permit.fields.${name}`)} rules={must ? required : []}>
        <Input maxLength={max} data-testid={`permit-fields-${name}`} />
      </Form.Item>
    </Col>
  );
  const number = (name: string, must = false, unit?: string) => (
    <Col xs={24} md={12} key={name}>
      <Form.Item name={['fields', name]} label={t(`permit.fields.${name}`)} rules={must ? requiredNum : []}>
        <InputNumber style={{ width: '100%' }} suffix={unit} data-testid={`permit-fields-${name}`} />
      </Form.Item>
    </Col>
  );
  switch (type) {
    case 'hot_work':
      return (
        <Row gutter={12}>
          {text('method', true, 100)}
          {text('fireWatchEquipment', false, 500)}
        </Row>
      );
    case 'confined_space':
      return (
        <Row gutter={12}>
          {text('spaceName', true)}
          {text('medium')}
          {text('ventilation')}
          <Col xs={24} md={12}>
            <Form.Item name={['fields', 'oxygenEnriched']} valuePropName="checked" label=" ">
              <Checkbox>{t('permit.fields.oxygenEnriched')}</Checkbox>
            </Form.Item>
          </Col>
        </Row>
      );
    case 'blind_plate':
      return (
        <Row gutter={12}>
          {text('pipeline', true)}
          {text('medium')}
          {number('temperatureC', false, '℃')}
          {number('pressureMPa', false, 'MPa')}
          {text('plateMaterial', false, 100)}
          {text('plateSpec', false, 100)}
          {text('plateNumber', true, 50)}
          <Col xs={24} md={12}>
            <Form.Item name={['fields', 'action']} label={t('permit.fields.action')} rules={requiredNum}>
              <Radio.Group
                optionType="button"
                options={[
                  { value: 'install', label: t('permit.fields.install') },
                  { value: 'remove', label: t('permit.fields.remove') },
                ]}
              />
            </Form.Item>
          </Col>
          {text('drawingRef')}
        </Row>
      );
    case 'height':
      return (
        <Row gutter={12}>
          {number('heightM', true, 'm')}
          {text('fallProtection', false, 500)}
        </Row>
      );
    case 'lifting':
      return (
        <Row gutter={12}>
          {number('loadT', true, 't')}
          {text('craneType', false, 100)}
          {text('liftingPlanRef')}
        </Row>
      );
    case 'temporary_power':
      return (
        <Row gutter={12}>
          {text('voltage', true, 50)}
          {text('powerSource', true)}
          {number('loadKw', false, 'kW')}
          <Col xs={24} md={12}>
            <Form.Item name={['fields', 'servesPermitId']} label={t('permit.fields.servesPermitId')}>
              <LinkedPermitSelect single types={['hot_work', 'confined_space']} />
            </Form.Item>
          </Col>
        </Row>
      );
    case 'excavation':
      return (
        <Row gutter={12}>
          {number('areaM2', false, 'm²')}
          {number('depthM', false, 'm')}
          {text('undergroundFacilities', false, 1000)}
        </Row>
      );
    case 'road_closure':
      return (
        <Row gutter={12}>
          {text('road', true)}
          {text('reason', false, 500)}
          {text('detour', false, 500)}
        </Row>
      );
  }
}

/** The checklist: each measure answered 涉及 / 不涉及 (submit refuses unanswered ones); own measures can be added. */
function MeasuresField() {
  const { t } = useTranslation();
  return (
    <Form.List name="measures">
      {(fields, { add, remove }) => (
        <Flex vertical gap={0}>
          {fields.map((f, i) => (
            <MeasureRow key={f.key} name={f.name} index={i} onRemove={() => remove(f.name)} />
          ))}
          <Button
            icon={<PlusOutlined />}
            style={{ marginTop: 8 }}
            onClick={() =>
              add({ code: `X${String(fields.length + 1).padStart(2, '0')}`, text: '', applies: true })
            }
            data-testid="permit-measure-add"
          >
            {t('permit.form.addMeasure')}
          </Button>
        </Flex>
      )}
    </Form.List>
  );
}

function MeasureRow({ name, index, onRemove }: { name: number; index: number; onRemove: () => void }) {
  const { t } = useTranslation();
  const form = Form.useFormInstance<PermitFormValues>();
  const code = Form.useWatch(['measures', name, 'code'], form) as string | undefined;
  const own = !!code?.startsWith('X');
  return (
    <div
      style={{ borderTop: index ? '1px solid #f0f0f0' : undefined, padding: '8px 0' }}
      data-testid={`permit-measure-${index}`}
    >
      <Flex gap={8} align="flex-start" wrap>
        <Typography.Text type="secondary" style={{ width: 28 }}>
          {index + 1}
        </Typography.Text>
        <div style={{ flex: '1 1 240px' }}>
          {own ? (
            <Form.Item
              name={[name, 'text']}
              rules={[{ required: true, whitespace: true, message: t('permit.form.required') }]}
              style={{ marginBottom: 0 }}
            >
              <Input.TextArea autoSize maxLength={1000} placeholder={t('permit.form.ownMeasure')} />
            </Form.Item>
          ) : (
            <Form.Item name={[name, 'text']} noStyle>
              <MeasureText />
            </Form.Item>
          )}
        </div>
        <Form.Item name={[name, 'applies']} style={{ marginBottom: 0 }}>
          <Radio.Group
            optionType="button"
            size="small"
            options={[
              { value: true, label: t('permit.measure.applies') },
              { value: false, label: t('permit.measure.notApplies') },
            ]}
            data-testid={`permit-measure-${index}-applies`}
          />
        </Form.Item>
        {own && (
          <Button size="small" icon={<DeleteOutlined />} aria-label={t('common.delete')} onClick={onRemove} />
        )}
      </Flex>
    </div>
  );
}

function MeasureText({ value }: { value?: string }) {
  return <span>{value}</span>;
}

/** Equipment under the chosen location (several may be named). */
function EquipmentSelect(props: {
  locationId: number | null;
  value?: number[];
  onChange?: (v: number[]) => void;
}) {
  const { t } = useTranslation();
  const name = useLocalName();
  const nodes = useQuery(plantNodesQuery);
  const at = nodes.data?.find((n) => n.id === props.locationId);
  const options = (nodes.data ?? [])
    .filter((n) => n.level === 'equipment' && (!at || n.path.startsWith(at.path)))
    .map((n) => ({ value: n.id, label: `${name(n)} (${n.code})` }));
  return (
    <Select<number[]>
      mode="multiple"
      allowClear
      value={props.value ?? []}
      onChange={(v) => props.onChange?.(v)}
      options={options}
      showSearch={{ optionFilterProp: 'label' }}
      placeholder={t('permit.field.equipmentPh')}
      data-testid="permit-equipment"
    />
  );
}

/** The live gas tags under the location that will watch the work; each bound to the gas it measures. */
function GasTagPicker(props: {
  locationId: number | null;
  value?: PermitGasTagInput[];
  onChange?: (v: PermitGasTagInput[]) => void;
}) {
  const { t } = useTranslation();
  const candidates = useQuery(gasTagCandidatesQuery(props.locationId));
  const rules = useQuery(permitRulesQuery);
  const value = props.value ?? [];
  const chosen = new Map(value.map((g) => [g.tagId, g.gas]));
  const gases = (rules.data?.gases ?? []).map((g) => ({
    value: g.code,
    label: `${g.code} ${words(g.name)}`,
  }));
  if (!props.locationId)
    return <Typography.Text type="secondary">{t('permit.form.pickLocationFirst')}</Typography.Text>;
  if (candidates.isLoading) return <Spin size="small" />;
  const list = candidates.data ?? [];
  if (!list.length) return <Typography.Text type="secondary">{t('permit.form.noGasTags')}</Typography.Text>;
  const set = (tagId: number, gas: string | null) => {
    const rest = value.filter((g) => g.tagId !== tagId);
    props.onChange?.(gas ? [...rest, { tagId, gas }] : rest);
  };
  return (
    <Flex vertical gap={6} data-testid="permit-gas-tags">
      {list.map((c) => (
        <Flex key={c.tagId} gap={8} align="center" wrap>
          <Checkbox
            checked={chosen.has(c.tagId)}
            onChange={(e) => set(c.tagId, e.target.checked ? (c.gas ?? gases[0]?.value ?? 'CH4') : null)}
            data-testid={`permit-gas-tag-${c.tagId}`}
          >
            <code>{c.code}</code> {c.name}
            {c.value !== null && (
              <Typography.Text type="secondary">
                {' '}
                （{c.value} {c.unit}）
              </Typography.Text>
            )}
          </Checkbox>
          {chosen.has(c.tagId) && (
            <Select
              size="small"
              value={chosen.get(c.tagId)}
              onChange={(g: string) => set(c.tagId, g)}
              options={gases}
              style={{ minWidth: 140 }}
              aria-label={t('permit.form.gasOfTag')}
            />
          )}
        </Flex>
      ))}
    </Flex>
  );
}

/** Other permits still running or being applied for, picked by code or title. */
function LinkedPermitSelect(props: {
  value?: number[] | number | null;
  onChange?: (v: never) => void;
  excludeId?: number | null;
  single?: boolean;
  types?: PermitType[];
}) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const open = useQuery(
    permitsQuery({
      q: q || undefined,
      type: props.types,
      state: PERMIT_STATES.filter((x) => !PERMIT_TERMINAL_STATES.includes(x)),
      limit: 50,
    }),
  );
  const options = (open.data?.items ?? [])
    .filter((p) => p.id !== props.excludeId)
    .map((p) => ({ value: p.id, label: `${p.code} ${typeWord(p.type)} ${p.title}` }));
  return (
    <Select
      mode={props.single ? undefined : 'multiple'}
      allowClear
      value={(props.value ?? (props.single ? undefined : [])) as never}
      onChange={(v) => props.onChange?.((v ?? (props.single ? null : [])) as never)}
      showSearch={{ filterOption: false, onSearch: setQ }}
      options={options}
      loading={open.isFetching}
      placeholder={t('permit.field.linkedPh')}
      data-testid={props.single ? 'permit-serves' : 'permit-linked'}
    />
  );
}
