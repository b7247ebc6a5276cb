import type { Assignee, TaskResult, TaskState } from '@aegis/shared';
import {
  CheckCircleOutlined,
  ClockCircleOutlined,
  CloseCircleOutlined,
  ExclamationCircleOutlined,
  StopOutlined,
  SyncOutlined,
} from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Input, Tag } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { canAnywhere, useMe } from '../../app/auth';
import { useLocalName } from '../../app/i18n';
import { orgListQuery } from '../org/api';
import { plantNodesQuery } from '../plant/api';
import { PlantNodeSelect } from '../plant/PlantNodeSelect';
import { usersQuery } from '../users/api';
import { type AssigneeKey, assigneeKey } from './planForm';
import { TASK_RESULT_COLOR, TASK_STATE_COLOR } from './present';

const STATE_ICON: Partial<Record<TaskState, ReactNode>> = {
  in_progress: <SyncOutlined />,
  done: <CheckCircleOutlined />,
  overdue: <ClockCircleOutlined />,
  done_late: <ClockCircleOutlined />,
  missed: <ExclamationCircleOutlined />,
  cancelled: <StopOutlined />,
};

export function TaskStateTag({ state }: { state: TaskState }) {
  const { t } = useTranslation();
  return (
    <Tag color={TASK_STATE_COLOR[state]} icon={STATE_ICON[state]} data-state={state}>
      {t(`inspection.state.${state}`)}
    </Tag>
  );
}

export function TaskResultTag({ result }: { result: TaskResult | null }) {
  const { t } = useTranslation();
  if (!result) return null;
  return (
    <Tag
      color={TASK_RESULT_COLOR[result]}
      icon={result === 'ok' ? <CheckCircleOutlined /> : <CloseCircleOutlined />}
      data-result={result}
    >
      {t(`inspection.result.${result}`)}
    </Tag>
  );
}

/** Plant node names by id, in the UI language. */
export function useNodeName() {
  const name = useLocalName();
  const nodes = useQuery(plantNodesQuery);
  return (id: number | null | undefined) => {
    if (id === null || id === undefined) return '—';
    const n = nodes.data?.find((x) => x.id === id);
    return n ? name(n) : `#${id}`;
  };
}

/** The org shifts (早班, 中班…), for the schedule and the board. */
export function useShifts() {
  const { data: me } = useMe();
  const shifts = useQuery({ ...orgListQuery('shifts'), enabled: canAnywhere(me, 'org.read') });
  const list = shifts.data ?? [];
  return { list, name: (id: number) => list.find((s) => s.id === id)?.name ?? `#${id}` };
}

/**
 * Who a plan's tasks go to, as one grouped select: the team on duty first (it follows the
 * roster), then posts, teams and people. Lists the user may not read are left out.
 */
export function useAssignees() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const users = useQuery({
    ...usersQuery({ limit: 1000, offset: 0 }),
    enabled: canAnywhere(me, 'user.read'),
  });
  const posts = useQuery({ ...orgListQuery('posts'), enabled: canAnywhere(me, 'org.read') });
  const teams = useQuery({ ...orgListQuery('teams'), enabled: canAnywhere(me, 'org.read') });
  const label = (a: Assignee): string => {
    switch (a.kind) {
      case 'user':
        return t('inspection.assignee.user', {
          name: users.data?.items.find((u) => u.id === a.userId)?.displayName ?? `#${a.userId}`,
        });
      case 'post':
        return t('inspection.assignee.post', {
          name: posts.data?.find((p) => p.id === a.postId)?.name ?? `#${a.postId}`,
        });
      case 'team':
        return t('inspection.assignee.team', {
          name: teams.data?.find((x) => x.id === a.teamId)?.name ?? `#${a.teamId}`,
        });
      default:
        return t('inspection.assignee.shift_on_duty');
    }
  };
  const group = (key: string, items: Assignee[]) => ({
    label: t(`inspection.assignee.group.${key}`),
    title: key,
    options: items.map((a) => ({ value: assigneeKey(a) as AssigneeKey, label: label(a) })),
  });
  const options = [
    group('shift', [{ kind: 'shift_on_duty' }]),
    group(
      'post',
      (posts.data ?? []).map((p) => ({ kind: 'post' as const, postId: p.id })),
    ),
    group(
      'team',
      (teams.data ?? []).map((x) => ({ kind: 'team' as const, teamId: x.id })),
    ),
    group(
      'user',
      (users.data?.items ?? [])
        .filter((u) => u.active && u.kind === 'person')
        .map((u) => ({ kind: 'user' as const, userId: u.id })),
    ),
  ].filter((g) => g.options.length > 0);
  return { options, label, users: users.data?.items ?? [] };
}

/** "03-02 14:00" in the browser's time zone; '—' for none. */
export function shortTime(iso: string | null | undefined, withDate = true): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  const time = `${p(d.getHours())}:${p(d.getMinutes())}`;
  return withDate ? `${p(d.getMonth() + 1)}-${p(d.getDate())} ${time}` : time;
}

/** The record's plant node: picked when it is created, shown read-only after (the server keeps it fixed). */
export function NodeField(props: {
  value?: number | null;
  onChange?: (v: number | null) => void;
  id?: string;
  locked: boolean;
}) {
  const nodeName = useNodeName();
  if (props.locked) return <Input id={props.id} value={nodeName(props.value)} disabled />;
  return <PlantNodeSelect id={props.id} value={props.value} onChange={props.onChange} />;
}
