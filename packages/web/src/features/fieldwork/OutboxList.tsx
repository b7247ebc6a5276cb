import type { TaskDetail } from '@aegis/shared';
import { Alert, App, Button, Card, Descriptions, Popconfirm, Space, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { copyIntoFreshAttempt, discard, type Submission, waiting } from './outbox';
import type { Fieldwork } from './runtime';
import { useFieldworkState } from './runtime';

/** The runs on this phone the server does not have yet; conflicts and refusals wait for a decision. */
export function OutboxList({ fw, taskId }: { fw: Fieldwork; taskId?: number }) {
  const { t } = useTranslation();
  const state = useFieldworkState(fw);
  const [runs, setRuns] = useState<Submission[]>([]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-read on every outbox change
  useEffect(() => {
    let live = true;
    waiting(fw.store)
      .then((w) => {
        if (live) setRuns(w.filter((s) => taskId === undefined || s.taskId === taskId));
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [fw, state.version, taskId]);
  if (runs.length === 0) return null;
  return (
    <Space orientation="vertical" size={8} style={{ width: '100%', marginBottom: 8 }} data-testid="outbox">
      {runs.map((run) =>
        run.status === 'conflict' ? (
          <ConflictCard key={run.id} fw={fw} run={run} />
        ) : (
          <Card
            key={run.id}
            size="small"
            data-testid={`outbox-${run.id}`}
            data-status={run.status}
            style={{ borderLeft: `4px solid ${run.status === 'failed' ? '#ff4d4f' : '#fa8c16'}` }}
          >
            <Space size={4} wrap>
              <Tag color={run.status === 'failed' ? 'red' : 'orange'}>
                {t(`fieldwork.queue.${run.status}`)}
              </Tag>
              <Typography.Text strong>{run.title}</Typography.Text>
            </Space>
            <div>
              <Typography.Text type="secondary" style={{ fontSize: 13 }}>
                {t('fieldwork.queue.submittedAt', { time: dayjs(run.submittedAt).format('HH:mm') })}
              </Typography.Text>
            </div>
            {run.status === 'failed' && run.error && (
              <>
                <Alert
                  type="error"
                  showIcon
                  style={{ marginTop: 8 }}
                  title={t('fieldwork.failed.title')}
                  description={run.error.message}
                />
                <Space wrap style={{ marginTop: 8 }}>
                  <Popconfirm
                    title={t('fieldwork.conflict.confirmDiscard')}
                    onConfirm={async () => {
                      await discard(fw.store, run.id);
                      fw.changed();
                    }}
                  >
                    <Button danger size="small" data-testid="failed-discard">
                      {t('fieldwork.failed.discard')}
                    </Button>
                  </Popconfirm>
                  <FreshAttemptButton fw={fw} run={run} revision={run.baseRevision} />
                </Space>
              </>
            )}
          </Card>
        ),
      )}
    </Space>
  );
}

/** Copies the run's answers and photos into a new draft on the task's current revision, and opens it. */
function FreshAttemptButton({ fw, run, revision }: { fw: Fieldwork; run: Submission; revision: number }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { message } = App.useApp();
  return (
    <Button
      size="small"
      data-testid="conflict-copy"
      onClick={async () => {
        await copyIntoFreshAttempt(
          fw.store,
          run.id,
          { id: run.taskId, revision, title: run.title },
          new Date(),
        );
        fw.changed();
        void message.info(t('fieldwork.conflict.copied'));
        void navigate(`/my-tasks/${run.taskId}`);
      }}
    >
      {t('fieldwork.conflict.copy')}
    </Button>
  );
}

function answerText(v: unknown, t: (k: string) => string): string {
  if (v === 'pass') return t('fieldwork.item.pass');
  if (v === 'fail') return t('fieldwork.item.fail');
  if (v === null || v === undefined || v === '') return '—';
  return String(v);
}

/**
 * 同步冲突: the task changed on the server while this phone was offline. Both sides are shown;
 * the inspector discards theirs or copies it into a fresh attempt on the server's current task.
 */
function ConflictCard({ fw, run }: { fw: Fieldwork; run: Submission }) {
  const { t } = useTranslation();
  const server = (run.conflict?.details as { server?: TaskDetail } | null)?.server ?? null;
  const keys = [...new Set([...Object.keys(run.answers), ...Object.keys(server?.results ?? {})])];
  const label = (key: string) => server?.items.find((i) => i.key === key)?.label ?? key;
  return (
    <Card
      size="small"
      data-testid={`conflict-${run.taskId}`}
      style={{ borderLeft: '4px solid #ff4d4f' }}
      title={
        <Typography.Text type="danger" style={{ whiteSpace: 'normal' }}>
          {t('fieldwork.conflict.title')}
        </Typography.Text>
      }
    >
      <Typography.Text strong>{run.title}</Typography.Text>
      {run.conflict?.message && (
        <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
          {run.conflict.message}
        </Typography.Paragraph>
      )}
      {server && (
        <Descriptions
          size="small"
          column={1}
          bordered
          title={t('fieldwork.conflict.server')}
          data-testid="conflict-server"
          items={[
            {
              key: 'state',
              label: t('fieldwork.result'),
              children: (
                <span data-testid="conflict-server-state" data-state={server.state}>
                  {t(`fieldwork.state.${server.state}`)}
                  {server.doneByName ? ` · ${server.doneByName}` : ''}
                </span>
              ),
            },
            { key: 'assignee', label: t('fieldwork.assignee'), children: server.assignee.name },
          ]}
        />
      )}
      <table style={{ width: '100%', marginTop: 8, fontSize: 13 }} data-testid="conflict-compare">
        <thead>
          <tr>
            <th style={{ textAlign: 'left' }} />
            <th style={{ textAlign: 'left' }}>{t('fieldwork.conflict.server')}</th>
            <th style={{ textAlign: 'left' }}>{t('fieldwork.conflict.mine')}</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k}>
              <td>{label(k)}</td>
              <td>{answerText(server?.results[k]?.value, t)}</td>
              <td>{answerText(run.answers[k]?.value, t)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Space wrap style={{ marginTop: 8 }}>
        <Popconfirm
          title={t('fieldwork.conflict.confirmDiscard')}
          onConfirm={async () => {
            await discard(fw.store, run.id);
            fw.changed();
          }}
        >
          <Button danger data-testid="conflict-discard">
            {t('fieldwork.conflict.discard')}
          </Button>
        </Popconfirm>
        <FreshAttemptButton fw={fw} run={run} revision={server?.revision ?? run.baseRevision} />
      </Space>
    </Card>
  );
}
