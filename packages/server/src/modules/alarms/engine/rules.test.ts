import { describe, expect, it } from 'vitest';
import { alarmDefinitions, createRuleState, evaluateRule } from './rules.js';
import type { AlarmRule, ConditionChange, RuleInput, RuleState, TagQuality, TagValue } from './types.js';

const base = { id: 'r1', tag: 'TI-101', onDelayMs: 0, offDelayMs: 0 };

const limit: AlarmRule = {
  ...base,
  type: 'limit',
  levels: {
    HH: { setpoint: 95, priority: 'critical' },
    H: { setpoint: 90, priority: 'high' },
    L: { setpoint: 10, priority: 'medium' },
    LL: { setpoint: 5, priority: 'high' },
  },
  deadband: 2,
};

const sample = (value: TagValue, ts: number, quality: TagQuality = 'good', setpoint?: number): RuleInput => ({
  kind: 'sample',
  sample: { value, quality, ts },
  setpoint,
});

/** Feeds inputs in order; returns the final state and every condition change. */
function run(
  rule: AlarmRule,
  inputs: Array<RuleInput | [RuleInput, number]>,
  state: RuleState = createRuleState(rule),
) {
  const changes: ConditionChange[] = [];
  for (const item of inputs) {
    const [input, now] = Array.isArray(item) ? item : [item, item.kind === 'sample' ? item.sample.ts : 0];
    const r = evaluateRule(rule, state, input, now);
    state = r.state;
    changes.push(...r.changes);
  }
  return { state, changes };
}

const summary = (changes: ConditionChange[]) =>
  changes.map((c) => `${c.condition}:${c.active ? 'on' : 'off'}@${c.at}`);

describe('limit rules', () => {
  it('yields one alarm per configured level with a stable key', () => {
    expect(alarmDefinitions(limit).map((d) => [d.condition, d.priority])).toEqual([
      ['HH', 'critical'],
      ['H', 'high'],
      ['L', 'medium'],
      ['LL', 'high'],
    ]);
  });

  it('raises H above the setpoint and HH as well above the high-high setpoint', () => {
    const { changes } = run(limit, [sample(92, 1), sample(96, 2)]);
    expect(summary(changes)).toEqual(['H:on@1', 'HH:on@2']);
    expect(changes[1]).toMatchObject({ priority: 'critical', value: 96 });
  });

  it('keeps the H alarm active inside the deadband', () => {
    const { changes } = run(limit, [sample(91, 1), sample(89, 2), sample(88, 3)]);
    expect(summary(changes)).toEqual(['H:on@1']);
  });

  it('clears the H alarm only below setpoint minus deadband', () => {
    const { changes } = run(limit, [sample(91, 1), sample(87.9, 2)]);
    expect(summary(changes)).toEqual(['H:on@1', 'H:off@2']);
  });

  it('does not raise H exactly at the setpoint', () => {
    expect(run(limit, [sample(90, 1)]).changes).toEqual([]);
  });

  it('raises L and LL below their setpoints and clears L only above setpoint plus deadband', () => {
    const { changes } = run(limit, [sample(4, 1), sample(11, 2), sample(12.5, 3)]);
    expect(summary(changes)).toEqual(['L:on@1', 'LL:on@1', 'LL:off@2', 'L:off@3']);
  });

  it('ignores a NaN value for limit rules', () => {
    const { changes } = run(limit, [sample(92, 1), sample(Number.NaN, 2), sample(85, 3)]);
    expect(summary(changes)).toEqual(['H:on@1', 'H:off@3']);
  });

  it('ignores bad-quality values: they neither raise nor clear', () => {
    expect(run(limit, [sample(120, 1, 'bad')]).changes).toEqual([]);
    expect(summary(run(limit, [sample(92, 1), sample(0, 2, 'bad')]).changes)).toEqual(['H:on@1']);
  });

  it('ignores a sample not newer than the last one, so a replayed batch raises nothing twice', () => {
    const first = run(limit, [sample(92, 1), sample(85, 2)]);
    expect(run(limit, [sample(92, 1), sample(85, 2)], first.state).changes).toEqual([]);
  });
});

