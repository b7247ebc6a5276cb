import type { TaskState } from '@aegis/shared';
import type { MachineDef, TimerSpec } from '../workflow/index.js';

/** What the task machine's timers and guards look at. */
export interface TaskRecord {
  opensAt: Date;
  dueAt: Date;
  missedAt: Date;
  remindAt: Date | null;
  /** the due-soon reminder was sent already (it is not set again after a transition) */
  reminded: boolean;
  /** the state the task is in before the action (submit → done or done_late) */
  state: TaskState;
}

export type TaskAction = 'open' | 'start' | 'submit' | 'overdue' | 'miss' | 'cancel' | 'reassign';

const ACTIVE: TaskState[] = ['planned', 'open', 'in_progress', 'overdue'];

/**
 * The inspection task (点检任务) as a workflow record:
 * planned → open (window starts) → in_progress (started/scanned) → done; past due → overdue →
 * done_late; past due + grace → missed (未检, result not_checked); cancelled by a planner.
 * Time moves it through timer rows (open, remind, overdue, missed) fired by the scheduler.
 */
export const taskMachine: MachineDef<TaskState, TaskAction, TaskRecord> = {
  kind: 'inspection_task',
  states: ['planned', 'open', 'in_progress', 'done', 'overdue', 'done_late', 'missed', 'cancelled'],
  initial: 'planned',
  terminal: ['done', 'done_late', 'missed', 'cancelled'],
  transitions: {
    open: { from: ['planned'], to: 'open', permission: 'system' },
    start: { from: ['open'], to: 'in_progress', permission: 'inspection.perform' },
    submit: {
      from: ['open', 'in_progress', 'overdue'],
      to: ({ record }) => (record.state === 'overdue' ? 'done_late' : 'done'),
      permission: 'inspection.perform',
    },
    overdue: { from: ['open', 'in_progress'], to: 'overdue', permission: 'system' },
    miss: { from: ACTIVE, to: 'missed', permission: 'system' },
    cancel: { from: ACTIVE, to: 'cancelled', permission: 'inspection.manage', reasonRequired: true },
    reassign: {
      from: ACTIVE,
      to: ({ record }) => record.state,
      permission: 'inspection.manage',
      reasonRequired: true,
    },
  },
  timers: (state, r) => {
    if (!ACTIVE.includes(state)) return [];
    const out: TimerSpec[] = [];
    if (state === 'planned') out.push({ key: 'open', dueAt: r.opensAt });
    if (state !== 'overdue') {
      if (r.remindAt && !r.reminded) out.push({ key: 'remind', dueAt: r.remindAt });
      out.push({ key: 'overdue', dueAt: r.dueAt });
    }
    out.push({ key: 'missed', dueAt: r.missedAt });
    return out;
  },
};

export const isActive = (s: TaskState) => ACTIVE.includes(s);
