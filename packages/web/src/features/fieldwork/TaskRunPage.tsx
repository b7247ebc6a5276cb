import type { TaskDetail } from '@aegis/shared';
import {
  CheckCircleOutlined,
  CloseCircleOutlined,
  CloudUploadOutlined,
  EnvironmentOutlined,
  LeftOutlined,
  QrcodeOutlined,
} from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Input, Radio, Result, Space, Spin, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../../app/api';
import { errorText } from '../../app/errorText';
import { fieldworkKeys, postScan, taskQuery } from './api';
import {
  type ChecklistItem,
  checklistItem,
  differsFromLive,
  isAbnormal,
  missingItems,
  parseReading,
  photoNeeded,
} from './checklist';
import { locate, tokenCheckpointId } from './location';
import { OutboxList } from './OutboxList';
import {
  type DraftAnswer,
  type DraftScan,
  draftOf,
  newDraft,
  newId,
  type QueuedPhoto,
  type Submission,
  submitDraft,
  waiting,
} from './outbox';
import { PhotoField } from './PhotoField';
import { QrScanner } from './QrScanner';
import { type Fieldwork, useFieldwork, useFieldworkState, useOnline } from './runtime';
import { SyncBar } from './SyncBar';
import { cacheLoadedAssets } from './serviceWorker';
import { inLanguage, isFinished, STATE_COLOR, shownState } from './taskState';

const EMPTY: DraftAnswer = { value: null, note: '', photos: [] };