describe('rate-of-change rules', () => {
  const roc: AlarmRule = {
    ...base,
    type: 'rate_of_change',
    limit: 2,
    per: 'second',
    windowMs: 10_000,
    priority: 'high',
  };

  it('raises when the value changes faster than the limit per second over the window', () => {
    // 0 → 30 in 10 s is 3/s.
    const { changes } = run(roc, [sample(0, 0), sample(10, 5000), sample(30, 10_000)]);
    expect(summary(changes)).toEqual(['ROC:on@10000']);
    expect(changes[0]!.detail).toMatchObject({ rate: 3 });
  });

  it('measures the net change over the window, not a single jump', () => {
    // A 1 s spike of +3 followed by a return is 0.3/s over ten seconds.
    const inputs = Array.from({ length: 11 }, (_, i) => sample(i === 10 ? 3 : 0, i * 1000));
    expect(run(roc, inputs).changes).toEqual([]);
  });

  it('clears when the rate falls back under the limit', () => {
    const { changes } = run(roc, [sample(0, 0), sample(30, 10_000), sample(31, 20_000)]);
    expect(summary(changes)).toEqual(['ROC:on@10000', 'ROC:off@20000']);
  });

  it('supports limits per minute', () => {
    const perMinute: AlarmRule = { ...roc, limit: 60, per: 'minute' } as AlarmRule;
    // 5 in 10 s is 30/min; 15 in 10 s is 90/min.
    expect(run(perMinute, [sample(0, 0), sample(5, 10_000)]).changes).toEqual([]);
    const { changes } = run(perMinute, [sample(0, 0), sample(15, 10_000)]);
    expect(summary(changes)).toEqual(['ROC:on@10000']);
    expect(changes[0]!.detail).toMatchObject({ rate: 90 });
  });

  it('ignores NaN and bad-quality values', () => {
    expect(run(roc, [sample(0, 0), sample(Number.NaN, 5000), sample(1000, 10_000, 'bad')]).changes).toEqual(
      [],
    );
  });
});

describe('deviation rules', () => {
  const dev: AlarmRule = {
    ...base,
    type: 'deviation',
    setpointTag: 'TIC-101.SP',
    limit: 5,
    deadband: 1,
    priority: 'medium',
  };

  it('raises when the value deviates from the setpoint tag by more than the limit', () => {
    const { changes } = run(dev, [sample(106, 1, 'good', 100), sample(93, 2, 'good', 100)]);
    expect(summary(changes)).toEqual(['DEV:on@1']);
    expect(changes[0]!.detail).toMatchObject({ setpoint: 100, deviation: 6 });
  });

  it('clears only when the deviation is below limit minus deadband', () => {
    const { changes } = run(dev, [
      sample(106, 1, 'good', 100),
      sample(104.5, 2, 'good', 100),
      sample(103.9, 3, 'good', 100),
    ]);
    expect(summary(changes)).toEqual(['DEV:on@1', 'DEV:off@3']);
  });

  it('does nothing without a setpoint value', () => {
    expect(run(dev, [sample(200, 1)]).changes).toEqual([]);
  });
});

