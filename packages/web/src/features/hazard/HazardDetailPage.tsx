import {
  HAZARD_TYPE_LABELS,
  HAZARD_TYPES,
  type HazardAction,
  type HazardDetail,
  type HazardPhoto,
  type HazardState,
  type Permission,
} from '@aegis/shared';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Empty,
  Flex,
  Form,
  Grid,
  Image,
  Input,
  InputNumber,
  Radio,
  Select,
  Space,
  Spin,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { canAt, useMe } from '../../app/auth';
import { ReasonField } from '../../app/ReasonField';
import { orgListQuery } from '../org/api';
import { UserSelect } from '../users/UserSelect';
import { hazardQuery, photoFileUrl, photoThumbUrl, uploadHazardPhoto, useHazardAction } from './api';
import { PhotoPicker } from './PhotoPicker';
import {
  GradeTag,
  gradeWord,
  refusalText,
  StateTag,
  sourceWord,
  stateWord,
  treatmentWord,
  typeWord,
  when,
  word,
} from './parts';

/** Where each action starts and what it needs (the server's machine decides; this only places buttons). */
const ACTIONS: { action: HazardAction; from: HazardState; permission: Permission; danger?: boolean }[] = [
  { action: 'triage', from: 'reported', permission: 'hazard.manage' },
  { action: 'reject', from: 'reported', permission: 'hazard.manage', danger: true },
  { action: 'approve', from: 'approval', permission: 'hazard.approve' },
  { action: 'reject_plan', from: 'approval', permission: 'hazard.approve', danger: true },
  { action: 'rectify', from: 'rectifying', permission: 'hazard.rectify' },
  { action: 'verify', from: 'verifying', permission: 'hazard.verify' },
  { action: 'reopen', from: 'verifying', permission: 'hazard.verify', danger: true },
];

