import type { EvidencePhoto, ItemResult, TaskDetail, TemplateItem } from '@aegis/shared';
import {
  ArrowLeftOutlined,
  CheckOutlined,
  CloseOutlined,
  EnvironmentOutlined,
  FlagOutlined,
  QrcodeOutlined,
  StopOutlined,
  UserSwitchOutlined,
  WarningOutlined,
} from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Descriptions,
  Empty,
  Form,
  Grid,
  Image,
  Modal,
  Result,
  Select,
  Space,
  Spin,
  Tag,
  Timeline,
  Tooltip,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../app/api';
import { canAnywhere, useMe } from '../../app/auth';
import { errorText } from '../../app/errorText';
import { ReasonField, ReasonModal } from '../../app/ReasonField';
import { auditQuery } from '../audit/api';
import { useUserNames } from '../users/UserSelect';
import {
  evidenceFileUrl,
  evidenceThumbUrl,
  taskEvidenceQuery,
  taskQuery,
  useCancelTask,
  useReassignTask,
  useReviewEvidence,
} from './api';
import { ItemKindTag } from './ItemEditor';
import { shortTime, TaskResultTag, TaskStateTag, useAssignees } from './parts';
import { parseAssigneeKey } from './planForm';
import { formatReading, isPending, limitBreach, liveDifference } from './present';
import { limitsText } from './templateForm';
import { historySteps, taskTimeline } from './timeline';

const RED = '#cf1322';

/** One inspection task: header, answers against limits and live values, photos and their flags, hazards, history. */
export function TaskDetailPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const taskId = Number(id);
  const valid = Number.isInteger(taskId) && taskId > 0;
  const task = useQuery({ ...taskQuery(taskId), enabled: valid });
  const back = (
    <Link to="/inspection/tasks">
      <ArrowLeftOutlined /> {t('inspection.task.back')}
    </Link>
  );
  if (!valid || task.error) {
    const notFound = !valid || (task.error instanceof ApiError && task.error.status === 404);
    return (
      <Result
        status={notFound ? '404' : 'error'}
        title={notFound ? t('inspection.task.notFound') : errorText(t, task.error)}
        extra={back}
      />
    );
  }
  if (!task.data) return <Spin style={{ display: 'block', margin: '48px auto' }} />;
  return <TaskView task={task.data} back={back} />;
}

function TaskView({ task, back }: { task: TaskDetail; back: React.ReactNode }) {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const phone = Grid.useBreakpoint().md === false;
  const manage = canAnywhere(me, 'inspection.manage');
  const [dialog, setDialog] = useState<'cancel' | 'reassign' | null>(null);
  const cancel = useCancelTask();
  const itemByKey = new Map(task.items.map((i) => [i.key, i]));
  const hazards = Object.values(task.results).filter((r) => r.hazardId !== null);

  return (
    <Space
      orientation="vertical"
      size={12}
      style={{ width: '100%' }}
      data-testid="task-detail"
      data-task-state={task.state}
    >
      {back}
      <Card
        size="small"
        title={
          <Space wrap size={4}>
            <span>{task.checkpointName}</span>
            <TaskStateTag state={task.state} />
            <TaskResultTag result={task.result} />
          </Space>
        }
        extra={
          manage &&
          isPending(task.state) && (
            <Space size={4}>
              <Button size="small" icon={<UserSwitchOutlined />} onClick={() => setDialog('reassign')}>
                {phone ? null : t('inspection.task.reassign')}
              </Button>
              <Button size="small" danger icon={<StopOutlined />} onClick={() => setDialog('cancel')}>
                {phone ? null : t('inspection.task.cancel')}
              </Button>
            </Space>
          )
        }
      >
        <Header task={task} />
      </Card>

      {task.flags.length > 0 && <FlagsCard task={task} itemByKey={itemByKey} />}

      <Card size="small" title={t('inspection.task.results')} data-testid="task-results">
        <Results task={task} />
      </Card>

      <EvidenceCard task={task} itemByKey={itemByKey} />

      {hazards.length > 0 && (
        <Card size="small" title={t('inspection.task.hazards')} data-testid="task-hazards">
          <Space orientation="vertical" size={4}>
            {hazards.map((r) => (
              <Space key={r.key} wrap>
                <WarningOutlined style={{ color: RED }} />
                <Link to={`/hazards/${r.hazardId}`}>{r.hazardCode ?? `#${r.hazardId}`}</Link>
                <Typography.Text type="secondary">
                  {itemByKey.get(r.key)?.label ?? r.key}
                  {r.abnormalReason ? ` · ${r.abnormalReason}` : ''}
                </Typography.Text>
              </Space>
            ))}
          </Space>
        </Card>
      )}

      <HistoryCard task={task} />

      <ReasonModal
        open={dialog === 'cancel'}
        danger
        title={t('inspection.task.cancelTitle', { name: task.checkpointName })}
        okText={t('inspection.task.cancel')}
        onClose={() => setDialog(null)}
        onConfirm={(reason) => cancel.mutateAsync({ id: task.id, reason })}
      />
      <ReassignModal task={task} open={dialog === 'reassign'} onClose={() => setDialog(null)} />
    </Space>
  );
}