describe('discrete rules', () => {
  it('raises when a boolean equals the alarm value, also when it arrives as 0/1', () => {
    const rule: AlarmRule = { ...base, type: 'discrete', alarmValue: true, priority: 'high' };
    expect(
      summary(run(rule, [sample(false, 1), sample(true, 2), sample(0, 3), sample(1, 4)]).changes),
    ).toEqual(['STATE:on@2', 'STATE:off@3', 'STATE:on@4']);
  });

  it('raises when a state value is one of the alarm states', () => {
    const rule: AlarmRule = {
      ...base,
      type: 'discrete',
      alarmStates: ['FAULT', 'ESTOP'],
      priority: 'critical',
    };
    const { changes } = run(rule, [
      sample('RUN', 1),
      sample('ESTOP', 2),
      sample('FAULT', 3),
      sample('IDLE', 4),
    ]);
    expect(summary(changes)).toEqual(['STATE:on@2', 'STATE:off@4']);
    expect(changes[0]).toMatchObject({ value: 'ESTOP', priority: 'critical' });
  });

  it('ignores bad-quality values', () => {
    const rule: AlarmRule = { ...base, type: 'discrete', alarmStates: ['FAULT'], priority: 'high' };
    expect(run(rule, [sample('FAULT', 1, 'bad')]).changes).toEqual([]);
  });
});

describe('stale and communication-loss rules', () => {
  const stale: AlarmRule = { ...base, type: 'stale', timeoutMs: 60_000, priority: 'medium' };
  const tick: RuleInput = { kind: 'tick' };

  it('raises when no new value arrived within the timeout, stamped at the timeout', () => {
    const { changes } = run(stale, [
      [sample(1, 1000), 1000],
      [tick, 60_999],
      [tick, 61_500],
    ]);
    expect(summary(changes)).toEqual(['STALE:on@61000']);
  });

  it('starts the timeout when it first watches a tag that never delivered', () => {
    expect(
      summary(
        run(stale, [
          [tick, 5000],
          [tick, 64_999],
          [tick, 65_000],
        ]).changes,
      ),
    ).toEqual(['STALE:on@65000']);
  });

  it('clears on the next good value, not on a bad one', () => {
    const { changes } = run(stale, [
      [tick, 0],
      [tick, 60_000],
      [sample(1, 70_000, 'bad'), 70_000],
      [sample(2, 71_000), 71_000],
    ]);
    expect(summary(changes)).toEqual(['STALE:on@60000', 'STALE:off@71000']);
  });

  it('raises comm loss when the connector reports the link down and clears when it is up', () => {
    const comm: AlarmRule = { ...base, type: 'comm_loss', connector: 'modbus-1', priority: 'high' };
    const { changes } = run(comm, [
      { kind: 'link', up: false, at: 10 },
      { kind: 'link', up: false, at: 20 },
      { kind: 'link', up: true, at: 30 },
    ]);
    expect(summary(changes)).toEqual(['COMM:on@10', 'COMM:off@30']);
  });
});

describe('bad-quality rules', () => {
  it('raises on bad quality and clears on good', () => {
    const rule: AlarmRule = { ...base, type: 'bad_quality', includeUncertain: false, priority: 'low' };
    const { changes } = run(rule, [sample(1, 1, 'uncertain'), sample(1, 2, 'bad'), sample(1, 3, 'good')]);
    expect(summary(changes)).toEqual(['QUALITY:on@2', 'QUALITY:off@3']);
  });

  it('optionally treats uncertain quality as bad', () => {
    const rule: AlarmRule = { ...base, type: 'bad_quality', includeUncertain: true, priority: 'low' };
    expect(summary(run(rule, [sample(1, 1, 'uncertain')]).changes)).toEqual(['QUALITY:on@1']);
  });
});

