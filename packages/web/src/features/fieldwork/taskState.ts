import type { Task } from '@aegis/shared';

/** What the phone shows for a task: the server's state, or "waiting to sync" when the outbox holds its run. */
export type ShownState = Task['state'] | 'queued';

export function shownState(task: Pick<Task, 'state' | 'dueAt'>, queued: boolean, now: Date): ShownState {
  if (queued) return 'queued';
  // the list may be an offline copy: a task past due shows overdue even before the server says so
  if ((task.state === 'open' || task.state === 'in_progress') && new Date(task.dueAt) < now) return 'overdue';
  return task.state;
}

/** Colours: due blue, in progress cyan, overdue red, done green, missed grey, waiting orange. */
export const STATE_COLOR: Record<ShownState, string> = {
  planned: 'default',
  open: 'blue',
  in_progress: 'cyan',
  overdue: 'red',
  done: 'green',
  done_late: 'green',
  missed: 'default',
  cancelled: 'default',
  queued: 'orange',
};

export const STATE_BORDER: Record<ShownState, string> = {
  planned: '#d9d9d9',
  open: '#1677ff',
  in_progress: '#13c2c2',
  overdue: '#ff4d4f',
  done: '#52c41a',
  done_late: '#52c41a',
  missed: '#8c8c8c',
  cancelled: '#d9d9d9',
  queued: '#fa8c16',
};

export function isFinished(state: Task['state']): boolean {
  return state === 'done' || state === 'done_late' || state === 'missed' || state === 'cancelled';
}

/** Today's tasks in walking order: by occurrence, then position on the route. */
export function routeOrder<T extends Pick<Task, 'occurrenceAt' | 'planId' | 'seq' | 'id'>>(tasks: T[]): T[] {
  return [...tasks].sort(
    (a, b) =>
      a.occurrenceAt.localeCompare(b.occurrenceAt) || a.planId - b.planId || a.seq - b.seq || a.id - b.id,
  );
}

/** The server writes refusals as "中文 / English": the reader's half. */
export function inLanguage(message: string, language: string): string {
  const parts = message.split(' / ');
  if (parts.length !== 2) return message;
  return language === 'en-US' ? parts[1]! : parts[0]!;
}