function Header({ task }: { task: TaskDetail }) {
  const { t } = useTranslation();
  const phone = Grid.useBreakpoint().md === false;
  const scan = task.scan ? (
    <Space size={4} wrap>
      <Tag color="green" icon={<QrcodeOutlined />}>
        {t('inspection.task.scannedAt', { at: shortTime(task.scan.at) })}
      </Tag>
      {task.scan.distanceM !== null && (
        <Tag
          icon={<EnvironmentOutlined />}
          color={
            task.checkpoint.radiusM !== null && task.scan.distanceM > task.checkpoint.radiusM
              ? 'red'
              : 'default'
          }
        >
          {t('inspection.task.distance', { m: Math.round(task.scan.distanceM) })}
        </Tag>
      )}
    </Space>
  ) : (
    <Tag color={task.requireScan ? 'orange' : 'default'} icon={<QrcodeOutlined />}>
      {task.requireScan ? t('inspection.task.notScannedRequired') : t('inspection.task.notScanned')}
    </Tag>
  );
  const late = task.state === 'overdue' || task.state === 'missed' || task.state === 'done_late';
  return (
    <Descriptions
      size="small"
      column={phone ? 1 : 3}
      items={[
        { key: 'plan', label: t('inspection.task.plan'), children: task.planName },
        {
          key: 'cp',
          label: t('inspection.task.checkpoint'),
          children: `${task.checkpointName} (${task.checkpointCode}) · ${task.nodeName}`,
        },
        {
          key: 'tpl',
          label: t('inspection.task.template'),
          children: `${task.templateName} v${task.templateVersion}`,
        },
        { key: 'who', label: t('inspection.task.assignee'), children: task.assignee.name },
        { key: 'shift', label: t('inspection.task.shift'), children: task.shiftName ?? '—' },
        { key: 'occ', label: t('inspection.task.occurrence'), children: shortTime(task.occurrenceAt) },
        {
          key: 'window',
          label: t('inspection.task.window'),
          children: (
            <Typography.Text type={late ? 'danger' : undefined}>
              {shortTime(task.opensAt)} – {shortTime(task.dueAt, false)}
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {' '}
                ({t('inspection.task.missedAfter', { at: shortTime(task.missedAt) })})
              </Typography.Text>
            </Typography.Text>
          ),
        },
        {
          key: 'done',
          label: t('inspection.task.doneBy'),
          children: task.doneAt ? `${task.doneByName ?? '—'} · ${shortTime(task.doneAt)}` : '—',
        },
        { key: 'scan', label: t('inspection.task.scan'), children: scan },
        ...(task.comment
          ? [{ key: 'comment', label: t('inspection.task.comment'), children: task.comment }]
          : []),
      ]}
    />
  );
}

function FlagsCard({ task, itemByKey }: { task: TaskDetail; itemByKey: Map<string, TemplateItem> }) {
  const { t, i18n } = useTranslation();
  return (
    <Card size="small" title={t('inspection.task.flags')} data-testid="task-flag-list">
      <Space orientation="vertical" size={6} style={{ width: '100%' }}>
        {task.flags.map((f, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: flags are an append-only list without ids
          <div key={i} data-flag={f.code}>
            <Space wrap size={4}>
              <Tag color="warning" icon={<FlagOutlined />}>
                {t(`inspection.flag.${f.code}`)}
              </Tag>
              {f.itemKey && (
                <Typography.Text type="secondary">
                  {itemByKey.get(f.itemKey)?.label ?? f.itemKey}
                </Typography.Text>
              )}
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {shortTime(f.at)}
              </Typography.Text>
            </Space>
            <div>
              {/* the server's words are Chinese; in English the flag's explanation stands first */}
              <Typography.Text style={{ fontSize: 13 }}>
                {i18n.language === 'en-US'
                  ? `${t(`inspection.flagHelp.${f.code}`)} (${f.message})`
                  : f.message}
              </Typography.Text>
            </div>
          </div>
        ))}
      </Space>
    </Card>
  );
}

