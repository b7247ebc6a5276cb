import { type AlarmRuleRecord, AlarmRuleSchema } from '@aegis/shared';
import { describe, expect, it } from 'vitest';
import {
  conditionsOf,
  interlockFromValues,
  newRuleValues,
  parseTagValue,
  ruleFromValues,
  valuesFromRecord,
} from './rules';

const record = (rule: Record<string, unknown>, interlock: AlarmRuleRecord['interlock'] = null) =>
  ({
    id: 1,
    tagId: 7,
    enabled: true,
    rule: AlarmRuleSchema.parse({ id: 'r', tag: 't', onDelayMs: 2000, offDelayMs: 0, ...rule }),
    interlock,
    createdAt: '',
    updatedAt: '',
  }) as AlarmRuleRecord;

describe('the rule editor form', () => {
  it('edits delays in seconds and stores milliseconds', () => {
    const v = valuesFromRecord(
      record({
        type: 'limit',
        levels: { HH: { setpoint: 20, priority: 'critical' } },
        deadband: 0.5,
      }),
    );
    expect(v.onDelayS).toBe(2);
    expect(ruleFromValues({ ...v, onDelayS: 1.5 })).toMatchObject({ onDelayMs: 1500 });
  });

  it('keeps only the switched-on limit levels with a setpoint, and round-trips them', () => {
    const v = newRuleValues('limit');
    v.levels = {
      HH: { on: true, setpoint: 20, priority: 'critical' },
      H: { on: true, setpoint: null, priority: 'high' },
      L: { on: false, setpoint: 1, priority: 'high' },
    };
    const rule = ruleFromValues(v);
    expect(rule).toMatchObject({ type: 'limit', levels: { HH: { setpoint: 20, priority: 'critical' } } });
    expect(Object.keys((rule as { levels: object }).levels)).toEqual(['HH']);
    const back = valuesFromRecord(record(rule as Record<string, unknown>));
    expect(back.levels?.HH).toEqual({ on: true, setpoint: 20, priority: 'critical' });
    expect(back.levels?.H?.on).toBe(false);
    expect(conditionsOf(back)).toEqual(['HH']);
  });

  it('maps discrete rules by value or by states', () => {
    const byStates = ruleFromValues({
      ...newRuleValues('discrete'),
      discreteMode: 'states',
      alarmStates: [2, 3],
    });
    expect(byStates).toMatchObject({ type: 'discrete', alarmStates: [2, 3] });
    expect(byStates).not.toHaveProperty('alarmValue');
    expect(ruleFromValues({ ...newRuleValues('discrete'), alarmValue: false })).toMatchObject({
      alarmValue: false,
    });
  });

  it('reads the interlock value as the type it looks like, and drops the interlock when switched off', () => {
    expect(parseTagValue(' TRUE ')).toBe(true);
    expect(parseTagValue('0')).toBe(0);
    expect(parseTagValue('open')).toBe('open');
    const v = { ...newRuleValues(), interlockOn: true, interlockTagId: 9, interlockValue: 'false' };
    expect(interlockFromValues(v)).toEqual({
      tagId: 9,
      value: false,
      conditions: [],
      confirmTimeoutMs: 5000,
    });
    expect(interlockFromValues({ ...v, interlockOn: false })).toBeNull();
    const back = valuesFromRecord(
      record(
        { type: 'stale', timeoutMs: 60_000, priority: 'low' },
        {
          tagId: 9,
          value: false,
          conditions: ['STALE'],
          confirmTimeoutMs: 3000,
        },
      ),
    );
    expect(back).toMatchObject({ timeoutS: 60, interlockValue: 'false', confirmTimeoutS: 3 });
  });
});