export function HazardDetailPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const hazard = useQuery(hazardQuery(Number(id)));
  const { data: me } = useMe();
  const phone = Grid.useBreakpoint().md === false;
  const [open, setOpen] = useState<HazardAction | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);

  if (hazard.isLoading) return <Spin />;
  if (!hazard.data) return <Empty description={hazard.error ? refusalText(t, hazard.error) : undefined} />;
  const h = hazard.data;
  // buttons: what the state allows and the person may do here; the server says which are refused
  const shown = ACTIONS.filter((a) => a.from === h.state && canAt(me, a.permission, h));
  const before = h.photos.filter((p) => p.stage === 'before');
  const after = h.photos.filter((p) => p.stage === 'after');

  return (
    <Flex vertical gap={12} style={{ maxWidth: 960 }} data-testid="hazard-detail">
      <Link to="/hazards">← {t('hazard.register')}</Link>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={4} style={{ margin: 0 }} data-testid="hazard-title">
          {h.code} {h.title}
        </Typography.Title>
        <Space>
          <GradeTag grade={h.grade} />
          <StateTag state={h.state} />
          {h.overdue && (
            <Tag color="red" data-testid="hazard-overdue">
              {t('hazard.overdue')}
            </Tag>
          )}
        </Space>
      </Flex>

      <Card size="small">
        <Descriptions size="small" column={phone ? 1 : 2}>
          <Descriptions.Item label={t('hazard.col.location')}>
            {[h.location, h.place].filter(Boolean).join(' · ')}
          </Descriptions.Item>
          <Descriptions.Item label={t('hazard.detail.source')}>{sourceWord(h.source)}</Descriptions.Item>
          <Descriptions.Item label={t('hazard.detail.reportedBy')}>
            {h.reportedBy.name} · {when(h.reportedAt)}
          </Descriptions.Item>
          {h.grade && (
            <Descriptions.Item label={t('hazard.col.grade')}>{gradeWord(h.grade)}</Descriptions.Item>
          )}
          {h.type && (
            <Descriptions.Item label={t('hazard.detail.type')}>{typeWord(h.type)}</Descriptions.Item>
          )}
          {h.treatment && (
            <Descriptions.Item label={t('hazard.detail.treatment')}>
              {treatmentWord(h.treatment)}
            </Descriptions.Item>
          )}
          {h.responsible && (
            <Descriptions.Item label={t('hazard.detail.responsible')}>
              <span data-testid="hazard-responsible">{h.responsible.name}</span>
            </Descriptions.Item>
          )}
          {h.department && (
            <Descriptions.Item label={t('hazard.detail.department')}>{h.department.name}</Descriptions.Item>
          )}
          {h.deadline && (
            <Descriptions.Item label={t('hazard.detail.deadline')}>{when(h.deadline)}</Descriptions.Item>
          )}
          {h.funds !== null && (
            <Descriptions.Item label={t('hazard.detail.funds')}>{h.funds}</Descriptions.Item>
          )}
          {h.inspection && (
            <Descriptions.Item label={t('hazard.detail.inspection')}>
              <Link to={`/inspection/tasks/${h.inspection.taskId}`}>
                #{h.inspection.taskId} {h.inspection.itemLabel}
              </Link>
              {h.inspection.reading &&
                ` · ${h.inspection.reading.value} ${h.inspection.reading.unit} (${h.inspection.reading.low ?? '—'} ~ ${h.inspection.reading.high ?? '—'})`}
            </Descriptions.Item>
          )}
        </Descriptions>
        {h.description && (
          <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginTop: 8 }}>
            {h.description}
          </Typography.Paragraph>
        )}
        {h.cause && (
          <Typography.Paragraph>
            <b>{t('hazard.detail.cause')}：</b>
            {h.cause}
          </Typography.Paragraph>
        )}
        {h.measures && (
          <Typography.Paragraph>
            <b>{t('hazard.detail.measures')}：</b>
            {h.measures}
          </Typography.Paragraph>
        )}
        {h.rectification && (
          <Typography.Paragraph data-testid="hazard-rectification">
            <b>{t('hazard.detail.rectification')}：</b>
            {h.rectification}
            {h.rectifiedBy && ` — ${h.rectifiedBy.name} ${when(h.rectifiedAt)}`}
          </Typography.Paragraph>
        )}
        {h.verifiedBy && (
          <Typography.Paragraph>
            <b>{t('hazard.detail.verifiedBy')}：</b>
            {h.verifiedBy.name} · {when(h.closedAt)}
          </Typography.Paragraph>
        )}
      </Card>

      <Card size="small" title={t('hazard.detail.photosBefore')}>
        <Photos photos={before} testId="hazard-photos-before" />
      </Card>
      {(after.length > 0 || h.state === 'verifying' || h.state === 'closed') && (
        <Card size="small" title={t('hazard.detail.photosAfter')}>
          <Photos photos={after} testId="hazard-photos-after" />
        </Card>
      )}

      <Card size="small" data-testid="hazard-actions">
        {refusal && (
          <Alert
            type="error"
            showIcon
            closable
            onClose={() => setRefusal(null)}
            message={refusal}
            style={{ marginBottom: 12 }}
            data-testid="hazard-refusal"
          />
        )}
        {shown.length === 0 ? (
          <Typography.Text type="secondary">{t('hazard.detail.noActions')}</Typography.Text>
        ) : (
          <Flex wrap gap={8}>
            {shown.map((a) => (
              <Button
                key={a.action}
                type={open === a.action ? 'primary' : 'default'}
                danger={a.danger}
                onClick={() => {
                  setRefusal(null);
                  setOpen(open === a.action ? null : a.action);
                }}
                data-testid={`hazard-action-${a.action}`}
              >
                {t(`hazard.action.${a.action}`)}
              </Button>
            ))}
          </Flex>
        )}
        {open && shown.some((a) => a.action === open) && (
          <div style={{ marginTop: 12 }}>
            <ActionForm
              key={`${open}-${h.state}`}
              hazard={h}
              action={open}
              onDone={() => setOpen(null)}
              onRefused={setRefusal}
            />
          </div>
        )}
      </Card>

      <Card size="small" title={t('hazard.detail.timeline')}>
        <Timeline
          data-testid="hazard-timeline"
          items={h.history.map((x) => ({
            key: x.id,
            color: x.action === 'reopen' || x.action.startsWith('reject') ? 'red' : 'blue',
            children: (
              <div data-testid={`hazard-timeline-${x.action}`}>
                <b>{t(`hazard.action.${x.action}`, { defaultValue: x.action })}</b> · {x.actor.name} ·{' '}
                {when(x.at)}
                {x.fromState !== null && (
                  <Typography.Text type="secondary">
                    {' '}
                    （{stateWord(x.fromState)} → {stateWord(x.toState)}）
                  </Typography.Text>
                )}
                {x.reason && <div>{x.reason}</div>}
                {typeof x.data.note === 'string' && x.data.note && <div>{x.data.note}</div>}
              </div>
            ),
          }))}
        />
        {h.timers.length > 0 && (
          <Typography.Text type="secondary">
            {t('hazard.detail.timers')}：
            {h.timers
              .map((x) => `${t(`hazard.detail.timerKey.${x.key}`, { defaultValue: x.key })} ${when(x.dueAt)}`)
              .join('；')}
          </Typography.Text>
        )}
      </Card>
    </Flex>
  );
}