function Results({ task }: { task: TaskDetail }) {
  const { t } = useTranslation();
  const submitted = Object.keys(task.results).length > 0;
  if (!submitted)
    return (
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Typography.Text type="secondary">
          {task.state === 'missed' ? t('inspection.task.notChecked') : t('inspection.task.notSubmitted')}
        </Typography.Text>
        <ol style={{ margin: 0, paddingInlineStart: 20 }}>
          {task.items.map((i) => (
            <li key={i.key}>
              <ItemKindTag kind={i.kind} /> {i.label}
              {i.kind === 'numeric' && limitsText(i) && (
                <Typography.Text type="secondary"> （{limitsText(i)}）</Typography.Text>
              )}
            </li>
          ))}
        </ol>
      </Space>
    );
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 8 }}>
      {task.items.map((item, i) => (
        <ResultRow key={item.key} index={i} item={item} result={task.results[item.key]} task={task} />
      ))}
    </div>
  );
}

function valueWords(
  item: TemplateItem,
  r: ItemResult | undefined,
  t: (k: string, o?: Record<string, unknown>) => string,
) {
  if (item.kind === 'photo' && r && r.photoIds.length > 0)
    return t('inspection.answer.photos', { n: r.photoIds.length });
  if (!r || r.value === null) return '—';
  if (item.kind === 'pass_fail') {
    const pass = r.value === 'pass' || r.value === true;
    return pass ? t('inspection.answer.pass') : t('inspection.answer.fail');
  }
  return formatReading(item, r.value);
}

function ResultRow({
  index,
  item,
  result,
  task,
}: {
  index: number;
  item: TemplateItem;
  result: ItemResult | undefined;
  task: TaskDetail;
}) {
  const { t } = useTranslation();
  const abnormal = result?.abnormal ?? false;
  const breach = limitBreach(item, result?.value ?? null);
  // the value recorded at submission; the current one when the server kept none
  const liveAtSubmit = result?.live ?? null;
  const liveNow = task.live[item.key];
  const liveValue = liveAtSubmit?.value ?? null;
  const diff = liveDifference(item, result?.value ?? null, liveValue);
  const unit = item.kind === 'numeric' && item.unit ? ` ${item.unit}` : '';
  return (
    <div
      data-item-key={item.key}
      data-abnormal={abnormal}
      style={{
        padding: '8px 10px',
        borderRadius: 6,
        border: `1px solid ${abnormal ? '#ffa39e' : '#f0f0f0'}`,
        background: abnormal ? '#fff1f0' : undefined,
      }}
    >
      <Space wrap size={4} style={{ width: '100%', justifyContent: 'space-between' }}>
        <Space size={4} wrap>
          <Typography.Text type="secondary">{index + 1}.</Typography.Text>
          <Typography.Text strong>{item.label}</Typography.Text>
          <ItemKindTag kind={item.kind} />
        </Space>
        <Typography.Text
          strong
          style={{ color: abnormal || breach ? RED : undefined, fontSize: 15 }}
          data-testid="item-value"
        >
          {valueWords(item, result, t)}
          {breach === 'high' && ' ↑'}
          {breach === 'low' && ' ↓'}
        </Typography.Text>
      </Space>
      <Space wrap size={[12, 2]} style={{ fontSize: 12 }}>
        {item.kind === 'numeric' && limitsText(item) && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('inspection.item.limits')}: {limitsText(item)}
          </Typography.Text>
        )}
        {item.tagId !== null && (liveAtSubmit || liveNow) && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="item-live">
            {t('inspection.task.live', {
              tag: liveNow?.tagCode ?? `#${item.tagId}`,
              value: liveValue === null ? '—' : `${liveValue}${unit}`,
              at: shortTime(liveAtSubmit?.at ?? null, false),
            })}
          </Typography.Text>
        )}
        {diff && (
          <Typography.Text
            style={{ fontSize: 12, color: diff.beyond ? RED : undefined }}
            data-testid="item-live-diff"
          >
            {diff.beyond
              ? t('inspection.task.diffBeyond', {
                  diff: `${diff.diff > 0 ? '+' : ''}${diff.diff}${unit}`,
                  tol: item.tolerance,
                })
              : t('inspection.task.diff', { diff: `${diff.diff > 0 ? '+' : ''}${diff.diff}${unit}` })}
          </Typography.Text>
        )}
      </Space>
      {abnormal && result?.abnormalReason && (
        <div>
          <Typography.Text style={{ color: RED, fontSize: 13 }}>{result.abnormalReason}</Typography.Text>
        </div>
      )}
      {result?.note && (
        <div>
          <Typography.Text style={{ fontSize: 13 }}>
            {t('inspection.task.note')}: {result.note}
          </Typography.Text>
        </div>
      )}
      {result?.hazardId != null && (
        <div>
          <Link to={`/hazards/${result.hazardId}`}>
            <WarningOutlined />{' '}
            {t('inspection.task.hazardRaised', { code: result.hazardCode ?? `#${result.hazardId}` })}
          </Link>
        </div>
      )}
      {(result?.photoIds.length ?? 0) > 0 && (
        <Image.PreviewGroup>
          <Space size={4} wrap style={{ marginTop: 4 }}>
            {result!.photoIds.map((pid) => (
              <Image
                key={pid}
                width={56}
                height={56}
                style={{ objectFit: 'cover', borderRadius: 4 }}
                src={evidenceThumbUrl(pid)}
                preview={{ src: evidenceFileUrl(pid) }}
                alt={item.label}
              />
            ))}
          </Space>
        </Image.PreviewGroup>
      )}
    </div>
  );
}

