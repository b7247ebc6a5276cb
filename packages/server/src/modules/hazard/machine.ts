import type { HazardAction, HazardGrade, HazardState, HazardTreatment } from '@aegis/shared';
import type { GuardInput, MachineDef, Refusal, TimerSpec } from '../workflow/index.js';

/**
 * The hidden-danger machine (隐患闭环) as data on the workflow core:
 * reported → triage → approval (重大) → rectifying → verifying → closed, or reopened.
 */

/** What the guards and timers look at. */
export interface HazardFacts {
  reporterId: number | null;
  responsibleId: number | null;
  treatment: HazardTreatment | null;
  grade: HazardGrade | null;
  deadline: Date | null;
  /** when the current rectification started */
  rectifyingSince: Date | null;
}

const REMIND_BEFORE_MS = 24 * 3600_000;
/** How long a hazard may wait for triage, plan approval or verification before people are reminded. */
export const STALLED_AFTER_MS: Partial<Record<HazardState, number>> = {
  reported: 24 * 3600_000,
  approval: 48 * 3600_000,
  verifying: 48 * 3600_000,
};

/** Who did the fixing: the rectify action's actor, or for an immediate fix the reporter (and the named person). */
function fixers(input: GuardInput<HazardFacts>): number[] {
  const ids = input.history.filter((h) => h.action === 'rectify').map((h) => h.actorId);
  const r = input.record;
  if (r.treatment === 'immediate') ids.push(r.reporterId, r.responsibleId);
  return ids.filter((x): x is number => x !== null);
}

/** Verification (or its refusal) is someone else's job than the fixing. */
function notTheFixer(input: GuardInput<HazardFacts>): Refusal | null {
  if (input.actorId === null || !fixers(input).includes(input.actorId)) return null;
  return {
    code: 'separation_of_duties',
    message: 'Separation of duties: you rectified this hazard, so someone else must verify it',
    details: { rule: 'verifier_not_rectifier' },
  };
}

function triageChecks(input: GuardInput<HazardFacts>): Refusal | null {
  const d = input.data;
  if (d.grade === 'major' && d.treatment === 'immediate')
    return {
      code: 'validation_failed',
      message: 'A major hazard cannot be fixed on the spot: it needs an approved plan',
      details: { field: 'treatment' },
    };
  if (d.treatment === 'deadline' && (!d.deadline || !d.responsibleId))
    return {
      code: 'validation_failed',
      message: 'A rectification by deadline needs a deadline and a responsible person',
      details: { field: 'deadline' },
    };
  return null;
}

export const hazardMachine: MachineDef<HazardState, HazardAction, HazardFacts> = {
  kind: 'hazard',
  states: ['reported', 'approval', 'rectifying', 'verifying', 'closed', 'rejected'],
  initial: 'reported',
  terminal: ['closed', 'rejected'],
  transitions: {
    triage: {
      from: ['reported'],
      to: ({ data }) =>
        data.grade === 'major' ? 'approval' : data.treatment === 'immediate' ? 'verifying' : 'rectifying',
      permission: 'hazard.manage',
      guard: triageChecks,
    },
    reject: { from: ['reported'], to: 'rejected', permission: 'hazard.manage', reasonRequired: true },
    approve: { from: ['approval'], to: 'rectifying', permission: 'hazard.approve' },
    reject_plan: { from: ['approval'], to: 'reported', permission: 'hazard.approve', reasonRequired: true },
    rectify: {
      from: ['rectifying'],
      to: 'verifying',
      permission: 'hazard.rectify',
      guard: ({ record, actorId }) =>
        actorId !== null && actorId !== record.responsibleId
          ? {
              code: 'transition_refused',
              message: 'This rectification is assigned to someone else',
              details: { responsibleId: record.responsibleId },
            }
          : null,
    },
    verify: { from: ['verifying'], to: 'closed', permission: 'hazard.verify', guard: notTheFixer },
    reopen: {
      from: ['verifying'],
      to: 'rectifying',
      permission: 'hazard.verify',
      reasonRequired: true,
      guard: notTheFixer,
    },
  },
  timers(state, r, now): TimerSpec[] {
    // a stage nobody takes up (triage, plan approval, verification) is a stalled workflow: remind
    const waitMs = STALLED_AFTER_MS[state];
    if (waitMs !== undefined)
      return [{ key: 'stalled', dueAt: new Date(now.getTime() + waitMs), payload: { state } }];
    if (state !== 'rectifying' || !r.deadline) return [];
    const remindAt = new Date(r.deadline.getTime() - REMIND_BEFORE_MS);
    const timers: TimerSpec[] = [];
    // a reminder only makes sense when the rectification started before it
    if (!r.rectifyingSince || remindAt > r.rectifyingSince) timers.push({ key: 'remind', dueAt: remindAt });
    timers.push({ key: 'overdue', dueAt: r.deadline });
    return timers;
  },
};

/** The stage a state waits in, named in notification subjects (`hazard:<id>:<stage>`). */
export const STAGE_OF: Partial<Record<HazardState, 'triage' | 'approve' | 'rectify' | 'verify'>> = {
  reported: 'triage',
  approval: 'approve',
  rectifying: 'rectify',
  verifying: 'verify',
};