function Photos({ photos, testId }: { photos: HazardPhoto[]; testId: string }) {
  const { t } = useTranslation();
  if (!photos.length)
    return <Typography.Text type="secondary">{t('hazard.detail.noPhotos')}</Typography.Text>;
  return (
    <Image.PreviewGroup>
      <Flex wrap gap={8} data-testid={testId}>
        {photos.map((p) => (
          <Flex key={p.id} vertical gap={4} style={{ width: 120 }}>
            <Image
              src={photoThumbUrl(p.id)}
              preview={{ src: photoFileUrl(p.id) }}
              width={120}
              height={120}
              style={{ objectFit: 'cover' }}
            />
            {p.flags.map((f) => (
              <Tag key={f.code} color={p.review?.decision === 'accepted' ? 'default' : 'orange'}>
                {word({ x: f.message }, 'x')}
              </Tag>
            ))}
            {p.flags.length > 0 && !p.review && <Tag color="orange">{t('hazard.detail.flagged')}</Tag>}
          </Flex>
        ))}
      </Flex>
    </Image.PreviewGroup>
  );
}

interface FormValues {
  grade?: 'general' | 'major';
  type?: string;
  treatment?: 'immediate' | 'deadline';
  deadline?: Dayjs | null;
  responsibleId?: number | null;
  departmentId?: number | null;
  cause?: string;
  measures?: string;
  funds?: number | null;
  reason?: string;
  note?: string;
  description?: string;
}