function EvidenceCard({ task, itemByKey }: { task: TaskDetail; itemByKey: Map<string, TemplateItem> }) {
  const { t, i18n } = useTranslation();
  const { data: me } = useMe();
  const reviewer = canAnywhere(me, 'inspection.manage');
  const photos = useQuery(taskEvidenceQuery(task.id));
  const review = useReviewEvidence(task.id);
  const [reviewing, setReviewing] = useState<{
    photo: EvidencePhoto;
    decision: 'accepted' | 'rejected';
  } | null>(null);
  const itemOf = (photoId: number) =>
    Object.values(task.results).find((r) => r.photoIds.includes(photoId))?.key;
  const list = photos.data ?? [];
  const en = i18n.language === 'en-US';

  return (
    <Card size="small" title={t('inspection.task.evidence', { n: list.length })} data-testid="task-evidence">
      {photos.isLoading ? (
        <Spin />
      ) : photos.isError ? (
        <Alert type="warning" showIcon title={errorText(t, photos.error)} />
      ) : list.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('inspection.task.noPhotos')} />
      ) : (
        <Image.PreviewGroup>
          <div
            style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(150px, 1fr))', gap: 10 }}
          >
            {list.map((p) => {
              const key = itemOf(p.id);
              return (
                <div
                  key={p.id}
                  data-photo-id={p.id}
                  data-flags={p.flags.map((f) => f.code).join(',')}
                  style={{
                    border: `1px solid ${p.flags.length && !p.review ? '#ffd591' : '#f0f0f0'}`,
                    borderRadius: 6,
                    padding: 6,
                  }}
                >
                  <Image
                    width="100%"
                    height={120}
                    style={{ objectFit: 'cover', borderRadius: 4 }}
                    src={evidenceThumbUrl(p.id)}
                    preview={{ src: evidenceFileUrl(p.id) }}
                    alt={p.fileName}
                  />
                  <div style={{ fontSize: 12, marginTop: 4 }}>
                    {key && <div>{itemByKey.get(key)?.label ?? key}</div>}
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {p.takenAt
                        ? t('inspection.photo.taken', { at: shortTime(p.takenAt) })
                        : t('inspection.photo.noTakenAt')}
                    </Typography.Text>
                  </div>
                  <Space size={[0, 4]} wrap style={{ marginTop: 4 }}>
                    {p.flags.map((f) => (
                      <Tooltip
                        key={f.code}
                        title={`${t(`inspection.evidenceFlag.help.${f.code}`)}${f.message ? ` — ${en ? f.message.en : f.message.zh}` : ''}`}
                      >
                        <Tag color="orange" data-flag={f.code}>
                          {t(`inspection.evidenceFlag.${f.code}`)}
                        </Tag>
                      </Tooltip>
                    ))}
                    {p.review && (
                      <Tooltip title={`${p.review.by.name} · ${shortTime(p.review.at)} · ${p.review.reason}`}>
                        <Tag
                          color={p.review.decision === 'accepted' ? 'green' : 'red'}
                          data-review={p.review.decision}
                        >
                          {t(`inspection.photo.${p.review.decision}`)}
                        </Tag>
                      </Tooltip>
                    )}
                  </Space>
                  {p.flags.length > 0 && (
                    <div style={{ marginTop: 4 }}>
                      {p.flags.map((f) => (
                        <Typography.Paragraph
                          key={f.code}
                          type="secondary"
                          style={{ fontSize: 11, margin: 0 }}
                        >
                          {en ? f.message.en : f.message.zh}
                        </Typography.Paragraph>
                      ))}
                    </div>
                  )}
                  {reviewer && !p.review && (
                    <Space size={4} style={{ marginTop: 6 }}>
                      <Button
                        size="small"
                        icon={<CheckOutlined />}
                        onClick={() => setReviewing({ photo: p, decision: 'accepted' })}
                        data-testid="photo-accept"
                      >
                        {t('inspection.photo.accept')}
                      </Button>
                      <Button
                        size="small"
                        danger
                        icon={<CloseOutlined />}
                        onClick={() => setReviewing({ photo: p, decision: 'rejected' })}
                        data-testid="photo-reject"
                      >
                        {t('inspection.photo.reject')}
                      </Button>
                    </Space>
                  )}
                </div>
              );
            })}
          </div>
        </Image.PreviewGroup>
      )}
      <ReasonModal
        open={!!reviewing}
        danger={reviewing?.decision === 'rejected'}
        title={
          reviewing?.decision === 'rejected'
            ? t('inspection.photo.rejectTitle', { name: reviewing.photo.fileName })
            : t('inspection.photo.acceptTitle', { name: reviewing?.photo.fileName ?? '' })
        }
        okText={
          reviewing?.decision === 'rejected' ? t('inspection.photo.reject') : t('inspection.photo.accept')
        }
        onClose={() => setReviewing(null)}
        onConfirm={(reason) =>
          review.mutateAsync({ id: reviewing!.photo.id, decision: reviewing!.decision, reason })
        }
      />
    </Card>
  );
}

