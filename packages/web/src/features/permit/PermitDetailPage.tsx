import {
  PERMIT_ACTION_LABELS,
  PERMIT_ACTION_MEANINGS,
  PERMIT_APPROVAL_LEVEL_LABELS,
  PERMIT_GAS_UNITS,
  PERMIT_RAISE_REASON_LABELS,
  PERMIT_SUSPEND_CAUSE_LABELS,
  type PermitAction,
  type PermitAnalysis,
  type PermitDetail,
  type PermitFields,
  type PermitReadingInput,
  type PermitType,
  type SignInput,
} from '@aegis/shared';
import { DeleteOutlined, FilePdfOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  DatePicker,
  Descriptions,
  Empty,
  Flex,
  Form,
  Grid,
  Input,
  InputNumber,
  Select,
  Space,
  Spin,
  Table,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../../app/api';
import { errorText } from '../../app/notify';
import { ReasonModal } from '../../app/ReasonField';
import { downloadFile } from '../inspection/download';
import { SignatureDialog, SignatureList } from '../signature';
import { permitPdfUrl, permitQuery, permitRulesQuery, useDeletePermit, usePermitAction } from './api';
import {
  GradeTag,
  gradeWord,
  LiveValueTag,
  refusalText,
  StateTag,
  stateWord,
  typeWord,
  when,
  windowText,
  word,
  words,
} from './parts';

type SignedAction = keyof typeof PERMIT_ACTION_MEANINGS;
const SIGNED = new Set<string>(Object.keys(PERMIT_ACTION_MEANINGS));
const REASON_ACTIONS = new Set<PermitAction>(['reject', 'interrupt', 'cancel', 'revise', 'delete']);
const DANGER = new Set<PermitAction>(['reject', 'stop', 'interrupt', 'cancel', 'delete']);

export function PermitDetailPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const permit = useQuery(permitQuery(Number(id)));
  const phone = Grid.useBreakpoint().md === false;
  const { message } = App.useApp();

  if (permit.isLoading) return <Spin />;
  if (!permit.data) return <Empty description={permit.error ? refusalText(t, permit.error) : undefined} />;
  const p = permit.data;
  const pdf = () =>
    downloadFile(permitPdfUrl(p.id), `${p.code}.pdf`).catch((e: unknown) => {
      void message.error(errorText(t, e));
    });

  return (
    <Flex vertical gap={12} style={{ maxWidth: 1100 }} data-testid="permit-detail" data-state={p.state}>
      <Link to="/permits">← {t('permit.title')}</Link>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={4} style={{ margin: 0 }} data-testid="permit-heading">
          {typeWord(p.type)} {p.code}
        </Typography.Title>
        <Space wrap>
          <GradeTag requested={p.requestedGrade} effective={p.effectiveGrade} />
          <StateTag state={p.state} />
          <Button icon={<FilePdfOutlined />} onClick={() => void pdf()} data-testid="permit-pdf">
            {phone ? null : t('permit.detail.pdf')}
          </Button>
        </Space>
      </Flex>

      {p.suspension && p.state === 'suspended' && (
        <Alert
          type="error"
          showIcon
          data-testid="permit-suspended"
          title={`${t('permit.detail.suspended')}：${word(PERMIT_SUSPEND_CAUSE_LABELS, p.suspension.cause)}`}
          description={
            <>
              {p.suspension.detail && <div>{p.suspension.detail}</div>}
              <div>{when(p.suspension.at)}</div>
            </>
          }
        />
      )}
      {p.state === 'cancelled' && p.cancelReason && (
        <Alert type="warning" showIcon title={`${stateWord('cancelled')}：${p.cancelReason}`} />
      )}

      <Actions permit={p} />

      <Card size="small" title={t('permit.section.basic')}>
        <Descriptions size="small" column={phone ? 1 : 2}>
          <Descriptions.Item label={t('permit.field.title')} span={phone ? 1 : 2}>
            <span data-testid="permit-title-text">{p.title}</span>
          </Descriptions.Item>
          <Descriptions.Item label={t('permit.field.location')}>{p.location}</Descriptions.Item>
          {p.equipment.length > 0 && (
            <Descriptions.Item label={t('permit.field.equipment')}>
              {p.equipment.map((e) => e.name).join('、')}
            </Descriptions.Item>
          )}
          <Descriptions.Item label={t('permit.field.window')}>
            {windowText(p.validFrom, p.validTo)}
          </Descriptions.Item>
          <Descriptions.Item label={t('permit.field.grade')}>
            {p.effectiveGrade === 'none' ? '—' : gradeWord(p.effectiveGrade)}
            {p.raiseReasons.length > 0 &&
              ` （${t('permit.detail.raisedFrom', { grade: gradeWord(p.requestedGrade) })}：${p.raiseReasons
                .map((r) => word(PERMIT_RAISE_REASON_LABELS, r))
                .join('、')}）`}
          </Descriptions.Item>
          <Descriptions.Item label={t('permit.field.applicantUnit')}>{p.applicantUnit}</Descriptions.Item>
          <Descriptions.Item label={t('permit.field.applicant')}>{p.applicant.name}</Descriptions.Item>
          <Descriptions.Item label={t('permit.field.windLevel')}>{p.windLevel}</Descriptions.Item>
          {p.workStartedAt && (
            <Descriptions.Item label={t('permit.detail.workStartedAt')}>
              {when(p.workStartedAt)}
            </Descriptions.Item>
          )}
          {p.endedAt && (
            <Descriptions.Item label={t('permit.detail.endedAt')}>{when(p.endedAt)}</Descriptions.Item>
          )}
          {fieldItems(t, p.fields).map(([label, value]) => (
            <Descriptions.Item key={label} label={label}>
              {value}
            </Descriptions.Item>
          ))}
        </Descriptions>
      </Card>

      <Card size="small" title={t('permit.section.people')}>
        <Descriptions size="small" column={phone ? 1 : 3}>
          <Descriptions.Item label={t('permit.field.personInCharge')}>
            {p.personInCharge.name}
          </Descriptions.Item>
          <Descriptions.Item label={t('permit.field.watcher')}>{p.watcher.name}</Descriptions.Item>
          <Descriptions.Item label={t('permit.field.briefer')}>{p.briefer.name}</Descriptions.Item>
          <Descriptions.Item label={t('permit.field.acceptor')}>{p.acceptor.name}</Descriptions.Item>
          {p.analyst && (
            <Descriptions.Item label={t('permit.field.analyst')}>{p.analyst.name}</Descriptions.Item>
          )}
        </Descriptions>
        <Typography.Text strong>{t('permit.field.workers')}</Typography.Text>
        <ul style={{ margin: '4px 0 0', paddingInlineStart: 20 }} data-testid="permit-workers">
          {p.workers.map((w) => (
            <li key={`${w.name}-${w.certificateNo}`}>
              {w.name}
              {w.certificateNo && (
                <Typography.Text type="secondary">
                  {' '}
                  · {t('permit.field.certificateNo')} {w.certificateNo}
                </Typography.Text>
              )}
            </li>
          ))}
        </ul>
      </Card>

      {(p.gasTags.length > 0 || p.rule.needsGasAnalysis) && (
        <Card size="small" title={t('permit.section.gas')} data-testid="permit-gas">
          {p.gasTags.length > 0 && (
            <Flex wrap gap={4} align="center" style={{ marginBottom: 8 }} data-testid="permit-live">
              <Typography.Text>{t('permit.detail.liveNow')}：</Typography.Text>
              {p.gasTags.map((v) => (
                <LiveValueTag key={v.tagId} v={v} />
              ))}
            </Flex>
          )}
          <AnalysesTable analyses={p.analyses} phone={phone} />
        </Card>
      )}

      <Card size="small" title={t('permit.section.risks')}>
        {p.riskIdentification.length === 0 ? (
          <Typography.Text type="secondary">—</Typography.Text>
        ) : (
          <ol style={{ margin: 0, paddingInlineStart: 20 }}>
            {p.riskIdentification.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ol>
        )}
      </Card>

      <Card size="small" title={t('permit.section.measures')}>
        <Table
          rowKey="code"
          size="small"
          pagination={false}
          dataSource={p.measures}
          data-testid="permit-measures"
          columns={[
            { title: t('permit.measure.no'), width: 44, render: (_: unknown, _m, i) => i + 1 },
            { title: t('permit.measure.text'), dataIndex: 'text' },
            {
              title: t('permit.measure.applies'),
              dataIndex: 'applies',
              width: 70,
              render: (a: boolean | null) =>
                a === null ? '—' : a ? t('permit.measure.yes') : t('permit.measure.no_'),
            },
            {
              title: t('permit.measure.confirmedBy'),
              width: phone ? 80 : 170,
              render: (_: unknown, m) =>
                m.confirmedBy ? (
                  <span data-testid={`permit-measure-confirmed-${m.code}`}>
                    {m.confirmedBy.name}
                    {!phone && ` ${when(m.confirmedAt)}`}
                  </span>
                ) : null,
            },
          ]}
        />
      </Card>

      <Card size="small" title={t('permit.section.approvals')} data-testid="permit-approvals">
        <Flex vertical gap={8}>
          {p.approvals.map((a) => (
            <div key={a.order} data-testid={`permit-approval-${a.level}`} data-approval={a.state}>
              <Space wrap size={4}>
                <Typography.Text strong>
                  {a.order}. {word(PERMIT_APPROVAL_LEVEL_LABELS, a.level)}
                </Typography.Text>
                <Tag color={a.state === 'approved' ? 'green' : a.state === 'pending' ? 'gold' : 'default'}>
                  {t(`permit.approval.${a.state}`)}
                </Tag>
                {a.addedFor && <Tag color="orange">{a.addedFor}</Tag>}
              </Space>
              {a.approver && (
                <div>
                  {a.approver.name} · {when(a.at)}
                  {a.opinion && `：${a.opinion}`}
                </div>
              )}
              {a.state === 'pending' && (
                <Typography.Text type={a.eligible.length ? 'secondary' : 'danger'}>
                  {a.eligible.length
                    ? t('permit.approval.eligible', { names: a.eligible.map((x) => x.name).join('、') })
                    : t('permit.approval.nobody')}
                </Typography.Text>
              )}
            </div>
          ))}
        </Flex>
        {p.conflicts.map((c) => (
          <Alert
            key={c.permitId}
            style={{ marginTop: 8 }}
            type={c.decision === 'forbid' ? 'error' : 'warning'}
            showIcon
            title={
              <>
                <Link to={`/permits/${c.permitId}`}>{c.code}</Link> {typeWord(c.type)}：{words(c.reason)}
              </>
            }
          />
        ))}
      </Card>

      {(p.links.supersedes || p.links.supersededBy || p.links.linked.length > 0) && (
        <Card size="small" title={t('permit.section.links')}>
          <Flex vertical gap={4}>
            {p.links.supersedes && (
              <span>
                {t('permit.detail.supersedes')}：<LinkTo l={p.links.supersedes} />
              </span>
            )}
            {p.links.supersededBy && (
              <span data-testid="permit-superseded-by">
                {t('permit.detail.supersededBy')}：<LinkTo l={p.links.supersededBy} />
              </span>
            )}
            {p.links.linked.map((l) => (
              <span key={l.id}>
                {t('permit.field.linked')}：<LinkTo l={l} />
              </span>
            ))}
          </Flex>
        </Card>
      )}

      <Card size="small" title={t('permit.section.signatures')} data-testid="permit-signatures">
        <SignatureList signatures={p.signatures} />
      </Card>

      <Card size="small" title={t('permit.section.history')}>
        <Timeline
          data-testid="permit-history"
          items={p.history.map((x) => ({
            key: x.id,
            color: x.toState === 'suspended' || x.toState === 'cancelled' ? 'red' : 'blue',
            children: (
              <div data-testid={`permit-history-${x.action}`}>
                <b>{t(`permit.history.${x.action}`, { defaultValue: x.action })}</b> · {x.actor.name} ·{' '}
                {when(x.at)}
                {x.fromState !== null && x.fromState !== x.toState && (
                  <Typography.Text type="secondary">
                    {' '}
                    （{stateWord(x.fromState)} → {stateWord(x.toState)}）
                  </Typography.Text>
                )}
                {x.reason && <div>{x.reason}</div>}
              </div>
            ),
          }))}
        />
        {p.timers.length > 0 && (
          <Typography.Text type="secondary">
            {t('permit.detail.timers')}：
            {p.timers
              .map((x) => `${t(`permit.timer.${x.key}`, { defaultValue: x.key })} ${when(x.dueAt)}`)
              .join('；')}
          </Typography.Text>
        )}
      </Card>
    </Flex>
  );
}

function LinkTo({ l }: { l: { id: number; code: string; type: PermitType; state: string } }) {
  return (
    <Link to={`/permits/${l.id}`}>
      {l.code} {typeWord(l.type)}（{stateWord(l.state)}）
    </Link>
  );
}

/** The per-type fields as label/value pairs, in the order of the standard's form. */
function fieldItems(t: (k: string) => string, f: PermitFields): [string, ReactNode][] {
  const { type: _type, ...rest } = f;
  const out: [string, ReactNode][] = [];
  for (const [k, v] of Object.entries(rest)) {
    if (v === null || v === '' || v === undefined) continue;
    let shown: ReactNode = String(v);
    if (typeof v === 'boolean') shown = v ? t('permit.measure.yes') : t('permit.measure.no_');
    if (k === 'action') shown = t(`permit.fields.${String(v)}`);
    out.push([t(`permit.fields.${k}`), shown]);
  }
  return out;
}

function AnalysesTable({ analyses, phone }: { analyses: PermitAnalysis[]; phone: boolean }) {
  const { t } = useTranslation();
  if (!analyses.length)
    return <Typography.Text type="secondary">{t('permit.analysis.none')}</Typography.Text>;
  return (
    <Table<PermitAnalysis>
      rowKey="id"
      size="small"
      pagination={false}
      dataSource={[...analyses].reverse()}
      data-testid="permit-analyses"
      onRow={(a) =>
        ({
          'data-testid': `permit-analysis-${a.id}`,
          'data-verdict': a.verdict,
        }) as React.HTMLAttributes<HTMLElement>
      }
      columns={[
        {
          title: t('permit.analysis.takenAt'),
          width: phone ? 90 : 150,
          render: (_: unknown, a) => (
            <>
              {when(a.takenAt)}
              {a.source === 'live' && <Tag style={{ marginInlineStart: 4 }}>{t('permit.analysis.live')}</Tag>}
            </>
          ),
        },
        ...(phone
          ? []
          : [
              { title: t('permit.analysis.samplePoint'), dataIndex: 'samplePoint' },
              {
                title: t('permit.analysis.analyst'),
                width: 100,
                render: (_: unknown, a: PermitAnalysis) => a.analyst?.name ?? t('permit.analysis.system'),
              },
            ]),
        {
          title: t('permit.analysis.readings'),
          render: (_: unknown, a) => (
            <Flex vertical gap={2}>
              {phone && <Typography.Text type="secondary">{a.samplePoint}</Typography.Text>}
              {a.readings.map((r) => (
                <span
                  key={`${r.gas}-${r.unit}`}
                  style={{ color: r.verdict === 'fail' ? '#cf1322' : undefined }}
                >
                  {r.gas} {r.value} {r.unit}
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {' '}
                    （{words(r.reason)}）
                  </Typography.Text>
                </span>
              ))}
            </Flex>
          ),
        },
        {
          title: t('permit.analysis.verdict'),
          width: 70,
          render: (_: unknown, a) => (
            <Tag color={a.verdict === 'pass' ? 'green' : 'red'} data-testid="permit-analysis-verdict">
              {t(`permit.analysis.${a.verdict}`)}
            </Tag>
          ),
        },
      ]}
    />
  );
}

// ─── Actions ────────────────────────────────────────────────────────────────────────────────────

interface ExtraValues {
  takenAt?: Dayjs;
  samplePoint?: string;
  readings?: PermitReadingInput[];
  opinion?: string;
  reason?: string;
  remark?: string;
  acceptConflicts?: boolean;
}

/** The readings an analyst starts from, by type: the gases the standard asks about. */
function defaultReadings(type: PermitType): Partial<PermitReadingInput>[] {
  if (type === 'confined_space')
    return [
      { gas: 'O2', unit: '%vol' },
      { gas: 'CH4', unit: '%LEL' },
      { gas: 'H2S', unit: 'ppm' },
    ];
  return [{ gas: 'CH4', unit: '%vol' }];
}

function Actions({ permit: p }: { permit: PermitDetail }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const act = usePermitAction();
  const del = useDeletePermit();
  const [signing, setSigning] = useState<SignedAction | null>(null);
  const [reasonFor, setReasonFor] = useState<PermitAction | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [extra] = Form.useForm<ExtraValues>();

  const open = (a: PermitAction) => {
    setRefusal(null);
    if (a === 'edit') return void navigate(`/permits/new?edit=${p.id}`);
    if (REASON_ACTIONS.has(a)) return setReasonFor(a);
    if (SIGNED.has(a)) {
      extra.resetFields();
      extra.setFieldsValue({
        takenAt: dayjs(),
        readings: defaultReadings(p.type) as PermitReadingInput[],
        acceptConflicts: false,
      });
      setSigning(a as SignedAction);
    }
  };

  const sign = async (signature: SignInput) => {
    const action = signing!;
    const v = await extra.validateFields().catch(() => {
      throw new Error(t('permit.form.fixFields'));
    });
    let body: Record<string, unknown> = { signature };
    if (action === 'analyze')
      body = {
        signature,
        takenAt: (v.takenAt ?? dayjs()).toDate().toISOString(),
        samplePoint: v.samplePoint?.trim(),
        readings: (v.readings ?? []).map((r) => ({ gas: r.gas, value: r.value, unit: r.unit })),
      };
    if (action === 'approve') body = { signature, opinion: v.opinion?.trim() ?? '' };
    if (action === 'stop') body = { signature, reason: v.reason?.trim() };
    if (action === 'complete') body = { signature, remark: v.remark?.trim() ?? '' };
    if (action === 'submit') body = { signature, acceptConflicts: !!v.acceptConflicts };
    try {
      await act.mutateAsync({ id: p.id, action, body });
    } catch (e) {
      // the dialog shows it and stays open: a wrong password in its own words (attempts left), the
      // other refusals (separation of duties, a stale analysis) in this page's
      if (e instanceof ApiError && e.code === 'reauthentication_failed') throw e;
      throw new Error(refusalText(t, e));
    }
    setSigning(null);
    void message.success(t('permit.detail.signed', { action: word(PERMIT_ACTION_LABELS, action) }));
  };

  const withReason = async (reason: string) => {
    const a = reasonFor!;
    try {
      if (a === 'delete') {
        await del.mutateAsync({ id: p.id, reason });
        void navigate('/permits');
        return;
      }
      const out = await act.mutateAsync({ id: p.id, action: a, body: { reason } });
      if (a === 'revise') void navigate(`/permits/${out.id}`);
    } catch (e) {
      setRefusal(refusalText(t, e));
      throw e;
    }
  };

  const needsConflictConsent = p.conflicts.some((c) => c.decision === 'needs_approval');
  return (
    <Card size="small" title={t('permit.section.actions')} data-testid="permit-actions">
      {refusal && (
        <Alert
          type="error"
          showIcon
          closable={{ onClose: () => setRefusal(null) }}
          title={refusal}
          style={{ marginBottom: 8 }}
          data-testid="permit-refusal"
        />
      )}
      {p.actions.length === 0 ? (
        <Typography.Text type="secondary">{t('permit.detail.noActions')}</Typography.Text>
      ) : (
        <Flex wrap gap={8}>
          {p.actions.map((a) => (
            <Button
              key={a}
              type={SIGNED.has(a) && !DANGER.has(a) ? 'primary' : 'default'}
              danger={DANGER.has(a)}
              onClick={() => open(a)}
              data-testid={`permit-action-${a}`}
            >
              {word(PERMIT_ACTION_LABELS, a)}
            </Button>
          ))}
        </Flex>
      )}
      {signing && (
        <SignatureDialog
          open
          meaning={PERMIT_ACTION_MEANINGS[signing]}
          title={`${word(PERMIT_ACTION_LABELS, signing)} · ${p.code}`}
          summary={
            <Form form={extra} layout="vertical" component="div">
              <Typography.Paragraph style={{ marginBottom: 8 }}>
                {typeWord(p.type)} · {p.title} · {p.location}
              </Typography.Paragraph>
              <ExtraFields action={signing} permit={p} needsConflictConsent={needsConflictConsent} />
            </Form>
          }
          onSign={sign}
          onCancel={() => setSigning(null)}
        />
      )}
      <ReasonModal
        open={reasonFor !== null}
        danger={reasonFor !== null && DANGER.has(reasonFor)}
        title={reasonFor ? `${word(PERMIT_ACTION_LABELS, reasonFor)} · ${p.code}` : ''}
        okText={reasonFor ? word(PERMIT_ACTION_LABELS, reasonFor) : undefined}
        onConfirm={withReason}
        onClose={() => setReasonFor(null)}
      >
        {reasonFor === 'revise' && (
          <Alert type="info" showIcon title={t('permit.detail.reviseHint')} style={{ marginBottom: 8 }} />
        )}
      </ReasonModal>
    </Card>
  );
}

function ExtraFields(props: { action: SignedAction; permit: PermitDetail; needsConflictConsent: boolean }) {
  const { t } = useTranslation();
  const rules = useQuery(permitRulesQuery);
  const required = [{ required: true, message: t('permit.form.required') }];
  const { action, permit: p } = props;
  switch (action) {
    case 'analyze':
      return (
        <>
          <Form.Item name="takenAt" label={t('permit.analysis.takenAt')} rules={required}>
            <DatePicker
              showTime={{ format: 'HH:mm' }}
              format="YYYY-MM-DD HH:mm"
              inputReadOnly
              style={{ width: '100%' }}
            />
          </Form.Item>
          <Form.Item
            name="samplePoint"
            label={t('permit.analysis.samplePoint')}
            rules={[{ ...required[0], whitespace: true }]}
          >
            <Input maxLength={200} data-testid="permit-analysis-point" />
          </Form.Item>
          <Form.List name="readings">
            {(fields, { add, remove }) => (
              <Flex vertical gap={6}>
                {fields.map((f, i) => (
                  <Flex key={f.key} gap={6} align="flex-start">
                    <Form.Item name={[f.name, 'gas']} rules={required} style={{ marginBottom: 0, width: 96 }}>
                      <Select
                        showSearch
                        options={(rules.data?.gases ?? []).map((g) => ({ value: g.code, label: g.code }))}
                        aria-label={t('permit.analysis.gas')}
                        data-testid={`permit-reading-${i}-gas`}
                      />
                    </Form.Item>
                    <Form.Item name={[f.name, 'value']} rules={required} style={{ marginBottom: 0, flex: 1 }}>
                      <InputNumber
                        min={0}
                        style={{ width: '100%' }}
                        placeholder={t('permit.analysis.value')}
                        data-testid={`permit-reading-${i}-value`}
                      />
                    </Form.Item>
                    <Form.Item
                      name={[f.name, 'unit']}
                      rules={required}
                      style={{ marginBottom: 0, width: 84 }}
                    >
                      <Select
                        options={PERMIT_GAS_UNITS.map((u) => ({ value: u, label: u }))}
                        aria-label={t('permit.analysis.unit')}
                      />
                    </Form.Item>
                    <Button
                      icon={<DeleteOutlined />}
                      aria-label={t('common.delete')}
                      disabled={fields.length === 1}
                      onClick={() => remove(f.name)}
                    />
                  </Flex>
                ))}
                <Button size="small" icon={<PlusOutlined />} onClick={() => add({ unit: 'ppm' })}>
                  {t('permit.analysis.addReading')}
                </Button>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('permit.analysis.serverJudges')}
                </Typography.Text>
              </Flex>
            )}
          </Form.List>
        </>
      );
    case 'approve':
      return (
        <Form.Item name="opinion" label={t('permit.detail.opinion')}>
          <Input.TextArea rows={2} maxLength={500} data-testid="permit-approve-opinion" />
        </Form.Item>
      );
    case 'stop':
      return (
        <Form.Item
          name="reason"
          label={t('reason.label')}
          rules={[{ required: true, whitespace: true, min: 3, message: t('reason.required') }]}
        >
          <Input.TextArea rows={2} maxLength={500} data-testid="permit-stop-reason" />
        </Form.Item>
      );
    case 'complete':
      return (
        <Form.Item name="remark" label={t('permit.detail.remark')}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
      );
    case 'confirm_measures':
      return (
        <ul style={{ margin: 0, paddingInlineStart: 20, maxHeight: 200, overflow: 'auto' }}>
          {p.measures
            .filter((m) => m.applies && !m.confirmedBy)
            .map((m) => (
              <li key={m.code}>{m.text}</li>
            ))}
        </ul>
      );
    case 'submit':
      return props.needsConflictConsent ? (
        <Form.Item
          name="acceptConflicts"
          valuePropName="checked"
          rules={[
            {
              validator: (_, v: boolean) =>
                v ? Promise.resolve() : Promise.reject(new Error(t('permit.detail.acceptConflictsRequired'))),
            },
          ]}
        >
          <Checkbox data-testid="permit-accept-conflicts">{t('permit.detail.acceptConflicts')}</Checkbox>
        </Form.Item>
      ) : null;
    case 'activate':
      return <Typography.Text type="secondary">{t('permit.detail.activateHint')}</Typography.Text>;
    case 'resume':
      return <Typography.Text type="secondary">{t('permit.detail.resumeHint')}</Typography.Text>;
    default:
      return null;
  }
}
