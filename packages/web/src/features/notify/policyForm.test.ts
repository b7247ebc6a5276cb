import { PolicyInputSchema, PolicySchema } from '@aegis/shared';
import { describe, expect, it } from 'vitest';
import {
  levelsOutOfOrder,
  newPolicyValues,
  nextLevel,
  parseRecipientKey,
  policyFromValues,
  previewPolicy,
  recipientKey,
  valuesFromPolicy,
} from './policyForm';

// The example: operators at once, the team lead after 5 min, the safety officer after 15.
const stored = PolicySchema.parse({
  id: 3,
  code: 'chem-critical',
  name: '化工车间紧急报警',
  enabled: true,
  match: {
    kinds: ['alarm.raised', 'interlock.unconfirmed'],
    priorities: ['critical', 'high'],
    nodeId: 4,
    window: { days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' },
  },
  levels: [
    { delayMinutes: 0, recipients: [{ type: 'shift_team' }], channelIds: [1, 2] },
    { delayMinutes: 5, recipients: [{ type: 'shift_leader' }], channelIds: [3] },
    {
      delayMinutes: 15,
      recipients: [
        { type: 'role', roleId: 2 },
        { type: 'user', userId: 7 },
      ],
      channelIds: [1],
    },
  ],
  repeat: { count: 3, intervalMinutes: 10 },
  stopOn: ['ack', 'clear'],
  groupSeconds: 30,
  template: null,
  createdAt: '2026-11-30T00:00:00Z',
  updatedAt: '2026-11-30T00:00:00Z',
});

describe('the policy editor form', () => {
  it('round-trips a stored policy unchanged', () => {
    const { id: _id, createdAt: _c, updatedAt: _u, ...input } = stored;
    expect(policyFromValues(valuesFromPolicy(stored))).toEqual(input);
  });

  it('writes every kind of recipient as one key and reads it back', () => {
    const all = [
      { type: 'user', userId: 7 },
      { type: 'role', roleId: 2 },
      { type: 'post', postId: 3 },
      { type: 'team', teamId: 4 },
      { type: 'shift_team' },
      { type: 'shift_leader' },
      { type: 'on_call' },
    ] as const;
    for (const r of all) expect(parseRecipientKey(recipientKey(r))).toEqual(r);
    expect(recipientKey({ type: 'user', userId: 7 })).toBe('user:7');
  });

  it('ignores recipient keys it does not know instead of sending them', () => {
    expect(parseRecipientKey('user:0')).toBeNull();
    expect(parseRecipientKey('group:1')).toBeNull();
    const v = newPolicyValues();
    v.levels = [{ delayMinutes: 0, recipients: ['on_call', 'nonsense'], channelIds: [1] }];
    expect(policyFromValues(v).levels[0]?.recipients).toEqual([{ type: 'on_call' }]);
  });

  it('sends no window when the weekly window is off, and sorted days when it is on', () => {
    const v = { ...valuesFromPolicy(stored), windowOn: false };
    expect(policyFromValues(v).match.window).toBeNull();
    const on = { ...v, windowOn: true, windowDays: [5, 1, 3] };
    expect(policyFromValues(on).match.window).toEqual({ days: [1, 3, 5], from: '08:00', to: '18:00' });
  });

  it('turns an empty template into "no own wording" and trims code and name', () => {
    const v = { ...newPolicyValues(), code: ' p1 ', name: ' 名称 ', template: '   ' };
    expect(policyFromValues(v)).toMatchObject({ code: 'p1', name: '名称', template: null });
  });

  it('gives a new policy a valid shape once recipients and channels are chosen', () => {
    const v = { ...newPolicyValues(), code: 'p1', name: 'P1' };
    v.levels = [{ delayMinutes: 0, recipients: ['shift_team'], channelIds: [1] }];
    expect(PolicyInputSchema.safeParse(policyFromValues(v)).success).toBe(true);
  });

  it('previews an unsaved policy that has no code or name yet', () => {
    const v = newPolicyValues();
    v.levels = [{ delayMinutes: 0, recipients: ['on_call'], channelIds: [2] }];
    const p = previewPolicy(v);
    expect(PolicyInputSchema.safeParse(p).success).toBe(true);
    expect(p.code).toBe('preview');
  });

  it('starts an added level five minutes after the last one, with its channels', () => {
    expect(nextLevel([])).toEqual({ delayMinutes: 0, recipients: [], channelIds: [] });
    expect(nextLevel([{ delayMinutes: 5, recipients: ['on_call'], channelIds: [1, 3] }])).toEqual({
      delayMinutes: 10,
      recipients: [],
      channelIds: [1, 3],
    });
  });

  it('points out levels that would fire before the level above them', () => {
    expect(levelsOutOfOrder([{ delayMinutes: 0 }, { delayMinutes: 5 }, { delayMinutes: 5 }])).toEqual([]);
    expect(levelsOutOfOrder([{ delayMinutes: 0 }, { delayMinutes: 15 }, { delayMinutes: 5 }])).toEqual([2]);
  });
});