/** A task on the phone: scan the checkpoint, fill the checklist, take photos, submit (also offline). */
export function TaskRunPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const taskId = Number(id);
  const fw = useFieldwork();
  const fwState = useFieldworkState(fw);
  const online = useOnline();
  // the live values of bound tags move: read again every 20 s while online
  const q = useQuery({
    ...taskQuery(fw.cache, taskId),
    enabled: Number.isInteger(taskId) && taskId > 0,
    refetchInterval: online ? 20_000 : false,
  });
  const [queued, setQueued] = useState<Submission[] | null>(null);

  // opened directly (a link, the installed app's last page): keep what it loaded for offline use
  useEffect(() => {
    cacheLoadedAssets().catch(() => undefined);
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: re-read on every outbox change
  useEffect(() => {
    let live = true;
    waiting(fw.store)
      .then((w) => {
        if (live) setQueued(w.filter((s) => s.taskId === taskId));
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [fw, fwState.version, taskId]);

  const back = (
    <Link to="/my-tasks" data-testid="back-to-tasks">
      <LeftOutlined /> {t('fieldwork.back')}
    </Link>
  );
  if (q.isPending || queued === null) return <Spin style={{ display: 'block', margin: 48 }} />;
  if (q.isError) {
    const offline = q.error instanceof ApiError && q.error.status === 0;
    return (
      <div style={{ maxWidth: 720, margin: '0 auto' }}>
        {back}
        <Alert
          style={{ marginTop: 12 }}
          type={offline ? 'warning' : 'error'}
          showIcon
          title={offline ? t('fieldwork.notCached') : errorText(t, q.error)}
        />
      </div>
    );
  }
  const task = q.data.value;
  return (
    <div style={{ maxWidth: 720, margin: '0 auto' }} data-testid="task-run" data-task-state={task.state}>
      <div style={{ marginBottom: 8 }}>{back}</div>
      <SyncBar fw={fw} />
      <TaskHeader
        task={task}
        queued={queued.length > 0}
        fromCache={q.data.fromCache}
        savedAt={q.data.savedAt}
      />
      {queued.length > 0 ? (
        <>
          <OutboxList fw={fw} taskId={taskId} />
          {queued.some((s) => s.status === 'pending') && (
            <Alert type="info" showIcon title={t('fieldwork.queued')} data-testid="task-queued" />
          )}
        </>
      ) : isFinished(task.state) ? (
        <TaskResult task={task} />
      ) : (
        <TaskForm key={`${task.id}`} fw={fw} task={task} />
      )}
    </div>
  );
}

function TaskHeader({
  task,
  queued,
  fromCache,
  savedAt,
}: {
  task: TaskDetail;
  queued: boolean;
  fromCache: boolean;
  savedAt: string;
}) {
  const { t } = useTranslation();
  const state = shownState(task, queued, new Date());
  return (
    <Card size="small" style={{ marginBottom: 8 }}>
      <Space size={4} wrap>
        <Tag color={STATE_COLOR[state]} data-testid="task-state">
          {t(`fieldwork.state.${state}`)}
        </Tag>
        <Typography.Text strong style={{ fontSize: 16 }}>
          {task.checkpointName}
        </Typography.Text>
      </Space>
      <div>
        <Typography.Text type="secondary">
          {task.planName} · {task.templateName} v{task.templateVersion}
        </Typography.Text>
      </div>
      <div>
        <Typography.Text type={state === 'overdue' ? 'danger' : 'secondary'}>
          {t('fieldwork.window', {
            start: dayjs(task.opensAt).format('HH:mm'),
            due: dayjs(task.dueAt).format('HH:mm'),
          })}
        </Typography.Text>
      </div>
      {fromCache && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('fieldwork.cachedAt', { time: dayjs(savedAt).format('HH:mm') })}
        </Typography.Text>
      )}
    </Card>
  );
}

/** A finished task: what was answered, which items raised a hidden-danger report. */
function TaskResult({ task }: { task: TaskDetail }) {
  const { t } = useTranslation();
  return (
    <Card
      size="small"
      title={t('fieldwork.result')}
      data-testid="task-result"
      data-result={task.result ?? ''}
    >
      {task.state === 'done' || task.state === 'done_late' ? (
        <Result
          status={task.result === 'abnormal' ? 'warning' : 'success'}
          title={t('fieldwork.done')}
          subTitle={
            task.doneByName ? `${task.doneByName} · ${dayjs(task.doneAt).format('HH:mm')}` : undefined
          }
          style={{ padding: 8 }}
        />
      ) : null}
      {task.items.map((item) => {
        const r = task.results[item.key];
        if (!r) return null;
        return (
          <div
            key={item.key}
            data-testid={`result-${item.key}`}
            data-abnormal={r.abnormal}
            style={{ padding: '6px 0', borderBottom: '1px solid #f0f0f0' }}
          >
            <Space size={4} wrap>
              {r.abnormal ? (
                <CloseCircleOutlined style={{ color: '#ff4d4f' }} />
              ) : (
                <CheckCircleOutlined style={{ color: '#52c41a' }} />
              )}
              <Typography.Text>{item.label}</Typography.Text>
              <Typography.Text strong>
                {r.value === 'pass'
                  ? t('fieldwork.item.pass')
                  : r.value === 'fail'
                    ? t('fieldwork.item.fail')
                    : String(r.value ?? '—')}
                {item.kind === 'numeric' && item.unit ? ` ${item.unit}` : ''}
              </Typography.Text>
              {r.hazardId !== null && (
                <Link to={`/hazards/${r.hazardId}`} data-testid={`result-${item.key}-hazard`}>
                  <Tag color="red">{r.hazardCode ?? `#${r.hazardId}`}</Tag>
                </Link>
              )}
            </Space>
            {r.abnormalReason && (
              <div>
                <Typography.Text type="danger" style={{ fontSize: 13 }}>
                  {r.abnormalReason}
                </Typography.Text>
              </div>
            )}
          </div>
        );
      })}
      {task.flags.length > 0 && (
        <Space orientation="vertical" size={4} style={{ marginTop: 8, width: '100%' }}>
          {task.flags.map((f) => (
            <Alert key={`${f.code}-${f.itemKey ?? ''}-${f.at}`} type="warning" showIcon title={f.message} />
          ))}
        </Space>
      )}
    </Card>
  );
}

type ScanNotice =
  | { kind: 'ok'; name: string }
  | { kind: 'kept' }
  | { kind: 'refused'; text: string; detail?: string }
  | { kind: 'wrong'; name: string }
  | null;

/** The checklist being filled in: a draft kept on the phone at every change. */
function TaskForm({ fw, task }: { fw: Fieldwork; task: TaskDetail }) {
  const { t, i18n } = useTranslation();
  const online = useOnline();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [draft, setDraft] = useState<Submission | null>(null);
  const [photos, setPhotos] = useState<QueuedPhoto[]>([]);
  const [scanning, setScanning] = useState(false);
  const [scanNotice, setScanNotice] = useState<ScanNotice>(null);
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const items = useMemo(
    () => task.items.map((i) => checklistItem(i, task.requirePhotoOnAbnormal)),
    [task.items, task.requirePhotoOnAbnormal],
  );

  // the draft of this task on the phone, or a new one (once per task: refetches keep the draft)
  // biome-ignore lint/correctness/useExhaustiveDependencies: the task's later versions do not reset the draft
  useEffect(() => {
    let live = true;
    (async () => {
      const d =
        (await draftOf(fw.store, task.id)) ?? newDraft({ ...task, title: task.checkpointName }, new Date());
      const ps = await fw.store.photos(d.id);
      if (!live) return;
      setDraft(d);
      setPhotos(ps);
      if (d.scan)
        setScanNotice(d.scan.verified ? { kind: 'ok', name: task.checkpointName } : { kind: 'kept' });
    })().catch((e: unknown) => setSubmitError(String(e)));
    return () => {
      live = false;
    };
  }, [fw, task.id]);

  const save = useCallback(
    (next: Submission) => {
      const stamped = { ...next, updatedAt: new Date().toISOString() };
      setDraft(stamped);
      fw.store.putSubmission(stamped).catch((e: unknown) => setSubmitError(String(e)));
    },
    [fw],
  );
  const setAnswer = (key: string, patch: Partial<DraftAnswer>) => {
    if (!draft) return;
    const prev = draft.answers[key] ?? EMPTY;
    save({ ...draft, answers: { ...draft.answers, [key]: { ...prev, ...patch } } });
  };

  if (!draft) return <Spin style={{ display: 'block', margin: 32 }} />;

  const scanOk = !!draft.scan;
  const missing = missingItems(items, draft.answers);
  const abnormal = items.filter((i) => isAbnormal(i, draft.answers[i.key]));
  const needScan = task.requireScan && !scanOk;
  const hasCoords = task.checkpoint.lat !== null && task.checkpoint.lng !== null;
  const positionText = (scan: DraftScan | null) =>
    scan?.accuracyM != null
      ? t('fieldwork.gps.at', { accuracy: scan.accuracyM })
      : t('fieldwork.gps.failed', { reason: t('fieldwork.gps.none') });

  const onToken = async (text: string, position: Promise<Awaited<ReturnType<typeof locate>>>) => {
    setScanning(false);
    const token = text.trim();
    const cp = tokenCheckpointId(token);
    if (cp === null) {
      setScanNotice({ kind: 'refused', text: t('fieldwork.scan.notOurs') });
      return;
    }
    const pos = await position;
    const scan: DraftScan = {
      token,
      scannedAt: new Date().toISOString(),
      verified: false,
      lat: pos?.lat ?? null,
      lng: pos?.lng ?? null,
      accuracyM: pos?.accuracyM ?? null,
    };
    if (!navigator.onLine) {
      // offline the label cannot be verified: another checkpoint's code is refused here, the
      // signature is checked by the server when the result is submitted
      if (cp !== task.checkpointId) {
        setScanNotice({ kind: 'wrong', name: `#${cp}` });
        return;
      }
      save({ ...draft, scan });
      setScanNotice({ kind: 'kept' });
      return;
    }
    try {
      const res = await postScan(task.id, scan);
      // the scan moved the task on the server: the run continues from its new revision
      save({ ...draft, scan: { ...scan, verified: true }, baseRevision: res.task.revision });
      setScanNotice({ kind: 'ok', name: res.task.checkpointName });
    } catch (e) {
      if (e instanceof ApiError && e.status === 0) {
        save({ ...draft, scan });
        setScanNotice({ kind: 'kept' });
      } else if (e instanceof ApiError && e.code === 'evidence_refused') {
        const why = (e.details as { why?: string } | undefined)?.why ?? '';
        setScanNotice({
          kind: 'refused',
          text: t(`fieldwork.scan.why.${why}`, { defaultValue: t('error.evidence_refused') }),
          detail: inLanguage(e.message, i18n.language),
        });
      } else setScanNotice({ kind: 'refused', text: errorText(t, e) });
    }
  };

  const addPhoto = async (itemKey: string, file: { blob: Blob; fileName: string }) => {
    const p: QueuedPhoto = {
      clientId: newId(),
      submissionId: draft.id,
      taskId: task.id,
      itemKey,
      fileName: file.fileName,
      type: 'image/jpeg',
      blob: file.blob,
      takenAt: new Date().toISOString(),
      evidenceId: null,
    };
    await fw.store.putPhoto(p);
    setPhotos((ps) => [...ps, p]);
    const prev = draft.answers[itemKey] ?? EMPTY;
    save({
      ...draft,
      answers: { ...draft.answers, [itemKey]: { ...prev, photos: [...prev.photos, p.clientId] } },
    });
  };
  const removePhoto = async (itemKey: string, clientId: string) => {
    await fw.store.deletePhoto(clientId);
    setPhotos((ps) => ps.filter((p) => p.clientId !== clientId));
    const prev = draft.answers[itemKey] ?? EMPTY;
    save({
      ...draft,
      answers: {
        ...draft.answers,
        [itemKey]: { ...prev, photos: prev.photos.filter((c) => c !== clientId) },
      },
    });
  };

  const submit = async () => {
    setSubmitting(true);
    setSubmitError(null);
    try {
      await fw.store.putSubmission(draft);
      await submitDraft(fw.store, draft.id, new Date());
      fw.changed();
      const report = await fw.sync();
      if (report.synced.includes(draft.id)) {
        await qc.invalidateQueries({ queryKey: fieldworkKeys.task(task.id) });
        await qc.invalidateQueries({ queryKey: fieldworkKeys.myTasks });
      }
    } catch (e) {
      setSubmitError(errorText(t, e));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Space orientation="vertical" size={8} style={{ width: '100%' }} data-testid="task-form">
      <Card
        size="small"
        title={
          <>
            <QrcodeOutlined /> {t('fieldwork.scan.title')}
          </>
        }
      >
        {scanning ? (
          <QrScanner
            onToken={(text) => void onToken(text, hasCoords ? locate() : Promise.resolve(null))}
            onCancel={() => setScanning(false)}
          />
        ) : (
          <Space orientation="vertical" style={{ width: '100%' }}>
            {scanNotice?.kind === 'ok' && (
              <Alert
                type="success"
                showIcon
                title={t('fieldwork.scan.ok', { name: scanNotice.name })}
                description={hasCoords ? positionText(draft.scan) : undefined}
                data-testid="scan-ok"
              />
            )}
            {scanNotice?.kind === 'kept' && (
              <Alert type="info" showIcon title={t('fieldwork.scan.keptOffline')} data-testid="scan-kept" />
            )}
            {scanNotice?.kind === 'refused' && (
              <Alert
                type="error"
                showIcon
                title={scanNotice.text}
                description={scanNotice.detail}
                data-testid="scan-refused"
              />
            )}
            {scanNotice?.kind === 'wrong' && (
              <Alert
                type="error"
                showIcon
                title={t('fieldwork.scan.wrongCheckpoint', { name: scanNotice.name })}
                data-testid="scan-refused"
              />
            )}
            {needScan && !scanNotice && (
              <Typography.Text type="warning">{t('fieldwork.scan.required')}</Typography.Text>
            )}
            {hasCoords && (
              <Typography.Text type="secondary" style={{ fontSize: 13 }}>
                <EnvironmentOutlined /> {t('fieldwork.gps.optional')}
              </Typography.Text>
            )}
            <Button
              type={scanOk ? 'default' : 'primary'}
              icon={<QrcodeOutlined />}
              block
              size="large"
              onClick={() => {
                setScanNotice(null);
                setScanning(true);
              }}
              data-testid="scan-start"
            >
              {scanOk ? t('fieldwork.scan.again') : t('fieldwork.scan.start')}
            </Button>
          </Space>
        )}
      </Card>

      {items.map((item) => (
        <ItemCard
          key={item.key}
          item={item}
          answer={draft.answers[item.key]}
          live={task.live[item.key] ?? null}
          photos={photos.filter((p) => p.itemKey === item.key)}
          onChange={(patch) => setAnswer(item.key, patch)}
          onAddPhoto={(f) => addPhoto(item.key, f)}
          onRemovePhoto={(c) => void removePhoto(item.key, c)}
        />
      ))}

      <Card size="small">
        <Input.TextArea
          placeholder={t('fieldwork.comment')}
          autoSize={{ minRows: 2 }}
          value={draft.comment}
          onChange={(e) => save({ ...draft, comment: e.target.value })}
          data-testid="task-comment"
        />
      </Card>

      {abnormal.length > 0 && (
        <Alert
          type="warning"
          showIcon
          title={t('fieldwork.confirmAbnormal', { count: abnormal.length })}
          data-testid="abnormal-summary"
        />
      )}
      {needScan && <Alert type="warning" showIcon title={t('fieldwork.scan.required')} />}
      {submitError && <Alert type="error" showIcon title={submitError} />}
      <Button
        type="primary"
        size="large"
        block
        icon={<CloudUploadOutlined />}
        disabled={missing.length > 0 || needScan}
        loading={submitting}
        onClick={() => void submit()}
        data-testid="task-submit"
      >
        {missing.length > 0
          ? t('fieldwork.missing', { count: missing.length })
          : online
            ? t('fieldwork.submit')
            : t('fieldwork.submitOffline')}
      </Button>
      <Button block onClick={() => void navigate('/my-tasks')}>
        {t('fieldwork.back')}
      </Button>
    </Space>
  );
}

/** One checklist item: the input for its kind, limits and the live value, photos when asked for. */
function ItemCard({
  item,
  answer,
  live,
  photos,
  onChange,
  onAddPhoto,
  onRemovePhoto,
}: {
  item: ChecklistItem;
  answer: DraftAnswer | undefined;
  live: TaskDetail['live'][string] | null;
  photos: QueuedPhoto[];
  onChange: (patch: Partial<DraftAnswer>) => void;
  onAddPhoto: (f: { blob: Blob; fileName: string }) => Promise<void>;
  onRemovePhoto: (clientId: string) => void;
}) {
  const { t } = useTranslation();
  const abnormal = isAbnormal(item, answer);
  const needPhoto = photoNeeded(item, answer);
  const liveDiff = differsFromLive(item, answer, live?.value ?? null);
  const unit = item.unit ?? live?.unit ?? '';
  return (
    <Card
      size="small"
      data-testid={`item-${item.key}`}
      data-abnormal={abnormal}
      style={{ borderColor: abnormal ? '#ff4d4f' : undefined, background: abnormal ? '#fff2f0' : undefined }}
    >
      <div style={{ marginBottom: 6 }}>
        <Typography.Text strong>{item.label}</Typography.Text>
        {item.required && item.kind !== 'photo' && <Typography.Text type="danger"> *</Typography.Text>}
        {item.hint && (
          <div>
            <Typography.Text type="secondary" style={{ fontSize: 13 }}>
              {item.hint}
            </Typography.Text>
          </div>
        )}
      </div>
      {item.kind === 'pass_fail' && (
        <Radio.Group
          buttonStyle="solid"
          value={answer?.value ?? null}
          onChange={(e) => onChange({ value: e.target.value as string })}
          style={{ display: 'flex' }}
        >
          <Radio.Button value="pass" style={{ flex: 1, textAlign: 'center' }}>
            <span data-testid={`item-${item.key}-pass`}>{t('fieldwork.item.pass')}</span>
          </Radio.Button>
          <Radio.Button value="fail" style={{ flex: 1, textAlign: 'center' }}>
            <span data-testid={`item-${item.key}-fail`}>{t('fieldwork.item.fail')}</span>
          </Radio.Button>
        </Radio.Group>
      )}
      {item.kind === 'numeric' && (
        <NumericField
          item={item}
          unit={unit}
          value={answer?.value}
          abnormal={abnormal}
          onChange={(v) => onChange({ value: v })}
        />
      )}
      {item.kind === 'numeric' && (
        <Space size={4} wrap style={{ marginTop: 4 }}>
          {(item.low !== null || item.high !== null) && (
            <Typography.Text
              type="secondary"
              style={{ fontSize: 13 }}
              data-testid={`item-${item.key}-limits`}
            >
              {item.low !== null && item.high !== null
                ? t('fieldwork.item.limits', { low: item.low, high: item.high, unit })
                : item.low !== null
                  ? t('fieldwork.item.low', { low: item.low, unit })
                  : t('fieldwork.item.high', { high: item.high, unit })}
            </Typography.Text>
          )}
          {live && (
            <Tag color={liveDiff ? 'orange' : 'geekblue'} data-testid={`item-${item.key}-live`}>
              {t('fieldwork.item.live', { value: live.value ?? '—', unit: live.unit })}
            </Tag>
          )}
          {abnormal && (
            <Tag color="red" data-testid={`item-${item.key}-out`}>
              {t('fieldwork.item.outOfLimits')}
            </Tag>
          )}
          {liveDiff && <Tag color="orange">{t('fieldwork.item.liveDiff')}</Tag>}
        </Space>
      )}
      {item.kind === 'choice' && (
        <div data-testid={`item-${item.key}-choice`}>
          <Radio.Group
            value={answer?.value ?? null}
            onChange={(e) => onChange({ value: e.target.value as string })}
          >
            <Space wrap>
              {item.options.map((o) => (
                <Radio.Button key={o.value} value={o.value}>
                  {o.label}
                </Radio.Button>
              ))}
            </Space>
          </Radio.Group>
        </div>
      )}
      {item.kind === 'text' && (
        <Input.TextArea
          autoSize={{ minRows: 1 }}
          placeholder={t('fieldwork.item.text')}
          value={typeof answer?.value === 'string' ? answer.value : ''}
          onChange={(e) => onChange({ value: e.target.value })}
          data-testid={`item-${item.key}-text`}
        />
      )}
      {item.kind === 'signature' && (
        <Input
          placeholder={t('fieldwork.item.signature')}
          value={typeof answer?.value === 'string' ? answer.value : ''}
          onChange={(e) => onChange({ value: e.target.value })}
          style={{ fontFamily: 'cursive', fontSize: 18 }}
          data-testid={`item-${item.key}-signature`}
        />
      )}
      {abnormal && (
        <Input.TextArea
          autoSize={{ minRows: 1 }}
          placeholder={t('fieldwork.item.note')}
          value={answer?.note ?? ''}
          onChange={(e) => onChange({ note: e.target.value })}
          style={{ marginTop: 6 }}
          data-testid={`item-${item.key}-note`}
        />
      )}
      {(needPhoto || photos.length > 0 || abnormal) && (
        <div style={{ marginTop: 6 }}>
          <PhotoField
            itemKey={item.key}
            photos={photos}
            required={needPhoto}
            onAdd={onAddPhoto}
            onRemove={onRemovePhoto}
          />
        </div>
      )}
    </Card>
  );
}

/** A reading typed on the phone's number pad; the answer holds the number, the field what was typed. */
function NumericField({
  item,
  unit,
  value,
  abnormal,
  onChange,
}: {
  item: ChecklistItem;
  unit: string;
  value: DraftAnswer['value'] | undefined;
  abnormal: boolean;
  onChange: (v: number | null) => void;
}) {
  const [text, setText] = useState(typeof value === 'number' ? String(value) : '');
  return (
    <Input
      inputMode="decimal"
      value={text}
      status={abnormal ? 'error' : undefined}
      suffix={unit || undefined}
      onChange={(e) => {
        setText(e.target.value);
        onChange(parseReading(e.target.value));
      }}
      size="large"
      data-testid={`item-${item.key}-input`}
    />
  );
}
