import type { PermitState } from '@aegis/shared';
import type { GuardInput, MachineDef, Refusal, TimerSpec } from '../workflow/index.js';
import { analystConflict, approverConflict, checkerConflict } from './rules.js';

/**
 * The permit machine (作业票) on the workflow core: draft → awaiting_analysis → awaiting_approval →
 * active ⇄ suspended → completed; cancelled; expired. Steps that do not move the state (an
 * analysis, a measure confirmation, a briefing, an approval of one level) are transitions to the
 * same state, so the history and the audit trail show each with its actor.
 */

/** What the guards and timers look at. */
export interface PermitFacts {
  applicantId: number;
  personInChargeId: number;
  watcherId: number;
  brieferId: number;
  acceptorId: number;
  /** the analyst named on the permit (null: any holder of permit.analyze) */
  analystId: number | null;
  workerUserIds: number[];
  /** analysts of the analyses recorded so far */
  analystIds: number[];
  /** approvers so far */
  approverIds: number[];
  validTo: Date;
  continuousMonitoring: boolean;
  liveRecordEveryMin: number;
}

export type PermitTransition =
  | 'submit'
  | 'analyze'
  | 'analysis_passed'
  | 'confirm_measures'
  | 'brief'
  | 'brief_receive'
  | 'watch'
  | 'approve'
  | 'reject'
  | 'activate'
  | 'stop'
  | 'interrupt'
  | 'suspend'
  | 'resume'
  | 'complete'
  | 'cancel'
  | 'revise'
  | 'expire';

const OPEN_BEFORE_WORK: PermitState[] = ['awaiting_analysis', 'awaiting_approval'];
const LIVE: PermitState[] = ['active', 'suspended'];

const refused = (message: string, details?: Record<string, unknown>): Refusal => ({
  code: 'transition_refused',
  message,
  details,
});
const sod = (c: { words: { zh: string; en: string }; rule: string } | null): Refusal | null =>
  c
    ? {
        code: 'separation_of_duties',
        message: `Separation of duties: ${c.words.en} / ${c.words.zh}`,
        details: { rule: c.rule, zh: c.words.zh },
      }
    : null;

/** Only the named person (or one of them) may take this step. */
const onlyBy =
  (who: (f: PermitFacts) => number[], role: { zh: string; en: string }) =>
  ({ record, actorId }: GuardInput<PermitFacts>): Refusal | null =>
    actorId !== null && !who(record).includes(actorId)
      ? refused(
          `Only the ${role.en} named on the permit can do this / 只有作业票上的${role.zh}可以执行此操作`,
          {
            role: role.en,
          },
        )
      : null;

const duties = (f: PermitFacts) => ({
  applicantId: f.applicantId,
  watcherId: f.watcherId,
  workerUserIds: f.workerUserIds,
  analystIds: f.analystIds,
  approverIds: f.approverIds,
});

