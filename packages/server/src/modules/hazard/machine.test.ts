import type { HazardAction, HazardState, Permission } from '@aegis/shared';
import { describe, expect, it } from 'vitest';
import { availableActions, decide, type TransitionRecord } from '../workflow/index.js';
import { type HazardFacts, hazardMachine } from './machine.js';

const now = new Date('2026-03-02T08:00:00Z');
const REPORTER = 1;
const SAFETY = 2;
const FIXER = 3;
const MANAGER = 4;

const facts = (over: Partial<HazardFacts> = {}): HazardFacts => ({
  reporterId: REPORTER,
  responsibleId: FIXER,
  treatment: 'deadline',
  grade: 'general',
  deadline: new Date('2026-03-05T08:00:00Z'),
  rectifyingSince: now,
  ...over,
});

let seq = 0;
const step = (action: string, actorId: number | null): TransitionRecord => ({
  id: ++seq,
  recordKind: 'hazard',
  recordId: 1,
  action,
  fromState: null,
  toState: 'x',
  actorId,
  actorName: String(actorId),
  at: now,
  reason: null,
  data: {},
});

const all = (): boolean => true;
function run(
  state: HazardState,
  action: HazardAction,
  actorId: number | null,
  o: {
    record?: HazardFacts;
    data?: Record<string, unknown>;
    history?: TransitionRecord[];
    may?: (p: Permission) => boolean;
    reason?: string | null;
  } = {},
) {
  return decide(
    hazardMachine,
    state,
    action,
    { record: o.record ?? facts(), actorId, now, data: o.data ?? {}, history: o.history ?? [] },
    o.may ?? all,
    o.reason ?? null,
  );
}
const to = (d: ReturnType<typeof run>) => (d.ok ? d.to : d.refusal.code);

describe('hazard machine', () => {
  const triage = {
    grade: 'general',
    treatment: 'deadline',
    deadline: '2026-03-05T08:00:00Z',
    responsibleId: FIXER,
  };

  it('triages a general hazard with a deadline into rectification', () => {
    expect(to(run('reported', 'triage', SAFETY, { data: triage }))).toBe('rectifying');
  });
  it('sends a major hazard to the plant manager for approval', () => {
    expect(to(run('reported', 'triage', SAFETY, { data: { ...triage, grade: 'major' } }))).toBe('approval');
  });
  it('sends an immediate fix straight to verification', () => {
    expect(
      to(run('reported', 'triage', SAFETY, { data: { grade: 'general', treatment: 'immediate' } })),
    ).toBe('verifying');
  });
  it('refuses a major hazard fixed on the spot, and a deadline without a person', () => {
    expect(to(run('reported', 'triage', SAFETY, { data: { grade: 'major', treatment: 'immediate' } }))).toBe(
      'validation_failed',
    );
    expect(to(run('reported', 'triage', SAFETY, { data: { ...triage, responsibleId: null } }))).toBe(
      'validation_failed',
    );
  });
  it('needs hazard.manage to triage', () => {
    const d = run('reported', 'triage', SAFETY, { data: triage, may: (p) => p !== 'hazard.manage' });
    expect(to(d)).toBe('transition_refused');
  });
  it('rejects a report only with a reason', () => {
    expect(to(run('reported', 'reject', SAFETY))).toBe('reason_required');
    expect(to(run('reported', 'reject', SAFETY, { reason: '不属于隐患' }))).toBe('rejected');
  });
  it('approves a major plan into rectification, or sends it back to triage with a reason', () => {
    expect(to(run('approval', 'approve', MANAGER))).toBe('rectifying');
    expect(to(run('approval', 'reject_plan', MANAGER))).toBe('reason_required');
    expect(to(run('approval', 'reject_plan', MANAGER, { reason: '方案不完善' }))).toBe('reported');
  });
  it('does not let a major hazard start rectification before approval', () => {
    expect(to(run('approval', 'rectify', FIXER))).toBe('transition_refused');
    expect(to(run('reported', 'rectify', FIXER))).toBe('transition_refused');
  });
  it('lets only the responsible person rectify', () => {
    expect(to(run('rectifying', 'rectify', FIXER))).toBe('verifying');
    expect(to(run('rectifying', 'rectify', SAFETY))).toBe('transition_refused');
  });
  it('refuses the rectifier verifying their own work (separation of duties)', () => {
    const history = [step('create', REPORTER), step('triage', SAFETY), step('rectify', FIXER)];
    expect(to(run('verifying', 'verify', FIXER, { history }))).toBe('separation_of_duties');
    expect(to(run('verifying', 'reopen', FIXER, { history, reason: '自己不满意' }))).toBe(
      'separation_of_duties',
    );
    expect(to(run('verifying', 'verify', SAFETY, { history }))).toBe('closed');
  });
  it('refuses the reporter verifying their own immediate fix', () => {
    const record = facts({ treatment: 'immediate', responsibleId: null });
    const history = [step('create', REPORTER), step('triage', SAFETY)];
    expect(to(run('verifying', 'verify', REPORTER, { record, history }))).toBe('separation_of_duties');
    expect(to(run('verifying', 'verify', SAFETY, { record, history }))).toBe('closed');
  });
  it('reopens into rectification only with a reason', () => {
    expect(to(run('verifying', 'reopen', SAFETY))).toBe('reason_required');
    expect(to(run('verifying', 'reopen', SAFETY, { reason: '整改不彻底' }))).toBe('rectifying');
  });
  it('takes no action on a closed or rejected hazard', () => {
    for (const state of ['closed', 'rejected'] as const)
      expect(
        availableActions(
          hazardMachine,
          state,
          { record: facts(), actorId: SAFETY, now, data: {}, history: [] },
          all,
        ),
      ).toEqual([]);
  });
  it('offers the rectifier no verify button', () => {
    const history = [step('rectify', FIXER)];
    const input = { record: facts(), actorId: FIXER, now, data: {}, history };
    expect(availableActions(hazardMachine, 'verifying', input, all)).toEqual([]);
    expect(availableActions(hazardMachine, 'verifying', { ...input, actorId: SAFETY }, all)).toEqual([
      'verify',
      'reopen',
    ]);
  });
  it('holds a reminder a day before the deadline and the overdue timer at it, only while rectifying', () => {
    const r = facts();
    expect(hazardMachine.timers!('rectifying', r, now)).toEqual([
      { key: 'remind', dueAt: new Date('2026-03-04T08:00:00Z') },
      { key: 'overdue', dueAt: new Date('2026-03-05T08:00:00Z') },
    ]);
    // a deadline within a day: no reminder before the start
    expect(
      hazardMachine.timers!('rectifying', facts({ deadline: new Date('2026-03-02T12:00:00Z') }), now).map(
        (t) => t.key,
      ),
    ).toEqual(['overdue']);
    expect(hazardMachine.timers!('closed', r, now)).toEqual([]);
  });
  it('reminds when triage waits a day, plan approval or verification two days (a stalled workflow)', () => {
    const r = facts();
    const at = (h: number) => new Date(now.getTime() + h * 3600_000);
    expect(hazardMachine.timers!('reported', r, now)).toEqual([
      { key: 'stalled', dueAt: at(24), payload: { state: 'reported' } },
    ]);
    expect(hazardMachine.timers!('approval', r, now)).toEqual([
      { key: 'stalled', dueAt: at(48), payload: { state: 'approval' } },
    ]);
    expect(hazardMachine.timers!('verifying', r, now)).toEqual([
      { key: 'stalled', dueAt: at(48), payload: { state: 'verifying' } },
    ]);
  });
});