function HistoryCard({ task }: { task: TaskDetail }) {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const userName = useUserNames();
  // The workflow history (who/when/why) comes with the task; older servers: the audit entries.
  const history = task.history ?? [];
  const audit = useQuery({
    ...auditQuery({ targetType: 'inspection_task', targetId: String(task.id) }, { limit: 100, offset: 0 }),
    enabled: history.length === 0 && canAnywhere(me, 'audit.read'),
    meta: { silent: true },
  });
  const steps = taskTimeline(
    task,
    new Date(),
    history.length ? historySteps(history) : (audit.data?.items ?? []),
    {
      user: (id) => {
        const n = userName(id);
        return n.startsWith('#') ? null : n;
      },
    },
  );
  return (
    <Card size="small" title={t('inspection.task.history')} data-testid="task-history">
      <Timeline
        items={steps.map((s, i) => ({
          key: i,
          color: s.bad ? 'red' : s.future ? 'gray' : s.kind === 'done' ? 'green' : 'blue',
          content: (
            <Space orientation="vertical" size={0}>
              <Typography.Text type={s.future ? 'secondary' : undefined}>
                <Typography.Text type="secondary" style={{ marginInlineEnd: 8 }}>
                  {shortTime(s.at)}
                </Typography.Text>
                {s.action
                  ? t(`audit.actionName.${s.action.replaceAll('.', '_')}`, {
                      defaultValue: t(`inspection.auditAction.${s.action.replaceAll('.', '_')}`, {
                        defaultValue: s.action,
                      }),
                    })
                  : t(`inspection.history.${s.kind}`)}
                {s.who ? ` · ${s.who}` : ''}
              </Typography.Text>
              {s.text && (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {s.text}
                </Typography.Text>
              )}
            </Space>
          ),
        }))}
      />
    </Card>
  );
}

function ReassignModal({ task, open, onClose }: { task: TaskDetail; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const assignees = useAssignees();
  const reassign = useReassignTask();
  const [form] = Form.useForm<{ assignee: string; reason: string }>();
  return (
    <Modal
      open={open}
      title={t('inspection.task.reassignTitle', { name: task.checkpointName })}
      okText={t('inspection.task.reassign')}
      okButtonProps={{ loading: reassign.isPending }}
      forceRender
      onCancel={() => {
        form.resetFields();
        onClose();
      }}
      onOk={async () => {
        const v = await form.validateFields();
        const assignee = parseAssigneeKey(v.assignee);
        if (!assignee) return;
        try {
          await reassign.mutateAsync({ id: task.id, assignee, reason: v.reason.trim() });
          form.resetFields();
          onClose();
        } catch {
          // shown by the global error message; the dialog keeps what was typed
        }
      }}
    >
      <Form form={form} layout="vertical">
        <Form.Item name="assignee" label={t('inspection.plan.assignee')} rules={[{ required: true }]}>
          <Select showSearch={{ optionFilterProp: 'label' }} options={assignees.options} />
        </Form.Item>
        <ReasonField />
      </Form>
    </Modal>
  );
}
