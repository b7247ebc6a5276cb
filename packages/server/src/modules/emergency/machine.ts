import type { EmergencyRunState } from '@aegis/shared';
import type { MachineDef, TimerSpec } from '../workflow/index.js';

/**
 * An emergency run (应急响应 or 演练) on the workflow core: active → closed. Its steps are rows of
 * their own (checked off one by one, in order); the run holds one overdue timer per pending step.
 */

export interface RunFacts {
  /** steps still pending whose overdue notice has not gone out: one timer each */
  pending: { seq: number; dueAt: Date }[];
  /** steps neither done nor skipped (the run cannot close while there are any) */
  unfinished: { seq: number; title: string }[];
}

export type RunAction = 'close';

export const stepTimerKey = (seq: number) => `step:${seq}`;

export const runMachine: MachineDef<EmergencyRunState, RunAction, RunFacts> = {
  kind: 'emergency_run',
  states: ['active', 'closed'],
  initial: 'active',
  terminal: ['closed'],
  transitions: {
    // 总指挥 closes: the activator or anyone who may activate plans here, with a summary
    close: {
      from: ['active'],
      to: 'closed',
      permission: 'emergency.activate',
      guard: ({ record }) => {
        const open = record.unfinished;
        if (!open.length) return null;
        return {
          code: 'transition_refused',
          message: `Steps ${open.map((s) => `${s.seq}. ${s.title}`).join('; ')} are neither done nor skipped with a reason (步骤未完成)`,
          details: { unfinished: open.map((s) => s.seq) },
        };
      },
    },
  },
  timers(state, record): TimerSpec[] {
    if (state !== 'active') return [];
    return record.pending.map((s) => ({ key: stepTimerKey(s.seq), dueAt: s.dueAt, payload: { seq: s.seq } }));
  },
};

/**
 * A step's deadline: the run's start plus the limits of this step and all before it — the plan's
 * steps are a timeline, so a late step does not move the deadlines of the ones after it.
 */
export function stepDeadlines(startedAt: Date, limitsMin: number[]): Date[] {
  let sum = 0;
  return limitsMin.map((m) => {
    sum += m;
    return new Date(startedAt.getTime() + sum * 60_000);
  });
}

/** A tag code pattern ('GD-2*', '*.H2S'): `*` matches any run of characters, case-insensitive. */
export function tagMatches(pattern: string, tag: string): boolean {
  if (!pattern) return true;
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );
  // the event names the tag as EQUIPMENT.TAG: the pattern may name either part or both
  const [, code = tag] = tag.split(/\.(.*)/s);
  return re.test(tag) || re.test(code);
}

const RANK: Record<string, number> = { critical: 4, high: 3, medium: 2, low: 1 };
export const atLeast = (priority: string, min: string) => (RANK[priority] ?? 0) >= (RANK[min] ?? 9);
