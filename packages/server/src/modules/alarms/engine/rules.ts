import {
  addToStats,
  emptyStats,
  ewmaSigmaFactor,
  ewmaStep,
  spcWindowSize,
  stdDev,
  violatesWesternElectric,
} from './stats.js';
import type {
  AlarmPriority,
  AlarmRule,
  ConditionChange,
  LimitLevel,
  RuleInput,
  RuleState,
  TagSample,
  TagValue,
  WesternElectricRule,
} from './types.js';

/** What one condition of a rule looks like as an alarm, before anything has happened. */
export interface AlarmDefinition {
  condition: string;
  priority: AlarmPriority;
  message: string;
}

export const alarmKey = (ruleId: string, condition: string): string => `${ruleId}:${condition}`;

const LEVEL_NAMES: Record<LimitLevel, string> = { HH: 'high-high', H: 'high', L: 'low', LL: 'low-low' };
const HIGH_LEVELS = new Set<LimitLevel>(['HH', 'H']);
const WE_TEXT: Record<WesternElectricRule, string> = {
  1: 'Western Electric rule 1: one point beyond 3σ',
  2: 'Western Electric rule 2: two of three points beyond 2σ on one side',
  3: 'Western Electric rule 3: four of five points beyond 1σ on one side',
  4: 'Western Electric rule 4: a run on one side of the mean',
};
const weCondition = (r: WesternElectricRule) => `WE${r}`;

/** The alarms a rule yields: one per limit level or Western Electric rule, otherwise one. */
export function alarmDefinitions(rule: AlarmRule): AlarmDefinition[] {
  const text = (fallback: string) => rule.message ?? `${rule.tag}: ${fallback}`;
  switch (rule.type) {
    case 'limit':
      return (['HH', 'H', 'L', 'LL'] as const).flatMap((level) => {
        const setting = rule.levels[level];
        if (!setting) return [];
        const sign = HIGH_LEVELS.has(level) ? '>' : '<';
        return [
          {
            condition: level,
            priority: setting.priority,
            message: text(`${LEVEL_NAMES[level]} (${sign} ${setting.setpoint})`),
          },
        ];
      });
    case 'rate_of_change':
      return [
        {
          condition: 'ROC',
          priority: rule.priority,
          message: text(`changing faster than ${rule.limit}/${rule.per === 'second' ? 's' : 'min'}`),
        },
      ];
    case 'deviation':
      return [
        {
          condition: 'DEV',
          priority: rule.priority,
          message: text(`deviates from ${rule.setpointTag} by more than ${rule.limit}`),
        },
      ];
    case 'discrete':
      return [{ condition: 'STATE', priority: rule.priority, message: text('in alarm state') }];
    case 'stale':
      return [
        {
          condition: 'STALE',
          priority: rule.priority,
          message: text(`no new value for ${rule.timeoutMs / 1000} s`),
        },
      ];
    case 'comm_loss':
      return [
        {
          condition: 'COMM',
          priority: rule.priority,
          message: text(`communication lost (${rule.connector})`),
        },
      ];
    case 'bad_quality':
      return [{ condition: 'QUALITY', priority: rule.priority, message: text('bad quality') }];
    case 'ewma':
      return [{ condition: 'EWMA', priority: rule.priority, message: text(`EWMA drift beyond ±${rule.L}σ`) }];
    case 'spc':
      return rule.rules.map((r) => ({
        condition: weCondition(r),
        priority: rule.priority,
        message: text(WE_TEXT[r]),
      }));
  }
}

export const createRuleState = (rule: AlarmRule): RuleState => ({
  ruleId: rule.id,
  lastTs: null,
  lastSeenAt: null,
  raw: {},
});

/** A condition's verdict on this input; `undefined` conditions keep their previous state. */
interface Verdict {
  condition: string;
  active: boolean;
  value: TagValue | null;
  detail?: Record<string, unknown>;
}

export interface Evaluation {
  state: RuleState;
  changes: ConditionChange[];
}

/**
 * Evaluates one rule on one input. Only conditions that changed are returned, so a replayed or
 * repeated input yields nothing. Samples not newer than the last one used are ignored.
 */
