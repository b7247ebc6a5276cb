import {
  CHECK_CYCLES,
  LEC_C_VALUES,
  LEC_E_VALUES,
  LEC_L_VALUES,
  MEASURE_KINDS,
  RISK_LEVELS,
  RISK_UNIT_KINDS,
  type RiskUnit,
  riskRank,
} from '@aegis/shared';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Divider,
  Drawer,
  Form,
  Grid,
  Input,
  Radio,
  Row,
  Select,
  Space,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../app/api';
import { canAnywhere, useMe } from '../../app/auth';
import { ProblemsAlert, SaveActions } from '../../app/FormParts';
import { ReasonField } from '../../app/ReasonField';
import { orgListQuery } from '../org/api';
import { PlantNodeSelect } from '../plant/PlantNodeSelect';
import { UserSelect } from '../users/UserSelect';
import { useSaveRiskUnit } from './api';
import { LevelTag } from './LevelTag';
import { newUnitValues, preview, type UnitValues, unitToValues, valuesToBody } from './unitForm';

const options = (values: readonly number[]) => values.map((v) => ({ value: v, label: String(v) }));
const oneToFive = [1, 2, 3, 4, 5].map((v) => ({ value: v, label: String(v) }));

/** The server's field errors, one line each. */
function problemsOf(e: unknown): string[] {
  // other refusals (scope, duplicate name) are shown by the global error message in the UI language
  if (!(e instanceof ApiError) || e.code !== 'validation_failed') return [];
  const details = Array.isArray(e.details) ? (e.details as Array<{ path?: string; message?: string }>) : [];
  return details.length > 0 ? details.map((d) => `${d.path ?? ''}: ${d.message ?? ''}`) : [e.message];
}

/**
 * A risk unit with its events and their control measures, in one form. The levels are shown
 * while typing (the same pure scoring as the server); a level raised by hand needs a reason,
 * and every change of an existing unit a change reason for the audit trail.
 */
