import { describe, expect, it } from 'vitest';
import {
  AlarmEventSchema,
  AlarmRuleSchema,
  AlarmStateSchema,
  type AlarmEvent as SharedAlarmEvent,
  type AlarmRule as SharedAlarmRule,
  type AlarmState as SharedAlarmState,
} from '../../../../../shared/src/alarms.js';
import { createRuleRuntime, processRuleInput } from './engine.js';
import type { AlarmEvent, AlarmRule, AlarmState } from './types.js';

// Compile-time: the shared zod types and the engine types are assignable both ways.
const toEngineRule = (r: SharedAlarmRule): AlarmRule => r;
const toSharedRule = (r: AlarmRule): SharedAlarmRule => r;
const toSharedState = (a: AlarmState): SharedAlarmState => a;
const toEngineState = (a: SharedAlarmState): AlarmState => a;
const toSharedEvent = (e: AlarmEvent): SharedAlarmEvent => e;
const toEngineEvent = (e: SharedAlarmEvent): AlarmEvent => e;

describe('shared alarm schemas and engine types', () => {
  it('accepts a rule parsed by the shared schema, with its defaults, in the engine', () => {
    const parsed = AlarmRuleSchema.parse({
      id: '42',
      tag: 'TI-101',
      type: 'limit',
      levels: { H: { setpoint: 90, priority: 'high' } },
    });
    const rule = toEngineRule(parsed);
    expect(toSharedRule(rule)).toBe(parsed);
    const { runtime, events } = processRuleInput(
      createRuleRuntime(rule),
      rule,
      { kind: 'sample', sample: { value: 91, quality: 'good', ts: 1000 } },
      1000,
    );
    expect(events.map((e) => [e.type, e.key])).toEqual([['activated', '42:H']]);
    // What the engine produces passes the shared schemas, so the API can present it unchanged.
    const alarm = AlarmStateSchema.parse(toSharedState(runtime.alarms['42:H']!));
    expect(toEngineState(alarm).state).toBe('unack_active');
    expect(toEngineEvent(AlarmEventSchema.parse(toSharedEvent(events[0]!))).type).toBe('activated');
  });

  it('parses every rule type with its defaults', () => {
    const common = { id: 'r', tag: 't', priority: 'low' };
    const types = [
      { type: 'rate_of_change', limit: 1 },
      { type: 'deviation', setpointTag: 'sp', limit: 1 },
      { type: 'discrete', alarmStates: ['FAULT'] },
      { type: 'stale', timeoutMs: 1000 },
      { type: 'comm_loss', connector: 'c' },
      { type: 'bad_quality' },
      { type: 'ewma' },
      { type: 'spc' },
    ];
    for (const t of types) {
      const rule = toEngineRule(AlarmRuleSchema.parse({ ...common, ...t }));
      expect(createRuleRuntime(rule).rule.ruleId).toBe('r');
    }
    expect(AlarmRuleSchema.parse({ ...common, type: 'spc' })).toMatchObject({
      rules: [1, 2, 3, 4],
      runLength: 8,
    });
  });

  it('refuses inconsistent rules at the boundary', () => {
    const limit = { id: 'r', tag: 't', type: 'limit' };
    expect(AlarmRuleSchema.safeParse({ ...limit, levels: {} }).success).toBe(false);
    expect(
      AlarmRuleSchema.safeParse({
        ...limit,
        levels: { HH: { setpoint: 80, priority: 'high' }, H: { setpoint: 90, priority: 'high' } },
      }).success,
    ).toBe(false);
    expect(AlarmRuleSchema.safeParse({ id: 'r', tag: 't', type: 'discrete', priority: 'low' }).success).toBe(
      false,
    );
    expect(
      AlarmRuleSchema.safeParse({ id: 'r', tag: 't', type: 'ewma', priority: 'low', lambda: 1.5 }).success,
    ).toBe(false);
    expect(
      AlarmRuleSchema.safeParse({ ...limit, levels: { H: { setpoint: Number.NaN, priority: 'high' } } })
        .success,
    ).toBe(false);
  });
});
