import { PolicyInputSchema } from '@aegis/shared';
import { describe, expect, it } from 'vitest';
import { backoffMs, policyMatches, quietUntil, stepOf, stopConditionOf } from './schedule.js';

const spec = (over: Record<string, unknown> = {}) =>
  PolicyInputSchema.parse({
    code: 'p',
    name: 'p',
    match: { kinds: ['alarm.raised'], priorities: ['critical', 'high'] },
    levels: [
      { delayMinutes: 0, recipients: [{ type: 'on_call' }], channelIds: [1] },
      { delayMinutes: 5, recipients: [{ type: 'shift_leader' }], channelIds: [1] },
      { delayMinutes: 15, recipients: [{ type: 'role', roleId: 2 }], channelIds: [1] },
    ],
    repeat: { count: 2, intervalMinutes: 10 },
    ...over,
  });
const at = (iso: string) => new Date(iso);
const TZ = 'Asia/Shanghai';

describe('escalation steps', () => {
  it('walks the levels by their delays from the event, then repeats the last level, then ends', () => {
    const s = spec();
    const steps = [0, 1, 2, 3, 4, 5].map((i) => stepOf(s, i));
    expect(steps).toEqual([
      { level: 0, repeat: 0, offsetMs: 0 },
      { level: 1, repeat: 0, offsetMs: 5 * 60_000 },
      { level: 2, repeat: 0, offsetMs: 15 * 60_000 },
      { level: 2, repeat: 1, offsetMs: 25 * 60_000 },
      { level: 2, repeat: 2, offsetMs: 35 * 60_000 },
      null,
    ]);
  });
});

describe('policy matching', () => {
  const event = {
    kind: 'alarm.raised' as const,
    priority: 'critical' as const,
    path: '/1/2/5/9/',
    at: at('2026-03-02T08:00:00Z'),
  };
  it('covers its kinds, priorities and plant subtree only', () => {
    expect(policyMatches(spec(), event, '/1/2/', TZ)).toBe(true);
    expect(policyMatches(spec(), event, '/1/3/', TZ)).toBe(false);
    expect(policyMatches(spec(), { ...event, priority: 'low' }, null, TZ)).toBe(false);
    expect(policyMatches(spec(), { ...event, priority: null }, null, TZ)).toBe(false);
    expect(policyMatches(spec(), { ...event, kind: 'alarm.cleared' }, null, TZ)).toBe(false);
    // An enterprise-wide event (a connector) is not inside a workshop's subtree.
    expect(policyMatches(spec(), { ...event, path: null }, '/1/2/', TZ)).toBe(false);
  });

  it('reads a weekly window in the plant time zone, a night window belonging to the day it starts', () => {
    // Friday 22:00 → Saturday 06:00 in Shanghai, Fridays only.
    const night = spec({
      match: { kinds: ['alarm.raised'], window: { days: [5], from: '22:00', to: '06:00' } },
    });
    // 2026-03-06 is a Friday. 23:30 Friday and 02:00 Saturday are inside; 02:00 Friday is not.
    expect(policyMatches(night, { ...event, at: at('2026-03-06T15:30:00Z') }, null, TZ)).toBe(true);
    expect(policyMatches(night, { ...event, at: at('2026-03-06T18:00:00Z') }, null, TZ)).toBe(true);
    expect(policyMatches(night, { ...event, at: at('2026-03-05T18:00:00Z') }, null, TZ)).toBe(false);
    expect(policyMatches(night, { ...event, at: at('2026-03-06T08:00:00Z') }, null, TZ)).toBe(false);
  });
});

describe('quiet hours', () => {
  const quiet = { from: '22:00', to: '07:00' };
  it('let critical and high through and hold low and medium until they end', () => {
    const now = at('2026-03-02T16:30:00Z'); // 00:30 in Shanghai
    expect(quietUntil(quiet, 'critical', now, TZ)).toBeNull();
    expect(quietUntil(quiet, 'high', now, TZ)).toBeNull();
    expect(quietUntil(quiet, 'low', now, TZ)?.toISOString()).toBe('2026-03-02T23:00:00.000Z'); // 07:00
    expect(quietUntil(quiet, 'medium', at('2026-03-02T10:00:00Z'), TZ)).toBeNull(); // 18:00, not quiet
    expect(quietUntil(null, 'low', now, TZ)).toBeNull();
  });
});

describe('stop conditions and back-off', () => {
  it('knows what ends an escalation', () => {
    expect(stopConditionOf('alarm.acknowledged')).toBe('ack');
    expect(stopConditionOf('alarm.returned')).toBe('clear');
    expect(stopConditionOf('connector.up')).toBe('clear');
    expect(stopConditionOf('alarm.shelved')).toBe('shelve');
    expect(stopConditionOf('alarm.raised')).toBeNull();
  });
  it('waits longer after each failure, at most ten minutes, and honours Retry-After', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4].map((n) => backoffMs(n, null, mid))).toEqual([5000, 10000, 20000, 40000]);
    expect(backoffMs(30, null, mid)).toBe(600_000);
    expect(backoffMs(1, 90_000, mid)).toBe(90_000);
  });
});
