import { SOP_RUN_STATE_LABELS, SOP_STEP_STATUS_LABELS, type SopRun, type SopRunStep } from '@aegis/shared';
import {
  CheckCircleFilled,
  CloseCircleFilled,
  ExclamationCircleFilled,
  MinusCircleFilled,
} from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Card, Flex, Input, InputNumber, Modal, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { http } from '../../app/api';
import { errorText } from '../../app/notify';
import { PhotoPicker } from '../hazard/PhotoPicker';
import { photoThumbUrl, runQuery, uploadRunPhoto, useRunAction, useStepAction } from './api';
import { RUN_COLOR, when, word } from './SopPage';

const ICON: Record<SopRunStep['status'], React.ReactNode> = {
  pending: null,
  done: <CheckCircleFilled style={{ color: '#52c41a' }} />,
  rectified: <CheckCircleFilled style={{ color: '#1677ff' }} />,
  failed: <CloseCircleFilled style={{ color: '#ff4d4f' }} />,
  skipped: <MinusCircleFilled style={{ color: '#faad14' }} />,
};

const limitsText = (l: SopRunStep['limits']) => {
  if (!l) return '';
  const u = l.unit ? ` ${l.unit}` : '';
  if (l.lo !== null && l.hi !== null) return `${l.lo}–${l.hi}${u}`;
  if (l.hi !== null) return `≤ ${l.hi}${u}`;
  return l.lo !== null ? `≥ ${l.lo}${u}` : '';
};

/** A run on the phone: done steps ticked, the current one open, later ones greyed until the one before is done. */
export function SopRunPage() {
  const { t } = useTranslation();
  const id = Number(useParams().id);
  const run = useQuery(runQuery(id));
  const act = useRunAction();
  const { modal } = App.useApp();
  if (run.error) return <Alert type="error" showIcon message={errorText(t, run.error)} />;
  if (!run.data) return null;
  const r = run.data;
  const open = r.state === 'in_progress';
  const abort = () => {
    let reason = '';
    modal.confirm({
      title: t('sop.run.abort'),
      content: (
        <Input.TextArea rows={2} onChange={(e) => (reason = e.target.value)} placeholder={t('sop.reason')} />
      ),
      onOk: () => act.mutateAsync({ runId: id, act: 'abort', reason }),
    });
  };
  return (
    <Flex vertical gap={12} style={{ maxWidth: 720 }}>
      <Card size="small">
        <Typography.Title level={4} style={{ margin: 0 }}>{`${r.sopCode} ${r.sopName}`}</Typography.Title>
        <Typography.Text type="secondary">{`v${r.sopVersion} · ${r.equipment.code} ${r.equipment.name} · ${r.startedBy.name} ${when(r.startedAt)}`}</Typography.Text>
        <div style={{ marginTop: 8 }}>
          <Tag color={RUN_COLOR[r.state]} data-testid="run-state">
            {word(SOP_RUN_STATE_LABELS[r.state])}
          </Tag>
          {`${r.stepsDone}/${r.stepCount}`}
          {r.abortReason && <Typography.Text type="secondary">{` · ${r.abortReason}`}</Typography.Text>}
        </div>
      </Card>
      {r.steps.map((s) => (
        <StepCard key={s.index} run={r} step={s} />
      ))}
      {open && (
        <Flex gap={8}>
          <Button
            type="primary"
            block
            disabled={r.currentIndex !== null}
            loading={act.isPending}
            onClick={() => void act.mutateAsync({ runId: id, act: 'finish' })}
            data-testid="run-finish"
          >
            {t('sop.run.finish')}
          </Button>
          <Button danger onClick={abort}>
            {t('sop.run.abort')}
          </Button>
        </Flex>
      )}
    </Flex>
  );
}