function ActionForm(props: {
  hazard: HazardDetail;
  action: HazardAction;
  onDone: () => void;
  onRefused: (text: string) => void;
}) {
  const { t } = useTranslation();
  const { hazard: h, action } = props;
  const [form] = Form.useForm<FormValues>();
  const [photos, setPhotos] = useState<File[]>([]);
  const [busy, setBusy] = useState(false);
  const act = useHazardAction();
  const departments = useQuery({ ...orgListQuery('departments'), enabled: action === 'triage' });
  const grade = Form.useWatch('grade', form);
  const treatment = Form.useWatch('treatment', form);

  const submit = async (v: FormValues) => {
    setBusy(true);
    try {
      let body: Record<string, unknown>;
      switch (action) {
        case 'triage':
          body = {
            grade: v.grade,
            type: v.type,
            treatment: v.treatment,
            deadline: v.treatment === 'deadline' && v.deadline ? v.deadline.toDate().toISOString() : null,
            responsibleId: v.responsibleId ?? null,
            departmentId: v.departmentId ?? null,
            cause: v.cause ?? '',
            measures: v.measures ?? '',
            funds: v.funds ?? null,
          };
          break;
        case 'reject':
        case 'reject_plan':
          body = { reason: v.reason };
          break;
        case 'reopen':
          body = {
            reason: v.reason,
            deadline: v.deadline ? v.deadline.toDate().toISOString() : null,
            responsibleId: v.responsibleId ?? null,
          };
          break;
        case 'rectify': {
          const ids: number[] = [];
          for (const p of photos) ids.push(await uploadHazardPhoto(h.id, p));
          body = { description: v.description, photoIds: ids };
          break;
        }
        default:
          body = v.note ? { note: v.note } : {};
      }
      await act.mutateAsync({ id: h.id, action, body: body as never });
      props.onDone();
    } catch (e) {
      props.onRefused(refusalText(t, e));
    } finally {
      setBusy(false);
    }
  };

  const required = [{ required: true, message: t('hazard.form.required') }];
  return (
    <Form<FormValues>
      form={form}
      layout="vertical"
      initialValues={{ treatment: 'deadline', grade: 'general' }}
      onFinish={(v) => void submit(v)}
      data-testid={`hazard-form-${action}`}
    >
      {action === 'triage' && (
        <>
          <Form.Item name="grade" label={t('hazard.form.grade')} rules={required}>
            <Radio.Group
              optionType="button"
              options={[
                { value: 'general', label: gradeWord('general') },
                { value: 'major', label: gradeWord('major') },
              ]}
              data-testid="hazard-triage-grade"
            />
          </Form.Item>
          {grade === 'major' && (
            <Alert type="warning" message={t('hazard.form.majorHint')} style={{ marginBottom: 12 }} />
          )}
          <Form.Item name="type" label={t('hazard.form.type')} rules={required}>
            <Select
              options={HAZARD_TYPES.map((x) => ({ value: x, label: word(HAZARD_TYPE_LABELS, x) }))}
              data-testid="hazard-triage-type"
            />
          </Form.Item>
          <Form.Item name="treatment" label={t('hazard.form.treatment')} rules={required}>
            <Radio.Group
              optionType="button"
              options={[
                { value: 'deadline', label: treatmentWord('deadline') },
                { value: 'immediate', label: treatmentWord('immediate'), disabled: grade === 'major' },
              ]}
              data-testid="hazard-triage-treatment"
            />
          </Form.Item>
          {treatment === 'immediate' && (
            <Alert type="info" message={t('hazard.form.immediateHint')} style={{ marginBottom: 12 }} />
          )}
          {treatment === 'deadline' && (
            <>
              <Form.Item name="deadline" label={t('hazard.form.deadline')} rules={required}>
                <DatePicker
                  showTime={{ format: 'HH:mm' }}
                  format="YYYY-MM-DD HH:mm"
                  data-testid="hazard-triage-deadline"
                />
              </Form.Item>
              <Form.Item name="responsibleId" label={t('hazard.form.responsible')} rules={required}>
                <UserSelect id="hazard-triage-responsible" />
              </Form.Item>
            </>
          )}
          <Form.Item name="departmentId" label={t('hazard.form.department')}>
            <Select
              allowClear
              showSearch={{ optionFilterProp: 'label' }}
              options={(departments.data ?? []).map((d) => ({ value: d.id, label: d.name }))}
            />
          </Form.Item>
          <Form.Item name="cause" label={t('hazard.form.cause')}>
            <Input.TextArea rows={2} maxLength={2000} data-testid="hazard-triage-cause" />
          </Form.Item>
          <Form.Item name="measures" label={t('hazard.form.measures')}>
            <Input.TextArea rows={3} maxLength={4000} data-testid="hazard-triage-measures" />
          </Form.Item>
          <Form.Item name="funds" label={t('hazard.form.funds')}>
            <InputNumber min={0} style={{ width: 160 }} data-testid="hazard-triage-funds" />
          </Form.Item>
        </>
      )}
      {(action === 'reject' || action === 'reject_plan' || action === 'reopen') && <ReasonField />}
      {action === 'reopen' && (
        <>
          <Form.Item
            name="deadline"
            label={t('hazard.form.newDeadline')}
            rules={h.treatment === 'immediate' ? required : []}
          >
            <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" />
          </Form.Item>
          <Form.Item
            name="responsibleId"
            label={t('hazard.form.newResponsible')}
            rules={h.treatment === 'immediate' ? required : []}
          >
            <UserSelect />
          </Form.Item>
        </>
      )}
      {(action === 'approve' || action === 'verify') && (
        <Form.Item name="note" label={t('hazard.form.note')}>
          <Input.TextArea rows={2} maxLength={500} data-testid={`hazard-${action}-note`} />
        </Form.Item>
      )}
      {action === 'rectify' && (
        <>
          <Form.Item
            name="description"
            label={t('hazard.form.description')}
            rules={[{ required: true, whitespace: true, message: t('hazard.form.required') }]}
          >
            <Input.TextArea rows={3} maxLength={4000} data-testid="hazard-rectify-description" />
          </Form.Item>
          <Form.Item label={t('hazard.form.afterPhotos')} required>
            <PhotoPicker value={photos} onChange={setPhotos} testId="hazard-rectify-photo" />
          </Form.Item>
        </>
      )}
      <Button
        type="primary"
        htmlType="submit"
        loading={busy}
        disabled={action === 'rectify' && photos.length === 0}
        block
        data-testid={`hazard-submit-${action}`}
      >
        {t(`hazard.action.${action}`)}
      </Button>
    </Form>
  );
}
