import type { TaskDetail, WorkflowTransition } from '@aegis/shared';

/** One step in a task's history, as the detail page lists it. */
export interface TimelineEntry {
  at: string;
  /** i18n key under inspection.history */
  kind: 'generated' | 'opened' | 'due' | 'started' | 'scanned' | 'flag' | 'done' | 'missed' | 'audit';
  who: string | null;
  /** words for people: a flag's message, an audit entry's reason */
  text: string | null;
  /** the audit action ('inspection_task.reassign'), named by the page */
  action?: string;
  /** a step still to come (the due time of an open task) */
  future?: boolean;
  /** red in the list: missed, a refused scan, a flag */
  bad?: boolean;
}

const SHOWN = /\.(create|generate|start|scan|submit|open|miss)$/;

export interface AuditStep {
  at: string;
  action: string;
  actorDisplayName: string | null;
  actorName: string;
  reason: string | null;
}

/**
 * What happened to a task, oldest first, from its own fields (generated, opened, started, scanned,
 * flagged, done or missed) and, where the user may read them, the audit entries about it (cancel,
 * reassign — with who and why). Until the server gives the workflow history itself.
 */
export function taskTimeline(
  task: Pick<
    TaskDetail,
    | 'occurrenceAt'
    | 'opensAt'
    | 'dueAt'
    | 'missedAt'
    | 'startedAt'
    | 'doneAt'
    | 'doneByName'
    | 'state'
    | 'scan'
    | 'flags'
  >,
  now: Date,
  audit: AuditStep[] = [],
  names: { user: (id: number) => string | null } = { user: () => null },
): TimelineEntry[] {
  const out: TimelineEntry[] = [{ at: task.occurrenceAt, kind: 'generated', who: null, text: null }];
  const past = (iso: string) => new Date(iso).getTime() <= now.getTime();
  if (past(task.opensAt)) out.push({ at: task.opensAt, kind: 'opened', who: null, text: null });
  if (task.startedAt) out.push({ at: task.startedAt, kind: 'started', who: null, text: null });
  if (task.scan) out.push({ at: task.scan.at, kind: 'scanned', who: names.user(task.scan.by), text: null });
  for (const f of task.flags) out.push({ at: f.at, kind: 'flag', who: null, text: f.message, bad: true });
  if (task.doneAt) out.push({ at: task.doneAt, kind: 'done', who: task.doneByName, text: null });
  else if (task.state === 'missed')
    out.push({ at: task.missedAt, kind: 'missed', who: null, text: null, bad: true });
  else if (task.state !== 'cancelled')
    out.push({ at: task.dueAt, kind: 'due', who: null, text: null, future: !past(task.dueAt) });
  // steps the task's own fields already show are left out (creation, start, scan, submission)
  for (const a of audit.filter((x) => !SHOWN.test(x.action)))
    out.push({
      at: a.at,
      kind: 'audit',
      who: a.actorDisplayName ?? a.actorName,
      text: a.reason,
      action: a.action,
    });
  // stable: equal times keep the order above (generated before opened at the same instant)
  return out
    .map((e, i) => ({ e, i }))
    .sort((a, b) => new Date(a.e.at).getTime() - new Date(b.e.at).getTime() || a.i - b.i)
    .map(({ e }) => e);
}

/** The task's workflow history as timeline steps (the same shape as its audit entries). */
export function historySteps(history: WorkflowTransition[]): AuditStep[] {
  return history.map((h) => ({
    at: h.at,
    action: `inspection_task.${h.action}`,
    actorDisplayName: h.actor.name,
    actorName: h.actor.name,
    reason: h.reason,
  }));
}