export function evaluateRule(rule: AlarmRule, state: RuleState, input: RuleInput, now: number): Evaluation {
  if (input.kind === 'tick')
    return rule.type === 'stale' ? tickStale(rule, state, now) : { state, changes: [] };
  if (input.kind === 'link') {
    if (rule.type !== 'comm_loss') return { state, changes: [] };
    return decide(rule, state, input.at, [{ condition: 'COMM', active: !input.up, value: null }]);
  }
  const { sample } = input;
  if (state.lastTs !== null && sample.ts <= state.lastTs) return { state, changes: [] };
  const seen: RuleState = { ...state, lastTs: sample.ts, lastSeenAt: now };
  switch (rule.type) {
    case 'limit':
      return decide(rule, seen, sample.ts, limitVerdicts(rule, seen, sample));
    case 'rate_of_change':
      return rateOfChange(rule, seen, sample);
    case 'deviation': {
      const v = numeric(sample);
      const sp = input.setpoint;
      if (v === null || sp === undefined || !Number.isFinite(sp)) return { state: seen, changes: [] };
      const deviation = Math.abs(v - sp);
      const active = seen.raw.DEV ? deviation >= rule.limit - rule.deadband : deviation > rule.limit;
      return decide(rule, seen, sample.ts, [
        { condition: 'DEV', active, value: v, detail: { setpoint: sp, deviation } },
      ]);
    }
    case 'discrete': {
      if (sample.quality === 'bad') return { state: seen, changes: [] };
      return decide(rule, seen, sample.ts, [
        { condition: 'STATE', active: discreteActive(rule, sample.value), value: sample.value },
      ]);
    }
    case 'stale':
      // Only a good value ends staleness; a bad one still resets the timer (it is a new value).
      if (sample.quality !== 'good') return { state: seen, changes: [] };
      return decide(rule, seen, now, [{ condition: 'STALE', active: false, value: sample.value }]);
    case 'comm_loss':
      return { state: seen, changes: [] };
    case 'bad_quality': {
      const active = sample.quality === 'bad' || (rule.includeUncertain && sample.quality === 'uncertain');
      return decide(rule, seen, sample.ts, [
        { condition: 'QUALITY', active, value: sample.value, detail: { quality: sample.quality } },
      ]);
    }
    case 'ewma':
      return ewma(rule, seen, sample);
    case 'spc':
      return spc(rule, seen, sample);
  }
}

/** A usable number for value-based rules: bad quality and NaN are the bad_quality rule's business. */
function numeric(sample: TagSample): number | null {
  if (sample.quality === 'bad' || typeof sample.value !== 'number' || !Number.isFinite(sample.value))
    return null;
  return sample.value;
}

function decide(rule: AlarmRule, state: RuleState, at: number, verdicts: Verdict[]): Evaluation {
  let definitions: AlarmDefinition[] | undefined; // built only when something changed: samples are the hot path
  const changes: ConditionChange[] = [];
  const raw = { ...state.raw };
  for (const v of verdicts) {
    if ((raw[v.condition] ?? false) === v.active) continue;
    raw[v.condition] = v.active;
    definitions ??= alarmDefinitions(rule);
    const def = definitions.find((d) => d.condition === v.condition);
    changes.push({
      condition: v.condition,
      active: v.active,
      at,
      value: v.value,
      priority: def?.priority ?? 'low',
      message: def?.message ?? `${rule.tag}: ${v.condition}`,
      ...(v.detail ? { detail: v.detail } : {}),
    });
  }
  return { state: changes.length ? { ...state, raw } : state, changes };
}

function limitVerdicts(
  rule: Extract<AlarmRule, { type: 'limit' }>,
  state: RuleState,
  sample: TagSample,
): Verdict[] {
  const v = numeric(sample);
  if (v === null) return [];
  return (['HH', 'H', 'L', 'LL'] as const).flatMap((level) => {
    const setting = rule.levels[level];
    if (!setting) return [];
    const sp = setting.setpoint;
    const was = state.raw[level] ?? false;
    // Deadband: an active high alarm clears only below setpoint − deadband (low: above + deadband).
    const active = HIGH_LEVELS.has(level)
      ? was
        ? v >= sp - rule.deadband
        : v > sp
      : was
        ? v <= sp + rule.deadband
        : v < sp;
    return [{ condition: level, active, value: v }];
  });
}

