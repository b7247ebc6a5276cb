import { EnvironmentOutlined, ReloadOutlined, RightOutlined, SafetyOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Empty, Space, Spin, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { errorText } from '../../app/errorText';
import { myTasksQuery } from './api';
import { OutboxList } from './OutboxList';
import { waiting } from './outbox';
import { useFieldwork, useFieldworkState } from './runtime';
import { SyncBar } from './SyncBar';
import { cacheLoadedAssets } from './serviceWorker';
import { isFinished, routeOrder, STATE_BORDER, STATE_COLOR, shownState } from './taskState';

/** 我的任务: today's inspections of the signed-in person, in walking order; works offline. */
export function MyTasksPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const fw = useFieldwork();
  const fwState = useFieldworkState(fw);
  const list = useQuery(myTasksQuery(fw.cache));
  const [queuedTasks, setQueuedTasks] = useState<Set<number>>(new Set());
  const offlineReady = useOfflineReady();

  // the outbox changes (a sync, a submit): which tasks wait for the server
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-read on every outbox change
  useEffect(() => {
    let live = true;
    waiting(fw.store)
      .then((w) => {
        if (live) setQueuedTasks(new Set(w.map((s) => s.taskId)));
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [fw, fwState.version]);

  const pull = usePullToRefresh(() => void list.refetch());
  const now = new Date();
  const tasks = routeOrder(list.data?.value ?? []);

  return (
    <div {...pull.handlers} style={{ maxWidth: 720, margin: '0 auto' }} data-testid="my-tasks">
      {pull.pulling && (
        <div style={{ textAlign: 'center', padding: 8 }}>
          <ReloadOutlined spin />
        </div>
      )}
      <div style={{ display: 'flex', alignItems: 'center', gap: 8, marginBottom: 8 }}>
        <Typography.Title level={4} style={{ margin: 0, flex: 1 }}>
          {t('fieldwork.title')}
          <Typography.Text type="secondary" style={{ fontSize: 14, marginLeft: 8, fontWeight: 'normal' }}>
            {dayjs().format('M/D ddd')}
          </Typography.Text>
        </Typography.Title>
        {offlineReady && (
          <Tag icon={<SafetyOutlined />} color="success" data-testid="offline-ready">
            {t('fieldwork.offlineReady')}
          </Tag>
        )}
        <Button
          icon={<ReloadOutlined />}
          loading={list.isFetching}
          onClick={() => void list.refetch()}
          aria-label={t('fieldwork.refresh')}
          data-testid="tasks-refresh"
        />
      </div>
      <SyncBar fw={fw} />
      {list.data?.fromCache && (
        <Typography.Text
          type="secondary"
          style={{ display: 'block', marginBottom: 8 }}
          data-testid="tasks-cached"
        >
          {t('fieldwork.cachedAt', { time: dayjs(list.data.savedAt).format('HH:mm') })}
        </Typography.Text>
      )}
      <OutboxList fw={fw} />
      {list.isPending && <Spin style={{ display: 'block', margin: 32 }} />}
      {list.isError && <Alert type="error" showIcon title={errorText(t, list.error)} />}
      {list.isSuccess && tasks.length === 0 && <Empty description={t('fieldwork.empty')} />}
      <Space orientation="vertical" size={8} style={{ width: '100%' }}>
        {tasks.map((task) => {
          const state = shownState(task, queuedTasks.has(task.id), now);
          return (
            <Card
              key={task.id}
              size="small"
              hoverable
              onClick={() => void navigate(`/my-tasks/${task.id}`)}
              style={{ borderLeft: `4px solid ${STATE_BORDER[state]}` }}
              data-testid={`task-${task.id}`}
              data-state={state}
            >
              <div style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
                <div style={{ flex: 1, minWidth: 0 }}>
                  <Space size={4} wrap>
                    <Tag color={STATE_COLOR[state]} style={{ marginInlineEnd: 0 }}>
                      {t(`fieldwork.state.${state}`)}
                    </Tag>
                    <Typography.Text strong>{task.checkpointName}</Typography.Text>
                    {task.abnormalCount > 0 && (
                      <Tag color="red" data-testid={`task-${task.id}-abnormal`}>
                        {t('fieldwork.abnormalCount', { count: task.abnormalCount })}
                      </Tag>
                    )}
                  </Space>
                  <div>
                    <Typography.Text type="secondary" style={{ fontSize: 13 }}>
                      {task.planName} · {task.templateName}
                    </Typography.Text>
                  </div>
                  <div>
                    <Typography.Text
                      type={state === 'overdue' ? 'danger' : 'secondary'}
                      style={{ fontSize: 13 }}
                    >
                      {t('fieldwork.window', {
                        start: dayjs(task.opensAt).format('HH:mm'),
                        due: dayjs(task.dueAt).format('HH:mm'),
                      })}
                    </Typography.Text>
                    {task.requireScan && (
                      <EnvironmentOutlined
                        style={{ marginLeft: 6, color: task.scanned ? '#52c41a' : '#bfbfbf' }}
                      />
                    )}
                  </div>
                </div>
                {!isFinished(task.state) && <RightOutlined style={{ color: '#bfbfbf' }} />}
              </div>
            </Card>
          );
        })}
      </Space>
    </div>
  );
}

/** True once the service worker holds everything this page needs to open offline. */
function useOfflineReady(): boolean {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let live = true;
    // the task page too: it opens from this list, also offline
    import('./TaskRunPage')
      .then(() => cacheLoadedAssets())
      .then((ok) => {
        if (live) setReady(ok);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return ready;
}

/** Pull down at the top of the page to refresh (touch screens). */
function usePullToRefresh(onRefresh: () => void) {
  const start = useRef<number | null>(null);
  const [pulling, setPulling] = useState(false);
  return {
    pulling,
    handlers: {
      onTouchStart: (e: React.TouchEvent) => {
        start.current = window.scrollY <= 0 ? (e.touches[0]?.clientY ?? null) : null;
      },
      onTouchMove: (e: React.TouchEvent) => {
        if (start.current === null) return;
        setPulling((e.touches[0]?.clientY ?? 0) - start.current > 70);
      },
      onTouchEnd: () => {
        if (pulling) onRefresh();
        start.current = null;
        setPulling(false);
      },
    },
  };
}