export const permitMachine: MachineDef<PermitState, PermitTransition, PermitFacts> = {
  kind: 'permit',
  states: [
    'draft',
    'awaiting_analysis',
    'awaiting_approval',
    'active',
    'suspended',
    'completed',
    'cancelled',
    'expired',
  ],
  initial: 'draft',
  terminal: ['completed', 'cancelled', 'expired'],
  transitions: {
    submit: {
      from: ['draft'],
      to: ({ data }) => (data.needsAnalysis ? 'awaiting_analysis' : 'awaiting_approval'),
      permission: 'permit.request',
      guard: onlyBy((f) => [f.applicantId], { zh: '申请人', en: 'applicant' }),
    },
    analyze: {
      from: ['awaiting_analysis', 'awaiting_approval', 'active', 'suspended'],
      to: ({ data }) => data.state as PermitState,
      permission: 'permit.analyze',
      guard: (input) =>
        (input.record.analystId !== null
          ? onlyBy((f) => [f.analystId ?? 0], { zh: '分析人', en: 'analyst' })(input)
          : null) ??
        (input.actorId !== null ? sod(analystConflict(input.actorId, duties(input.record))) : null),
    },
    analysis_passed: { from: ['awaiting_analysis'], to: 'awaiting_approval', permission: 'permit.analyze' },
    confirm_measures: {
      from: OPEN_BEFORE_WORK,
      to: ({ data }) => data.state as PermitState,
      permission: 'permit.request',
      guard: onlyBy((f) => [f.personInChargeId, f.watcherId], {
        zh: '作业负责人或监护人',
        en: 'person in charge or watcher',
      }),
    },
    brief: {
      from: OPEN_BEFORE_WORK,
      to: ({ data }) => data.state as PermitState,
      permission: 'permit.request',
      guard: onlyBy((f) => [f.brieferId], { zh: '交底人', en: 'briefer' }),
    },
    brief_receive: {
      from: OPEN_BEFORE_WORK,
      to: ({ data }) => data.state as PermitState,
      permission: 'permit.request',
      guard: onlyBy((f) => [f.personInChargeId, ...f.workerUserIds], {
        zh: '作业负责人或作业人',
        en: 'person in charge or worker',
      }),
    },
    watch: {
      from: OPEN_BEFORE_WORK,
      to: ({ data }) => data.state as PermitState,
      permission: 'permit.supervise',
      guard: onlyBy((f) => [f.watcherId], { zh: '监护人', en: 'watcher' }),
    },
    approve: {
      from: ['awaiting_approval'],
      to: 'awaiting_approval',
      permission: 'permit.approve',
      guard: ({ record, actorId }) =>
        actorId === null ? null : sod(approverConflict(actorId, duties(record))),
    },
    reject: {
      from: ['awaiting_approval'],
      to: 'cancelled',
      permission: 'permit.approve',
      reasonRequired: true,
      guard: ({ record, actorId }) =>
        actorId === null ? null : sod(approverConflict(actorId, duties(record))),
    },
    activate: {
      from: ['awaiting_approval'],
      to: 'active',
      permission: 'permit.supervise',
      guard: ({ record, actorId }) => (actorId === null ? null : sod(checkerConflict(actorId, record))),
    },
    stop: {
      from: ['active'],
      to: 'suspended',
      permission: 'permit.supervise',
      reasonRequired: true,
      guard: onlyBy((f) => [f.watcherId], { zh: '监护人', en: 'watcher' }),
    },
    interrupt: {
      from: ['active'],
      to: 'suspended',
      permission: 'permit.request',
      reasonRequired: true,
      guard: onlyBy((f) => [f.personInChargeId], { zh: '作业负责人', en: 'person in charge' }),
    },
    suspend: { from: ['active'], to: 'suspended', permission: 'system' },
    resume: {
      from: ['suspended'],
      to: 'active',
      permission: 'permit.supervise',
      guard: onlyBy((f) => [f.watcherId], { zh: '监护人', en: 'watcher' }),
    },
    complete: {
      from: LIVE,
      to: 'completed',
      permission: 'permit.supervise',
      guard: onlyBy((f) => [f.acceptorId], { zh: '验收人', en: 'acceptor' }),
    },
    cancel: {
      from: ['draft', ...OPEN_BEFORE_WORK],
      to: 'cancelled',
      permission: 'permit.request',
      reasonRequired: true,
      guard: onlyBy((f) => [f.applicantId], { zh: '申请人', en: 'applicant' }),
    },
    revise: {
      from: ['draft', ...OPEN_BEFORE_WORK],
      to: 'cancelled',
      permission: 'permit.request',
      reasonRequired: true,
      guard: onlyBy((f) => [f.applicantId], { zh: '申请人', en: 'applicant' }),
    },
    expire: {
      from: ['awaiting_analysis', 'awaiting_approval', 'active', 'suspended'],
      to: 'expired',
      permission: 'system',
    },
  },
  timers: (state, r, now) => permitTimers(state, r, now),
};

/** Warn the people on an active permit this long before it runs out. */
export const EXPIRING_BEFORE_MS = 30 * 60_000;

/**
 * The timers a permit holds: 'expire' at the end of its window while it is open after submit;
 * 'expiring' shortly before while work goes on; 'record_gas' every liveRecordEveryMin while active
 * with continuous monitoring (its handler sets the next one through this function).
 */
export function permitTimers(state: PermitState, r: PermitFacts, now: Date): TimerSpec[] {
  if (state === 'draft' || permitMachine.terminal.includes(state)) return [];
  const out: TimerSpec[] = [{ key: 'expire', dueAt: r.validTo }];
  if (state === 'active' || state === 'suspended') {
    const warn = new Date(r.validTo.getTime() - EXPIRING_BEFORE_MS);
    if (warn > now) out.push({ key: 'expiring', dueAt: warn });
  }
  if (state === 'active' && r.continuousMonitoring) {
    const next = new Date(now.getTime() + r.liveRecordEveryMin * 60_000);
    if (next < r.validTo) out.push({ key: 'record_gas', dueAt: next });
  }
  return out;
}
