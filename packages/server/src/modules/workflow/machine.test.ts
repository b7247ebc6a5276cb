import { describe, expect, it } from 'vitest';
import { availableActions, decide, type MachineDef, notSameAs, type TransitionRecord } from './machine.js';

type S = 'open' | 'fixing' | 'checking' | 'closed';
type A = 'assign' | 'fix' | 'verify' | 'reopen' | 'expire';
interface R {
  major: boolean;
}

const def: MachineDef<S, A, R> = {
  kind: 'sample',
  states: ['open', 'fixing', 'checking', 'closed'],
  initial: 'open',
  terminal: ['closed'],
  transitions: {
    assign: { from: ['open'], to: 'fixing', permission: 'hazard.manage' },
    fix: { from: ['fixing'], to: 'checking', permission: 'hazard.rectify' },
    verify: {
      from: ['checking'],
      to: (i) => (i.record.major ? 'closed' : 'closed'),
      permission: 'hazard.verify',
      guard: notSameAs(['fix'], 'verify your own fix'),
    },
    reopen: { from: ['checking', 'closed'], to: 'fixing', permission: 'hazard.verify', reasonRequired: true },
    expire: { from: ['open'], to: 'closed', permission: 'system' },
  },
};

const fixedBy = (actorId: number): TransitionRecord => ({
  id: 1,
  recordKind: 'sample',
  recordId: 1,
  action: 'fix',
  fromState: 'fixing',
  toState: 'checking',
  actorId,
  actorName: `user ${actorId}`,
  at: new Date('2026-03-02T08:00:00Z'),
  reason: null,
  data: {},
});

const input = (actorId: number | null, history: TransitionRecord[] = []) => ({
  record: { major: false },
  actorId,
  now: new Date('2026-03-02T09:00:00Z'),
  data: {},
  history,
});
const all = () => true;

describe('the workflow machine', () => {
  it('moves a record along an allowed transition', () => {
    expect(decide(def, 'open', 'assign', input(7), all, null)).toEqual({
      ok: true,
      from: 'open',
      to: 'fixing',
    });
  });

  it('refuses an action from a state it does not leave from', () => {
    const d = decide(def, 'open', 'verify', input(7), all, null);
    expect(d).toMatchObject({ ok: false, refusal: { code: 'transition_refused' } });
  });

  it('refuses an action without its permission at the record', () => {
    const d = decide(def, 'open', 'assign', input(7), (p) => p !== 'hazard.manage', null);
    expect(d).toMatchObject({
      ok: false,
      refusal: { code: 'transition_refused', details: { permission: 'hazard.manage' } },
    });
  });

  it('keeps system transitions (timers) away from people', () => {
    expect(decide(def, 'open', 'expire', input(7), all, null).ok).toBe(false);
    expect(decide(def, 'open', 'expire', input(null), all, null)).toEqual({
      ok: true,
      from: 'open',
      to: 'closed',
    });
  });

  it('asks for a reason where the transition needs one', () => {
    expect(decide(def, 'closed', 'reopen', input(7), all, '  ')).toMatchObject({
      ok: false,
      refusal: { code: 'reason_required' },
    });
    expect(decide(def, 'closed', 'reopen', input(7), all, 'leak is back').ok).toBe(true);
  });

  it('refuses the verification of one’s own fix (separation of duties)', () => {
    const own = decide(def, 'checking', 'verify', input(7, [fixedBy(7)]), all, null);
    expect(own).toMatchObject({ ok: false, refusal: { code: 'separation_of_duties' } });
    expect(decide(def, 'checking', 'verify', input(8, [fixedBy(7)]), all, null).ok).toBe(true);
  });

  it('offers only the actions the actor could take now', () => {
    expect(availableActions(def, 'checking', input(7, [fixedBy(7)]), all)).toEqual(['reopen']);
    expect(availableActions(def, 'checking', input(8, [fixedBy(7)]), all)).toEqual(['verify', 'reopen']);
    expect(availableActions(def, 'open', input(8), (p) => p === 'hazard.rectify')).toEqual([]);
  });
});