export function UnitDrawer(props: {
  open: boolean;
  unit: RiskUnit | null;
  defaultNodeId?: number | undefined;
  writable: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const phone = Grid.useBreakpoint().md === false;
  const { data: me } = useMe();
  const [form] = Form.useForm<UnitValues>();
  const save = useSaveRiskUnit();
  const [problems, setProblems] = useState<string[]>([]);
  const orgReadable = canAnywhere(me, 'org.read');
  const departments = useQuery({ ...orgListQuery('departments'), enabled: props.open && orgReadable });
  const posts = useQuery({ ...orgListQuery('posts'), enabled: props.open && orgReadable });
  const values = Form.useWatch([], form) as UnitValues | undefined;
  const method = Form.useWatch('method', form);
  const live = preview(values ?? {});
  const { unit, open, defaultNodeId } = props;

  useEffect(() => {
    if (!open) return;
    setProblems([]);
    form.resetFields();
    form.setFieldsValue(unit ? unitToValues(unit) : newUnitValues(defaultNodeId));
  }, [open, unit, defaultNodeId, form]);

  const submit = async () => {
    const v = await form.validateFields();
    setProblems([]);
    try {
      await save.mutateAsync({
        id: unit?.id ?? null,
        body: valuesToBody(v, unit ? v.reason?.trim() : undefined),
      });
      void message.success(t('common.saved'));
      props.onClose();
    } catch (e) {
      setProblems(problemsOf(e));
      throw e;
    }
  };

  const title = unit ? t(props.writable ? 'risk.edit' : 'risk.view', { name: unit.name }) : t('risk.new');
  return (
    <Drawer
      open={open}
      onClose={props.onClose}
      size={phone ? '100%' : 760}
      title={title}
      forceRender
      extra={
        props.writable && <SaveActions saving={save.isPending} onSave={submit} testId="risk-unit-save" />
      }
    >
      <ProblemsAlert title={t('error.validation_failed')} problems={problems} />
      <Form form={form} name="risk-unit" layout="vertical" disabled={!props.writable}>
        <Row gutter={12}>
          <Col xs={24} sm={12}>
            <Form.Item name="nodeId" label={t('risk.field.node')} rules={[{ required: true }]}>
              <PlantNodeSelect />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="name"
              label={t('risk.field.name')}
              rules={[{ required: true, whitespace: true }]}
            >
              <Input maxLength={200} data-testid="risk-unit-name" />
            </Form.Item>
          </Col>
          <Col xs={12} sm={8}>
            <Form.Item name="kind" label={t('risk.field.kind')} rules={[{ required: true }]}>
              <Select options={RISK_UNIT_KINDS.map((k) => ({ value: k, label: t(`risk.kind.${k}`) }))} />
            </Form.Item>
          </Col>
          <Col xs={12} sm={8}>
            <Form.Item name="departmentId" label={t('risk.field.department')}>
              <Select
                allowClear
                options={(departments.data ?? []).map((d) => ({ value: d.id, label: d.name }))}
              />
            </Form.Item>
          </Col>
          <Col xs={24} sm={8}>
            <Form.Item name="responsibleUserId" label={t('risk.field.responsible')}>
              <UserSelect />
            </Form.Item>
          </Col>
          <Col xs={24}>
            <Form.Item
              name="method"
              label={t('risk.field.method')}
              rules={[{ required: true }]}
              extra={method === 'matrix' ? t('risk.bandsMatrix') : t('risk.bandsLec')}
            >
              <Radio.Group
                optionType="button"
                options={[
                  { value: 'lec', label: t('risk.method.lec') },
                  { value: 'matrix', label: t('risk.method.matrix') },
                ]}
              />
            </Form.Item>
          </Col>
        </Row>

        <Divider titlePlacement="start">{t('risk.field.events')}</Divider>
        <Form.List name="events">
          {(fields, { add, remove }) => (
            <Space orientation="vertical" style={{ width: '100%' }}>
              {fields.map((field, i) => {
                const scored = live.events[i];
                return (
                  <Card
                    key={field.key}
                    size="small"
                    title={
                      <Space>
                        {t('risk.eventN', { n: i + 1 })}
                        {scored && (
                          <>
                            <LevelTag level={scored.level} />
                            <Typography.Text type="secondary">
                              {t('risk.field.score')} {scored.score}
                            </Typography.Text>
                          </>
                        )}
                      </Space>
                    }
                    extra={
                      props.writable &&
                      fields.length > 1 && (
                        <Button
                          size="small"
                          type="text"
                          danger
                          icon={<DeleteOutlined />}
                          aria-label={t('risk.removeEvent')}
                          onClick={() => remove(field.name)}
                        />
                      )
                    }
                  >
                    <Form.Item name={[field.name, 'id']} hidden>
                      <Input />
                    </Form.Item>
                    <Row gutter={12}>
                      <Col xs={24} sm={14}>
                        <Form.Item
                          name={[field.name, 'description']}
                          label={t('risk.field.event')}
                          rules={[{ required: true, whitespace: true }]}
                        >
                          <Input.TextArea autoSize maxLength={2000} />
                        </Form.Item>
                      </Col>
                      <Col xs={24} sm={10}>
                        <Form.Item name={[field.name, 'consequence']} label={t('risk.field.consequence')}>
                          <Input.TextArea autoSize maxLength={2000} />
                        </Form.Item>
                      </Col>
                      {method === 'matrix' ? (
                        <>
                          <Col xs={12}>
                            <Form.Item
                              name={[field.name, 'likelihood']}
                              label={t('risk.field.likelihood')}
                              rules={[{ required: true }]}
                            >
                              <Select options={oneToFive} />
                            </Form.Item>
                          </Col>
                          <Col xs={12}>
                            <Form.Item
                              name={[field.name, 'severity']}
                              label={t('risk.field.severity')}
                              rules={[{ required: true }]}
                            >
                              <Select options={oneToFive} />
                            </Form.Item>
                          </Col>
                        </>
                      ) : (
                        <>
                          <Col xs={8}>
                            <Form.Item
                              name={[field.name, 'l']}
                              label={t('risk.field.l')}
                              rules={[{ required: true }]}
                            >
                              <Select options={options(LEC_L_VALUES)} />
                            </Form.Item>
                          </Col>
                          <Col xs={8}>
                            <Form.Item
                              name={[field.name, 'e']}
                              label={t('risk.field.e')}
                              rules={[{ required: true }]}
                            >
                              <Select options={options(LEC_E_VALUES)} />
                            </Form.Item>
                          </Col>
                          <Col xs={8}>
                            <Form.Item
                              name={[field.name, 'c']}
                              label={t('risk.field.c')}
                              rules={[{ required: true }]}
                            >
                              <Select options={options(LEC_C_VALUES)} />
                            </Form.Item>
                          </Col>
                        </>
                      )}
                    </Row>
                    <Typography.Text strong>{t('risk.field.measures')}</Typography.Text>
                    <Form.List name={[field.name, 'measures']}>
                      {(mFields, m) => (
                        <>
                          {mFields.map((mf) => (
                            <Row
                              key={mf.key}
                              gutter={8}
                              style={{ borderTop: '1px dashed #f0f0f0', paddingTop: 8 }}
                            >
                              <Form.Item name={[mf.name, 'id']} hidden>
                                <Input />
                              </Form.Item>
                              <Col xs={12} sm={6}>
                                <Form.Item
                                  name={[mf.name, 'kind']}
                                  label={t('risk.field.measureKind')}
                                  rules={[{ required: true }]}
                                >
                                  <Select
                                    options={MEASURE_KINDS.map((k) => ({
                                      value: k,
                                      label: t(`risk.measureKind.${k}`),
                                    }))}
                                  />
                                </Form.Item>
                              </Col>
                              <Col xs={12} sm={6}>
                                <Form.Item name={[mf.name, 'cycle']} label={t('risk.field.cycle')}>
                                  <Select
                                    allowClear
                                    placeholder={t('risk.noCycle')}
                                    options={CHECK_CYCLES.map((c) => ({
                                      value: c,
                                      label: t(`risk.cycle.${c}`),
                                    }))}
                                  />
                                </Form.Item>
                              </Col>
                              <Col xs={24} sm={12}>
                                <Form.Item
                                  name={[mf.name, 'description']}
                                  label={t('risk.field.measure')}
                                  rules={[{ required: true, whitespace: true }]}
                                >
                                  <Input.TextArea autoSize maxLength={2000} />
                                </Form.Item>
                              </Col>
                              <Col xs={12} sm={10}>
                                <Form.Item
                                  name={[mf.name, 'responsibleUserId']}
                                  label={t('risk.field.measureOwner')}
                                >
                                  <UserSelect />
                                </Form.Item>
                              </Col>
                              <Col xs={10} sm={12}>
                                <Form.Item name={[mf.name, 'postId']} label={t('risk.field.post')}>
                                  <Select
                                    allowClear
                                    options={(posts.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
                                  />
                                </Form.Item>
                              </Col>
                              <Col xs={2} style={{ display: 'flex', alignItems: 'center' }}>
                                {props.writable && (
                                  <Button
                                    size="small"
                                    type="text"
                                    danger
                                    icon={<DeleteOutlined />}
                                    aria-label={t('common.delete')}
                                    onClick={() => m.remove(mf.name)}
                                  />
                                )}
                              </Col>
                            </Row>
                          ))}
                          {props.writable && (
                            <Button
                              type="dashed"
                              size="small"
                              icon={<PlusOutlined />}
                              onClick={() => m.add({ kind: 'management' })}
                              style={{ marginTop: 8 }}
                            >
                              {t('risk.addMeasure')}
                            </Button>
                          )}
                        </>
                      )}
                    </Form.List>
                  </Card>
                );
              })}
              {props.writable && (
                <Button
                  type="dashed"
                  block
                  icon={<PlusOutlined />}
                  onClick={() => add({ measures: [{ kind: 'engineering' }] })}
                  data-testid="risk-add-event"
                >
                  {t('risk.addEvent')}
                </Button>
              )}
            </Space>
          )}
        </Form.List>

        <Divider titlePlacement="start">{t('risk.field.level')}</Divider>
        {live.unit && (
          <Alert
            type="info"
            style={{ marginBottom: 12 }}
            title={
              <Space wrap>
                {t('risk.unitLevelPreview')}
                <LevelTag level={live.unit.level} />
                {live.unit.level !== live.unit.computed && (
                  <Typography.Text type="secondary">
                    {t('risk.computedFrom', {
                      level: t(`risk.level.${live.unit.computed}`),
                      override: t(`risk.level.${live.unit.level}`),
                    })}
                  </Typography.Text>
                )}
              </Space>
            }
          />
        )}
        <Row gutter={12}>
          <Col xs={24} sm={10}>
            <Form.Item
              name="overrideLevel"
              label={t('risk.field.override')}
              extra={t('risk.overrideHint')}
              rules={[
                {
                  validator: async (_, v) => {
                    if (!v || !live.unit) return;
                    if (riskRank(v) <= riskRank(live.unit.computed))
                      throw new Error(
                        t('risk.overrideMustBeHigher', { level: t(`risk.level.${live.unit.computed}`) }),
                      );
                  },
                },
              ]}
            >
              <Select
                allowClear
                placeholder={t('risk.overrideNone')}
                options={RISK_LEVELS.map((l) => ({ value: l, label: <LevelTag level={l} /> }))}
              />
            </Form.Item>
          </Col>
          <Col xs={24} sm={14}>
            <Form.Item noStyle dependencies={['overrideLevel']}>
              {({ getFieldValue }) =>
                getFieldValue('overrideLevel') ? (
                  <Form.Item
                    name="overrideReason"
                    label={t('risk.field.overrideReason')}
                    rules={[{ required: true, whitespace: true, min: 3, message: t('reason.required') }]}
                  >
                    <Input.TextArea rows={2} maxLength={500} data-testid="risk-override-reason" />
                  </Form.Item>
                ) : null
              }
            </Form.Item>
          </Col>
        </Row>
        {unit && props.writable && <ReasonField />}
      </Form>
    </Drawer>
  );
}