function rateOfChange(
  rule: Extract<AlarmRule, { type: 'rate_of_change' }>,
  state: RuleState,
  sample: TagSample,
): Evaluation {
  const v = numeric(sample);
  if (v === null) return { state, changes: [] };
  const points: Array<[number, number]> = [...(state.points ?? []), [sample.ts, v]];
  // Keep the newest point at or before the window start as the anchor, so the rate spans the window.
  const windowStart = sample.ts - rule.windowMs;
  let anchor = 0;
  for (let i = 0; i < points.length - 1; i++) if (points[i]![0] <= windowStart) anchor = i;
  const kept = points.slice(anchor);
  const next = { ...state, points: kept };
  const [t0, v0] = kept[0]!;
  if (kept.length < 2 || sample.ts <= t0) return { state: next, changes: [] };
  const perSecond = (v - v0) / ((sample.ts - t0) / 1000);
  const rate = rule.per === 'second' ? perSecond : perSecond * 60;
  return decide(rule, next, sample.ts, [
    { condition: 'ROC', active: Math.abs(rate) > rule.limit, value: v, detail: { rate } },
  ]);
}

function discreteActive(rule: Extract<AlarmRule, { type: 'discrete' }>, value: TagValue): boolean {
  if (rule.alarmValue !== undefined) {
    // Boolean tags sometimes arrive as 0/1 from PLCs.
    const asBool = typeof value === 'number' ? value !== 0 : value;
    return asBool === rule.alarmValue;
  }
  return (rule.alarmStates ?? []).includes(value as string | number);
}

function tickStale(rule: Extract<AlarmRule, { type: 'stale' }>, state: RuleState, now: number): Evaluation {
  // The timeout starts when the engine first watches a tag that has never delivered.
  if (state.lastSeenAt === null) return { state: { ...state, lastSeenAt: now }, changes: [] };
  const dueAt = state.lastSeenAt + rule.timeoutMs;
  if (now < dueAt) return { state, changes: [] };
  return decide(rule, state, dueAt, [
    { condition: 'STALE', active: true, value: null, detail: { lastSeenAt: state.lastSeenAt } },
  ]);
}

/** Mean and sigma from the rule, or estimated over the warm-up; `stats` is null while warming up. */
function baseline(
  rule: Extract<AlarmRule, { type: 'ewma' | 'spc' }>,
  state: RuleState,
  v: number,
): { state: RuleState; stats: { mean: number; sigma: number } | null } {
  if (rule.mean !== undefined && rule.sigma !== undefined) {
    return { state, stats: { mean: rule.mean, sigma: rule.sigma } };
  }
  const warmup = state.warmup ?? emptyStats();
  if (warmup.n < rule.warmupSamples)
    return { state: { ...state, warmup: addToStats(warmup, v) }, stats: null };
  const sigma = rule.sigma ?? stdDev(warmup);
  // A flat warm-up gives sigma 0, which cannot scale a z-score; such a tag needs a configured sigma.
  return { state, stats: sigma > 0 ? { mean: rule.mean ?? warmup.mean, sigma } : null };
}

function ewma(rule: Extract<AlarmRule, { type: 'ewma' }>, state: RuleState, sample: TagSample): Evaluation {
  const v = numeric(sample);
  if (v === null) return { state, changes: [] };
  const base = baseline(rule, state, v);
  if (!base.stats) return { state: base.state, changes: [] };
  const { mean, sigma } = base.stats;
  const count = (base.state.ewma?.count ?? 0) + 1;
  const value = ewmaStep(base.state.ewma?.value ?? mean, v, rule.lambda);
  const next = { ...base.state, ewma: { value, count } };
  if (count < rule.minSamples) return { state: next, changes: [] };
  const z = (value - mean) / (sigma * ewmaSigmaFactor(rule.lambda, count));
  return decide(rule, next, sample.ts, [
    { condition: 'EWMA', active: Math.abs(z) > rule.L, value: v, detail: { ewma: value, z, mean, sigma } },
  ]);
}

function spc(rule: Extract<AlarmRule, { type: 'spc' }>, state: RuleState, sample: TagSample): Evaluation {
  const v = numeric(sample);
  if (v === null) return { state, changes: [] };
  const base = baseline(rule, state, v);
  if (!base.stats) return { state: base.state, changes: [] };
  const z = (v - base.stats.mean) / base.stats.sigma;
  const zs = [...(base.state.zs ?? []), z].slice(-spcWindowSize(rule.runLength));
  const next = { ...base.state, zs };
  return decide(
    rule,
    next,
    sample.ts,
    rule.rules.map((r) => ({
      condition: weCondition(r),
      active: violatesWesternElectric(zs, r, rule.runLength),
      value: v,
      detail: { rule: r, z },
    })),
  );
}
