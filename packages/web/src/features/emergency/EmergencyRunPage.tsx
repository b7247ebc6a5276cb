import type { EmergencyRunDetail, EmergencyRunStep } from '@aegis/shared';
import {
  CameraOutlined,
  CheckCircleFilled,
  ClockCircleOutlined,
  FileExcelOutlined,
  FilePdfOutlined,
  MinusCircleFilled,
} from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  Modal,
  Result,
  Space,
  Spin,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { errorText } from '../../app/errorText';
import { currentLanguage } from '../../app/i18n';
import { ReasonModal } from '../../app/ReasonField';
import { downloadFile } from '../inspection/download';
import {
  clockSpan,
  photoThumbUrl,
  runQuery,
  runReportUrl,
  uploadRunPhoto,
  useCloseRun,
  useStepDone,
  useStepSkip,
} from './api';

const time = (iso: string) =>
  new Date(iso).toLocaleTimeString(currentLanguage(), {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
const when = (iso: string) =>
  new Date(iso).toLocaleString(currentLanguage(), { dateStyle: 'short', timeStyle: 'medium' });

/** Now, every second: the step timers count. */
function useNow() {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);
  return now;
}

/** One step as a card with big touch targets: its timer, who it is for, note, photo, 完成 / 跳过. */
function StepCard(props: { run: EmergencyRunDetail; step: EmergencyRunStep; now: number; first: boolean }) {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en-US';
  const { message } = App.useApp();
  const { run, step: s, now } = props;
  const done = useStepDone();
  const skip = useStepSkip();
  const [note, setNote] = useState('');
  const [photos, setPhotos] = useState<number[]>([]);
  const [uploading, setUploading] = useState(false);
  const [skipping, setSkipping] = useState(false);
  const fileRef = useRef<HTMLInputElement>(null);
  const due = new Date(s.dueAt).getTime();
  const pending = s.state === 'pending';
  const running = run.state === 'active' && pending;
  const color =
    s.state === 'done' ? (s.late ? '#fa541c' : '#52c41a') : s.state === 'skipped' ? '#8c8c8c' : undefined;

  const onPhoto = async (file: File | undefined) => {
    if (!file) return;
    setUploading(true);
    try {
      const id = await uploadRunPhoto(run.id, file);
      setPhotos((p) => [...p, id]);
    } catch (e) {
      void message.error(errorText(t, e));
    } finally {
      setUploading(false);
    }
  };

  return (
    <Card
      data-testid={`step-${s.seq}`}
      style={{ marginBottom: 12, borderColor: running && due < now ? '#ff4d4f' : undefined }}
      title={
        <Space wrap>
          <Typography.Text strong style={{ fontSize: 16 }}>
            {s.seq}. {s.title}
          </Typography.Text>
          {s.state === 'done' && <CheckCircleFilled style={{ color }} />}
          {s.state === 'skipped' && <MinusCircleFilled style={{ color }} />}
          {s.state === 'done' && (
            <Tag color={s.late ? 'volcano' : 'green'}>
              {s.late ? t('emergency.run.late') : t('emergency.run.onTime')}
            </Tag>
          )}
        </Space>
      }
      extra={
        running ? (
          <Tag
            icon={<ClockCircleOutlined />}
            color={due < now ? 'red' : 'blue'}
            style={{ fontSize: 14, padding: '2px 8px' }}
            data-testid={`timer-${s.seq}`}
          >
            {due < now
              ? t('emergency.run.overdue', { span: clockSpan(now - due) })
              : t('emergency.run.remaining', { span: clockSpan(due - now) })}
          </Tag>
        ) : null
      }
    >
      {s.instructions && <Typography.Paragraph>{s.instructions}</Typography.Paragraph>}
      <Typography.Paragraph type="secondary" style={{ marginBottom: 4 }}>
        {t('emergency.run.assigned')}: {en ? s.assigneeLabel.en : s.assigneeLabel.zh}
        {' — '}
        {s.assignedTo.map((p) => p.name).join('、') || t('emergency.run.nobody')}
      </Typography.Paragraph>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 4 }}>
        {t('emergency.run.limit', { min: s.timeLimitMin, due: time(s.dueAt) })}
      </Typography.Paragraph>
      {s.state === 'done' && s.doneAt && (
        <Typography.Paragraph>
          {t('emergency.run.doneAt', {
            time: time(s.doneAt),
            who: s.doneBy?.name ?? '',
            min: s.takenMin ?? '',
          })}
          {s.note && <> · {s.note}</>}
        </Typography.Paragraph>
      )}
      {s.state === 'skipped' && (
        <Typography.Paragraph>{t('emergency.run.skipped', { reason: s.skipReason })}</Typography.Paragraph>
      )}
      {s.photoIds.length > 0 && (
        <Space wrap>
          {s.photoIds.map((id) => (
            <img
              key={id}
              src={photoThumbUrl(id)}
              alt=""
              width={72}
              height={72}
              style={{ objectFit: 'cover' }}
            />
          ))}
        </Space>
      )}
      {running && (s.canCheck || s.canSkip) && (
        <Space direction="vertical" style={{ width: '100%', marginTop: 8 }}>
          {s.canCheck && (
            <>
              <Input.TextArea
                rows={2}
                maxLength={2000}
                value={note}
                placeholder={t('emergency.run.note')}
                onChange={(e) => setNote(e.target.value)}
              />
              {s.requiresPhoto && !photos.length && (
                <Alert type="warning" showIcon message={t('emergency.run.photoNeeded')} />
              )}
              <Space wrap>
                {photos.map((id) => (
                  <img
                    key={id}
                    src={photoThumbUrl(id)}
                    alt=""
                    width={56}
                    height={56}
                    style={{ objectFit: 'cover' }}
                  />
                ))}
              </Space>
              <input
                ref={fileRef}
                type="file"
                accept="image/*"
                capture="environment"
                hidden
                onChange={(e) => void onPhoto(e.target.files?.[0])}
              />
              <Space.Compact block>
                <Button
                  size="large"
                  icon={<CameraOutlined />}
                  loading={uploading}
                  style={{ minHeight: 48, flex: 1 }}
                  onClick={() => fileRef.current?.click()}
                >
                  {t('emergency.run.photo')}
                </Button>
                <Button
                  size="large"
                  type="primary"
                  style={{ minHeight: 48, flex: 2 }}
                  loading={done.isPending}
                  disabled={s.requiresPhoto && !photos.length}
                  data-testid={`check-${s.seq}`}
                  onClick={() =>
                    void done
                      .mutateAsync({ runId: run.id, seq: s.seq, note, photoIds: photos })
                      .then(() => {
                        setNote('');
                        setPhotos([]);
                      })
                      .catch(() => undefined)
                  }
                >
                  {t('emergency.run.check')}
                </Button>
              </Space.Compact>
            </>
          )}
          {s.canSkip && (
            <Button size="large" block style={{ minHeight: 44 }} onClick={() => setSkipping(true)}>
              {t('emergency.run.skip')}
            </Button>
          )}
        </Space>
      )}
      {running && !s.canCheck && !s.canSkip && (
        <Typography.Text type="secondary">
          {props.first ? t('emergency.run.notYours') : t('emergency.run.waiting')}
        </Typography.Text>
      )}
      {skipping && (
        <ReasonModal
          open
          title={t('emergency.run.skipTitle', { seq: s.seq })}
          onClose={() => setSkipping(false)}
          onConfirm={(reason) => skip.mutateAsync({ runId: run.id, seq: s.seq, reason })}
        />
      )}
    </Card>
  );
}