function StepCard({ run, step: s }: { run: SopRun; step: SopRunStep }) {
  const { t } = useTranslation();
  const action = useStepAction();
  const [value, setValue] = useState<number | null>(null);
  const [note, setNote] = useState('');
  const [photos, setPhotos] = useState<File[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [skipping, setSkipping] = useState(false);
  const [skipReason, setSkipReason] = useState('');
  const current =
    run.state === 'in_progress' && (s.status === 'pending' || s.status === 'failed') && !s.blockedBy;
  const live = useQuery({
    queryKey: ['values', 'current', s.tagId],
    queryFn: () =>
      http.get<{ items: Array<{ value: unknown; ts: string }> }>('/api/values/current', {
        tagIds: String(s.tagId),
      }),
    enabled: current && s.tagId !== null,
    refetchInterval: 5000,
  });
  const liveValue = live.data?.items[0]?.value;

  const send = async (act: 'complete' | 'rectify' | 'skip', body: object) => {
    setBusy(true);
    setError(null);
    try {
      await action.mutateAsync({ runId: run.id, index: s.index, act, body });
      setValue(null);
      setNote('');
      setPhotos([]);
      setSkipping(false);
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  const complete = async () => {
    if (s.kind === 'photo') {
      setBusy(true);
      try {
        const ids: number[] = [];
        for (const p of photos) ids.push(await uploadRunPhoto(run.id, p));
        await send('complete', { photoIds: ids, note });
      } catch (e) {
        setError(errorText(t, e));
        setBusy(false);
      }
      return;
    }
    await send('complete', { ...(value !== null ? { value } : {}), note });
  };

  return (
    <Card
      size="small"
      data-testid={`step-${s.index}`}
      style={{ opacity: s.blockedBy ? 0.55 : 1, borderColor: current ? '#1677ff' : undefined }}
      title={
        <Flex gap={8} align="center">
          {ICON[s.status]}
          <span style={{ whiteSpace: 'normal' }}>{`${s.index}. ${s.title}`}</span>
        </Flex>
      }
      extra={s.status !== 'pending' && <Tag>{word(SOP_STEP_STATUS_LABELS[s.status])}</Tag>}
    >
      {s.instructions && (
        <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{s.instructions}</Typography.Paragraph>
      )}
      {s.kind === 'reading' && (
        <Typography.Paragraph type="secondary">
          {t('sop.step.limits', { limits: limitsText(s.limits) })}
          {s.tagLabel && ` · ${s.tagLabel}`}
          {current && liveValue !== undefined && ` · ${t('sop.step.live', { value: String(liveValue) })}`}
        </Typography.Paragraph>
      )}
      {s.value !== null && (
        <Typography.Paragraph>
          {t('sop.step.read', {
            value: s.value,
            source: s.valueSource === 'live' ? t('sop.step.fromLive') : '',
          })}
        </Typography.Paragraph>
      )}
      {s.photoIds.length > 0 && (
        <Flex gap={4} wrap>
          {s.photoIds.map((p) => (
            <img
              key={p}
              src={photoThumbUrl(p)}
              alt=""
              width={72}
              height={72}
              style={{ objectFit: 'cover' }}
            />
          ))}
        </Flex>
      )}
      {s.doneBy && s.status !== 'pending' && (
        <Typography.Text type="secondary">{`${s.doneBy.name} ${when(s.doneAt)}${s.note ? ` · ${s.note}` : ''}`}</Typography.Text>
      )}
      {s.rectification && (
        <Alert
          type="info"
          style={{ marginTop: 8 }}
          message={t('sop.step.rectified', {
            value: s.rectification.value,
            note: s.rectification.note,
            name: s.rectification.by.name,
            time: when(s.rectification.at),
          })}
        />
      )}
      {s.skipReason && (
        <Alert
          type="warning"
          style={{ marginTop: 8 }}
          message={t('sop.step.skippedBecause', { reason: s.skipReason })}
        />
      )}
      {s.blockedBy && run.state === 'in_progress' && (
        <Typography.Text type="secondary" data-testid={`step-${s.index}-blocked`}>
          <ExclamationCircleFilled /> {t('sop.step.blocked', { n: s.blockedBy.index })}
        </Typography.Text>
      )}
      {current && s.status === 'pending' && (
        <Flex vertical gap={8} style={{ marginTop: 8 }}>
          {s.kind === 'reading' && (
            <InputNumber
              style={{ width: '100%' }}
              size="large"
              inputMode="decimal"
              value={value}
              onChange={(v) => setValue(typeof v === 'number' ? v : null)}
              placeholder={s.tagId !== null ? t('sop.step.valueOrLive') : t('sop.step.value')}
              addonAfter={s.limits?.unit || undefined}
              data-testid={`step-${s.index}-value`}
            />
          )}
          {s.kind === 'photo' && (
            <PhotoPicker value={photos} onChange={setPhotos} testId={`step-${s.index}-photo`} />
          )}
          <Input
            placeholder={t('sop.step.note')}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            maxLength={2000}
          />
          <Flex gap={8}>
            <Button
              type="primary"
              size="large"
              block
              loading={busy}
              onClick={() => void complete()}
              data-testid={`step-${s.index}-done`}
            >
              {t('sop.step.done')}
            </Button>
            <Button size="large" onClick={() => setSkipping(true)}>
              {t('sop.step.skip')}
            </Button>
          </Flex>
        </Flex>
      )}
      {current && s.status === 'failed' && (
        <Flex vertical gap={8} style={{ marginTop: 8 }}>
          <Alert type="error" showIcon message={t('sop.step.failedHelp', { limits: limitsText(s.limits) })} />
          <Input.TextArea
            rows={2}
            placeholder={t('sop.step.rectifyNote')}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            maxLength={2000}
          />
          <InputNumber
            style={{ width: '100%' }}
            size="large"
            inputMode="decimal"
            value={value}
            onChange={(v) => setValue(typeof v === 'number' ? v : null)}
            placeholder={t('sop.step.newValue')}
          />
          <Button
            type="primary"
            size="large"
            loading={busy}
            disabled={value === null || note.trim().length < 3}
            onClick={() => void send('rectify', { note, value })}
            data-testid={`step-${s.index}-rectify`}
          >
            {t('sop.step.rectify')}
          </Button>
        </Flex>
      )}
      {error && <Alert type="error" showIcon message={error} style={{ marginTop: 8 }} />}
      <Modal
        open={skipping}
        title={t('sop.step.skipTitle', { n: s.index })}
        okButtonProps={{ disabled: skipReason.trim().length < 3, loading: busy }}
        onOk={() => void send('skip', { reason: skipReason })}
        onCancel={() => setSkipping(false)}
      >
        <Input.TextArea
          rows={3}
          value={skipReason}
          onChange={(e) => setSkipReason(e.target.value)}
          placeholder={t('sop.step.skipReason')}
          maxLength={500}
        />
      </Modal>
    </Card>
  );
}
