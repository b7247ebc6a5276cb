import { describe, expect, it } from 'vitest';
import { createFloodState } from './detectors.js';
import {
  createRuleRuntime,
  detectFlood,
  operateAlarm,
  processRuleInput,
  type RuleRuntime,
  setRuleSuppression,
  syncRuleRuntime,
  tickRule,
} from './engine.js';
import { acknowledge } from './state.js';
import type { AlarmEvent, AlarmRule, RuleInput, TagQuality } from './types.js';

const rule: AlarmRule = {
  id: 'r7',
  tag: 'PT-201',
  area: 'boiler-house',
  onDelayMs: 2000,
  offDelayMs: 0,
  type: 'limit',
  levels: { HH: { setpoint: 12, priority: 'critical' }, H: { setpoint: 10, priority: 'high' } },
  deadband: 0.5,
};

const sample = (value: number, ts: number, quality: TagQuality = 'good'): RuleInput => ({
  kind: 'sample',
  sample: { value, quality, ts },
});

/** Feeds samples (received at their source time) and ticks; returns the runtime and all events. */
function feed(runtime: RuleRuntime, steps: Array<RuleInput | number>, r: AlarmRule = rule) {
  const events: AlarmEvent[] = [];
  for (const step of steps) {
    const result =
      typeof step === 'number'
        ? tickRule(runtime, r, step)
        : processRuleInput(runtime, r, step, step.kind === 'sample' ? step.sample.ts : 0);
    runtime = result.runtime;
    events.push(...result.events);
  }
  return { runtime, events };
}

describe('alarm engine, one rule end to end', () => {
  it('creates one alarm per limit level, keyed by rule and level', () => {
    expect(Object.keys(createRuleRuntime(rule).alarms)).toEqual(['r7:HH', 'r7:H']);
  });

  it('raises the H alarm once the on-delay has elapsed, on the timer tick', () => {
    const { runtime, events } = feed(createRuleRuntime(rule), [sample(11, 1000), 2500, 3500]);
    expect(events.map((e) => [e.type, e.key, e.at])).toEqual([['activated', 'r7:H', 3000]]);
    expect(runtime.alarms['r7:H']!.state).toBe('unack_active');
    expect(runtime.alarms['r7:HH']!.state).toBe('normal');
  });

  it('does not raise anything twice when inputs are replayed after a restart from stored state', () => {
    const inputs = [sample(11, 1000), 4000, sample(13, 5000), 8000, sample(9, 9000)];
    const first = feed(createRuleRuntime(rule), inputs);
    expect(first.events.map((e) => `${e.type}:${e.key}`)).toEqual([
      'activated:r7:H',
      'activated:r7:HH',
      'cleared:r7:HH',
      'cleared:r7:H',
    ]);
    const restored = JSON.parse(JSON.stringify(first.runtime)) as RuleRuntime;
    expect(restored).toEqual(first.runtime);
    expect(feed(restored, inputs).events).toEqual([]);
  });

  it('gives the same events whether or not the caller ticked in between', () => {
    const ticked = feed(createRuleRuntime(rule), [sample(11, 1000), 1500, 2000, 2500, 3000, sample(9, 6000)]);
    const unticked = feed(createRuleRuntime(rule), [sample(11, 1000), sample(9, 6000)]);
    expect(unticked.events).toEqual(ticked.events);
  });

  it('flags an alarm that chatters and clears the flag after a quiet period', () => {
    const fast: AlarmRule = { ...rule, onDelayMs: 0 };
    const bouncing = [11, 9, 11, 9, 11].map((v, i) => sample(v, 1000 + i * 5000));
    const { runtime, events } = feed(createRuleRuntime(fast), bouncing, fast);
    expect(events.filter((e) => e.type === 'chattering_start')).toEqual([
      expect.objectContaining({ key: 'r7:H', at: 21_000, detail: { count: 3 } }),
    ]);
    expect(runtime.alarms['r7:H']!.chattering).toBe(true);
    const quiet = feed(runtime, [90_000], fast);
    expect(quiet.events).toEqual([
      expect.objectContaining({ type: 'chattering_end', key: 'r7:H', at: 81_000 }),
    ]);
    expect(quiet.runtime.alarms['r7:H']!.chattering).toBe(false);
  });

  it('acknowledges through operateAlarm and reports an unknown alarm key', () => {
    const raised = feed(createRuleRuntime(rule), [sample(11, 1000), 5000]).runtime;
    const acked = operateAlarm(raised, 'r7:H', (a) => acknowledge(a, { user: 'op1' }, 6000));
    expect(acked.ok && acked.runtime.alarms['r7:H']!.state).toBe('ack_active');
    const unknown = operateAlarm(raised, 'r7:LL', (a) => acknowledge(a, { user: 'op1' }, 6000));
    expect(!unknown.ok && unknown.error.code).toBe('unknown_alarm');
  });

  it('suppresses every alarm of a rule while the equipment is in maintenance', () => {
    const suppressed = setRuleSuppression(createRuleRuntime({ ...rule, onDelayMs: 0 }), true, 0);
    expect(suppressed.events.map((e) => e.type)).toEqual(['suppressed', 'suppressed']);
    const { runtime, events } = feed(suppressed.runtime, [sample(13, 1000)], { ...rule, onDelayMs: 0 });
    expect(events.map((e) => e.annunciated)).toEqual([false, false]);
    expect(runtime.alarms['r7:HH']!.active).toBe(true);
  });

  it('keeps alarm states when the rule is edited, dropping removed levels and applying new priorities', () => {
    const raised = feed(createRuleRuntime(rule), [sample(11, 1000), 5000]).runtime;
    const edited: AlarmRule = { ...rule, levels: { H: { setpoint: 10, priority: 'medium' } } };
    const synced = syncRuleRuntime(raised, edited);
    expect(Object.keys(synced.alarms)).toEqual(['r7:H']);
    expect(synced.alarms['r7:H']).toMatchObject({ state: 'unack_active', priority: 'medium' });
  });

  it('raises a stale alarm on the timer tick', () => {
    const stale: AlarmRule = {
      id: 's1',
      tag: 'FT-9',
      onDelayMs: 0,
      offDelayMs: 0,
      type: 'stale',
      timeoutMs: 30_000,
      priority: 'low',
    };
    const { events } = feed(createRuleRuntime(stale), [sample(1, 0), 10_000, 40_000], stale);
    expect(events.map((e) => [e.type, e.key, e.at])).toEqual([['activated', 's1:STALE', 30_000]]);
  });
});

describe('flood detection from engine events', () => {
  it('counts only annunciated activations towards an area flood', () => {
    const activation = (at: number, annunciated: boolean) =>
      ({ type: 'activated', key: `k${at}`, at, annunciated }) as AlarmEvent;
    const hidden = Array.from({ length: 20 }, (_, i) => activation(i, false));
    expect(detectFlood(createFloodState('A1'), hidden).events).toEqual([]);
    const shown = Array.from({ length: 11 }, (_, i) => activation(i, true));
    const cleared = { type: 'cleared', key: 'x', at: 5, annunciated: true } as AlarmEvent;
    const step = detectFlood(createFloodState('A1'), [cleared, ...shown]);
    expect(step.events).toEqual([
      expect.objectContaining({ type: 'flood_start', area: 'A1', at: 10, count: 11 }),
    ]);
  });
});