function CloseButton({ run }: { run: EmergencyRunDetail }) {
  const { t } = useTranslation();
  const close = useCloseRun();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<{ summary: string }>();
  const label = run.mode === 'drill' ? t('emergency.run.closeDrill') : t('emergency.run.close');
  return (
    <>
      <Button size="large" danger={run.mode === 'real'} onClick={() => setOpen(true)} data-testid="run-close">
        {label}
      </Button>
      <Modal
        open={open}
        title={label}
        okButtonProps={{ loading: close.isPending }}
        onCancel={() => setOpen(false)}
        forceRender
        onOk={async () => {
          const { summary } = await form.validateFields();
          try {
            await close.mutateAsync({ runId: run.id, summary: summary.trim() });
            setOpen(false);
          } catch {
            // shown by the global error message; the summary stays
          }
        }}
      >
        <Form form={form} layout="vertical">
          <Form.Item
            name="summary"
            label={t('emergency.run.summary')}
            rules={[{ required: true, whitespace: true, min: 3 }]}
          >
            <Input.TextArea rows={4} maxLength={4000} placeholder={t('emergency.run.summaryPlaceholder')} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

/** One response or drill: the checklist with a timer per step, the contacts, the history and the report. */
export function EmergencyRunPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const id = Number(useParams().id);
  const run = useQuery(runQuery(id));
  const now = useNow();
  if (run.isLoading) return <Spin />;
  if (!run.data) return <Result status="404" title={errorText(t, run.error)} />;
  const r = run.data;
  const real = r.mode === 'real';
  const firstOpen = r.steps.find((s) => s.state === 'pending')?.seq;
  const download = (kind: 'pdf' | 'xlsx') =>
    void downloadFile(runReportUrl(r.id, kind), `${r.code}.${kind}`).catch((e: unknown) =>
      message.error(errorText(t, e)),
    );
  return (
    <div style={{ maxWidth: 860 }}>
      <Link to="/emergency">{t('emergency.run.back')}</Link>
      {r.state === 'active' && (
        <Alert
          style={{ margin: '12px 0' }}
          type={real ? 'error' : 'warning'}
          showIcon
          banner
          message={
            <Typography.Text strong style={{ fontSize: 16 }}>
              {t(real ? 'emergency.realBanner' : 'emergency.drillBanner', {
                plan: r.planName,
                place: r.location,
              })}
            </Typography.Text>
          }
        />
      )}
      <Typography.Title level={4} style={{ marginTop: 8 }}>
        {!real && t('emergency.drillMark')}
        {r.code} {r.planName}
      </Typography.Title>
      <Space wrap style={{ marginBottom: 12 }}>
        <Tag color={real ? 'red' : 'orange'}>{real ? t('emergency.real') : t('emergency.drill')}</Tag>
        <Tag>{t(`emergency.scenario.${r.scenario}`)}</Tag>
        <Tag>{t('emergency.levelN', { level: r.level })}</Tag>
        <Tag>{t(`emergency.state.${r.state}`)}</Tag>
        <Tag>{t('emergency.run.progress', { done: r.stepsDone, total: r.stepsTotal })}</Tag>
      </Space>
      <Descriptions size="small" column={1} style={{ marginBottom: 12 }}>
        <Descriptions.Item label={t('emergency.col.started')}>
          {r.trigger.kind === 'alarm'
            ? `${when(r.startedAt)} · ${t('emergency.run.byAlarm', { tag: r.trigger.tag, message: r.trigger.message })}`
            : t('emergency.run.startedBy', {
                time: when(r.startedAt),
                who: r.startedBy?.name ?? '',
              })}
        </Descriptions.Item>
        {r.reason && <Descriptions.Item label={t('reason.label')}>{r.reason}</Descriptions.Item>}
        {r.closedAt && (
          <Descriptions.Item label={t('emergency.state.closed')}>
            {t('emergency.run.closedBy', {
              time: when(r.closedAt),
              who: r.closedBy?.name ?? '',
            })}
          </Descriptions.Item>
        )}
        {r.summary && <Descriptions.Item label={t('emergency.run.summary')}>{r.summary}</Descriptions.Item>}
      </Descriptions>
      <Space wrap style={{ marginBottom: 16 }}>
        {r.canClose && <CloseButton run={r} />}
        <Button icon={<FilePdfOutlined />} onClick={() => download('pdf')}>
          {t('emergency.run.pdf')}
        </Button>
        <Button icon={<FileExcelOutlined />} onClick={() => download('xlsx')}>
          {t('emergency.run.xlsx')}
        </Button>
      </Space>
      <Typography.Title level={5}>{t('emergency.run.checklist')}</Typography.Title>
      {r.steps.map((s) => (
        <StepCard key={s.seq} run={r} step={s} now={now} first={s.seq === firstOpen} />
      ))}
      {r.contacts.length > 0 && (
        <Card size="small" title={t('emergency.run.contacts')} style={{ marginBottom: 12 }}>
          {r.contacts.map((c) => (
            <div key={`${c.name}-${c.phone}`} style={{ padding: '6px 0' }}>
              <Typography.Text strong>{c.name}</Typography.Text>{' '}
              <Typography.Text type="secondary">{c.role}</Typography.Text>{' '}
              <a href={`tel:${c.phone}`}>{c.phone}</a>
            </div>
          ))}
        </Card>
      )}
      <Card size="small" title={t('emergency.run.history')}>
        <Timeline
          items={r.history.map((h) => ({
            children: `${when(h.at)} · ${h.actor} · ${h.action === 'close' ? t('emergency.action.close') : t('emergency.action.create')}${h.reason ? ` · ${h.reason}` : ''}`,
          }))}
        />
      </Card>
    </div>
  );
}