describe('EWMA drift rules', () => {
  const ewma: AlarmRule = {
    ...base,
    type: 'ewma',
    lambda: 0.2,
    L: 3,
    mean: 50,
    sigma: 1,
    warmupSamples: 30,
    minSamples: 5,
    priority: 'medium',
  };
  const series = (values: number[], from = 0) => values.map((v, i) => sample(v, from + i + 1));

  it('stays quiet on an in-control process', () => {
    expect(run(ewma, series([50.5, 49.2, 50.8, 49.6, 50.1, 50.9, 49.3, 50.2, 49.8, 50.4])).changes).toEqual(
      [],
    );
  });

  it('raises a drift alarm when a small sustained shift moves the EWMA out of its limits', () => {
    // A 1.5σ shift never crosses a 3σ limit on a single point, but the EWMA catches it.
    const { changes } = run(ewma, series(Array.from({ length: 20 }, () => 51.5)));
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ condition: 'EWMA', active: true });
    expect((changes[0]!.detail as { z: number }).z).toBeGreaterThan(3);
  });

  it('needs the minimum number of samples before it may alarm', () => {
    const strict = { ...ewma, minSamples: 10 } as AlarmRule;
    const { changes } = run(strict, series(Array.from({ length: 10 }, () => 60)));
    expect(summary(changes)).toEqual(['EWMA:on@10']);
  });

  it('estimates mean and sigma from a warm-up window when not configured', () => {
    const learning = { ...ewma, mean: undefined, sigma: undefined, warmupSamples: 10 } as AlarmRule;
    const warmup = [10, 11, 9, 10, 11, 9, 10, 11, 9, 10];
    const quietAfterWarmup = run(learning, series([...warmup, ...warmup]));
    expect(quietAfterWarmup.state.warmup?.n).toBe(10);
    expect(quietAfterWarmup.changes).toEqual([]);
    expect(run(learning, series([...warmup, ...Array.from({ length: 10 }, () => 13)])).changes).toHaveLength(
      1,
    );
  });

  it('ignores NaN and bad-quality values', () => {
    const { state, changes } = run(ewma, [sample(Number.NaN, 1), sample(500, 2, 'bad')]);
    expect(changes).toEqual([]);
    expect(state.ewma).toBeUndefined();
  });
});

describe('SPC rules (Western Electric)', () => {
  const spc: AlarmRule = {
    ...base,
    type: 'spc',
    mean: 0,
    sigma: 1,
    warmupSamples: 30,
    rules: [1, 2, 3, 4],
    runLength: 8,
    priority: 'low',
  };

  it('fires Western Electric rule 2 on two of three points beyond 2 sigma and names the rule', () => {
    const { changes } = run(spc, [sample(2.5, 1), sample(0.2, 2), sample(2.2, 3)]);
    expect(summary(changes)).toEqual(['WE2:on@3']);
    expect(changes[0]!.message).toContain('rule 2');
    expect(changes[0]!.detail).toMatchObject({ rule: 2 });
  });

  it('fires rule 1 on a point beyond 3 sigma and clears on the next normal point', () => {
    expect(summary(run(spc, [sample(-3.5, 1), sample(0.1, 2)]).changes)).toEqual(['WE1:on@1', 'WE1:off@2']);
  });

  it('fires rule 4 on eight points in a row on one side of the mean', () => {
    const inputs = Array.from({ length: 8 }, (_, i) => sample(0.3, i + 1));
    expect(summary(run(spc, inputs).changes)).toEqual(['WE4:on@8']);
  });

  it('only evaluates the enabled rules', () => {
    const only1 = { ...spc, rules: [1] } as AlarmRule;
    expect(alarmDefinitions(only1).map((d) => d.condition)).toEqual(['WE1']);
    expect(run(only1, [sample(2.5, 1), sample(0.2, 2), sample(2.2, 3)]).changes).toEqual([]);
  });

  it('learns mean and sigma from the warm-up before evaluating', () => {
    const learning = { ...spc, mean: undefined, sigma: undefined, warmupSamples: 4 } as AlarmRule;
    const { changes } = run(learning, [
      sample(9, 1),
      sample(11, 2),
      sample(9, 3),
      sample(11, 4),
      sample(16, 5),
    ]);
    expect(summary(changes)).toEqual(['WE1:on@5']);
  });

  it('ignores NaN and bad-quality values', () => {
    expect(run(spc, [sample(Number.NaN, 1), sample(9, 2, 'bad')]).changes).toEqual([]);
  });
});
