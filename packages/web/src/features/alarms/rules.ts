import {
  type AlarmPriority,
  type AlarmRule,
  type AlarmRuleInput,
  type AlarmRuleRecord,
  type AlarmRuleType,
  type Interlock,
  LIMIT_LEVELS,
  type LimitLevel,
  type TagValue,
} from '@aegis/shared';
import type { TFunction } from 'i18next';

/**
 * The rule editor's form values and their translation to and from AlarmRuleSchema. Times are
 * edited in seconds (operators think in seconds), stored in milliseconds.
 */
export interface RuleFormValues {
  type: AlarmRuleType;
  enabled: boolean;
  message?: string;
  onDelayS?: number;
  offDelayS?: number;
  priority?: AlarmPriority;
  // limit
  levels?: Partial<Record<LimitLevel, { on?: boolean; setpoint?: number | null; priority?: AlarmPriority }>>;
  deadband?: number;
  // rate of change, deviation
  limit?: number;
  per?: 'second' | 'minute';
  windowS?: number;
  setpointTag?: string;
  // discrete
  discreteMode?: 'value' | 'states';
  alarmValue?: boolean;
  alarmStates?: Array<string | number>;
  // stale, comm loss, quality
  timeoutS?: number;
  connector?: string;
  includeUncertain?: boolean;
  // EWMA / SPC
  lambda?: number;
  L?: number;
  mean?: number | null;
  sigma?: number | null;
  warmupSamples?: number;
  minSamples?: number;
  weRules?: Array<1 | 2 | 3 | 4>;
  runLength?: number;
  // interlock
  interlockOn?: boolean;
  interlockTagId?: number | null;
  interlockValue?: string;
  interlockConditions?: string[];
  confirmTimeoutS?: number;
  reason?: string;
}

export const DEFAULT_LEVEL_PRIORITY: Record<LimitLevel, AlarmPriority> = {
  HH: 'critical',
  H: 'high',
  L: 'high',
  LL: 'critical',
};

const sec = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);
const ms = (s: number | undefined | null) => Math.round((s ?? 0) * 1000);
const opt = <T>(v: T | null | undefined): T | undefined => (v === null || v === undefined ? undefined : v);

export function newRuleValues(type: AlarmRuleType = 'limit'): RuleFormValues {
  return {
    type,
    enabled: true,
    onDelayS: 0,
    offDelayS: 0,
    priority: 'high',
    levels: Object.fromEntries(
      LIMIT_LEVELS.map((l) => [l, { on: false, priority: DEFAULT_LEVEL_PRIORITY[l] }]),
    ),
    deadband: 0,
    per: 'second',
    windowS: 10,
    discreteMode: 'value',
    alarmValue: true,
    timeoutS: 300,
    includeUncertain: false,
    lambda: 0.2,
    L: 3,
    warmupSamples: 30,
    minSamples: 5,
    weRules: [1, 2, 3, 4],
    runLength: 8,
    interlockOn: false,
    interlockConditions: [],
    confirmTimeoutS: 5,
  };
}

export function valuesFromRecord(r: AlarmRuleRecord): RuleFormValues {
  const rule = r.rule;
  const v: RuleFormValues = {
    ...newRuleValues(rule.type),
    enabled: r.enabled,
    message: rule.message,
    onDelayS: sec(rule.onDelayMs),
    offDelayS: sec(rule.offDelayMs),
  };
  switch (rule.type) {
    case 'limit':
      v.levels = Object.fromEntries(
        LIMIT_LEVELS.map((l) => {
          const s = rule.levels[l];
          return [
            l,
            s
              ? { on: true, setpoint: s.setpoint, priority: s.priority }
              : { on: false, priority: DEFAULT_LEVEL_PRIORITY[l] },
          ];
        }),
      );
      v.deadband = rule.deadband;
      break;
    case 'rate_of_change':
      Object.assign(v, {
        limit: rule.limit,
        per: rule.per,
        windowS: sec(rule.windowMs),
        priority: rule.priority,
      });
      break;
    case 'deviation':
      Object.assign(v, {
        setpointTag: rule.setpointTag,
        limit: rule.limit,
        deadband: rule.deadband,
        priority: rule.priority,
      });
      break;
    case 'discrete':
      Object.assign(v, {
        discreteMode: rule.alarmStates ? 'states' : 'value',
        alarmValue: rule.alarmValue ?? true,
        alarmStates: rule.alarmStates ?? [],
        priority: rule.priority,
      });
      break;
    case 'stale':
      Object.assign(v, { timeoutS: sec(rule.timeoutMs), priority: rule.priority });
      break;
    case 'comm_loss':
      Object.assign(v, { connector: rule.connector, priority: rule.priority });
      break;
    case 'bad_quality':
      Object.assign(v, { includeUncertain: rule.includeUncertain, priority: rule.priority });
      break;
    case 'ewma':
      Object.assign(v, {
        lambda: rule.lambda,
        L: rule.L,
        mean: rule.mean ?? null,
        sigma: rule.sigma ?? null,
        warmupSamples: rule.warmupSamples,
        minSamples: rule.minSamples,
        priority: rule.priority,
      });
      break;
    case 'spc':
      Object.assign(v, {
        mean: rule.mean ?? null,
        sigma: rule.sigma ?? null,
        warmupSamples: rule.warmupSamples,
        weRules: rule.rules,
        runLength: rule.runLength,
        priority: rule.priority,
      });
      break;
  }
  if (r.interlock) {
    Object.assign(v, {
      interlockOn: true,
      interlockTagId: r.interlock.tagId,
      interlockValue: String(r.interlock.value),
      interlockConditions: r.interlock.conditions,
      confirmTimeoutS: sec(r.interlock.confirmTimeoutMs),
    });
  }
  return v;
}

export function ruleFromValues(v: RuleFormValues): AlarmRuleInput {
  const base = {
    message: v.message?.trim() || undefined,
    onDelayMs: ms(v.onDelayS),
    offDelayMs: ms(v.offDelayS),
  };
  const priority = v.priority ?? 'high';
  switch (v.type) {
    case 'limit': {
      const levels: Partial<Record<LimitLevel, { setpoint: number; priority: AlarmPriority }>> = {};
      for (const l of LIMIT_LEVELS) {
        const s = v.levels?.[l];
        if (s?.on && typeof s.setpoint === 'number') {
          levels[l] = { setpoint: s.setpoint, priority: s.priority ?? DEFAULT_LEVEL_PRIORITY[l] };
        }
      }
      return { ...base, type: 'limit', levels, deadband: v.deadband ?? 0 };
    }
    case 'rate_of_change':
      return {
        ...base,
        type: 'rate_of_change',
        limit: v.limit ?? 0,
        per: v.per,
        windowMs: ms(v.windowS),
        priority,
      };
    case 'deviation':
      return {
        ...base,
        type: 'deviation',
        setpointTag: v.setpointTag?.trim() ?? '',
        limit: v.limit ?? 0,
        deadband: v.deadband ?? 0,
        priority,
      };
    case 'discrete':
      return v.discreteMode === 'states'
        ? { ...base, type: 'discrete', alarmStates: v.alarmStates ?? [], priority }
        : { ...base, type: 'discrete', alarmValue: v.alarmValue ?? true, priority };
    case 'stale':
      return { ...base, type: 'stale', timeoutMs: ms(v.timeoutS), priority };
    case 'comm_loss':
      return { ...base, type: 'comm_loss', connector: v.connector?.trim() ?? '', priority };
    case 'bad_quality':
      return { ...base, type: 'bad_quality', includeUncertain: !!v.includeUncertain, priority };
    case 'ewma':
      return {
        ...base,
        type: 'ewma',
        lambda: v.lambda,
        L: v.L,
        mean: opt(v.mean),
        sigma: opt(v.sigma),
        warmupSamples: v.warmupSamples,
        minSamples: v.minSamples,
        priority,
      };
    case 'spc':
      return {
        ...base,
        type: 'spc',
        mean: opt(v.mean),
        sigma: opt(v.sigma),
        warmupSamples: v.warmupSamples,
        rules: v.weRules,
        runLength: v.runLength,
        priority,
      };
  }
}

/** "true"/"false" → boolean, a number → number, anything else → text. */
export function parseTagValue(text: string): TagValue {
  const s = text.trim();
  if (/^(true|false)$/i.test(s)) return s.toLowerCase() === 'true';
  if (s !== '' && Number.isFinite(Number(s))) return Number(s);
  return s;
}

export function interlockFromValues(v: RuleFormValues): Interlock | null {
  if (!v.interlockOn || !v.interlockTagId) return null;
  return {
    tagId: v.interlockTagId,
    value: parseTagValue(v.interlockValue ?? ''),
    conditions: v.interlockConditions ?? [],
    confirmTimeoutMs: ms(v.confirmTimeoutS ?? 5),
  };
}

/** The alarm conditions a rule yields (the part after ":" in an alarm key). */
export function conditionsOf(v: Pick<RuleFormValues, 'type' | 'levels' | 'weRules'>): string[] {
  switch (v.type) {
    case 'limit':
      return LIMIT_LEVELS.filter((l) => v.levels?.[l]?.on);
    case 'spc':
      return (v.weRules ?? []).map((r) => `WE${r}`);
    case 'rate_of_change':
      return ['ROC'];
    case 'deviation':
      return ['DEV'];
    case 'discrete':
      return ['STATE'];
    case 'stale':
      return ['STALE'];
    case 'comm_loss':
      return ['COMM'];
    case 'bad_quality':
      return ['QUALITY'];
    case 'ewma':
      return ['EWMA'];
  }
}

/** One line describing a rule, for the rule list. */
export function summarize(t: TFunction, rule: AlarmRule, unit: string): string {
  const u = unit ? ` ${unit}` : '';
  const p = (x: AlarmPriority) => t(`alarms.priority.${x}`);
  switch (rule.type) {
    case 'limit': {
      const parts = LIMIT_LEVELS.flatMap((l) => {
        const s = rule.levels[l];
        return s ? [`${l} ${l.startsWith('H') ? '>' : '<'} ${s.setpoint}${u} (${p(s.priority)})`] : [];
      });
      if (rule.deadband) parts.push(t('rules.summary.deadband', { value: `${rule.deadband}${u}` }));
      return parts.join(' · ');
    }
    case 'rate_of_change':
      return t('rules.summary.roc', {
        limit: `${rule.limit}${u}`,
        per: t(`rules.per.${rule.per}`),
        priority: p(rule.priority),
      });
    case 'deviation':
      return t('rules.summary.deviation', {
        tag: rule.setpointTag,
        limit: `${rule.limit}${u}`,
        priority: p(rule.priority),
      });
    case 'discrete':
      return t('rules.summary.discrete', {
        value: rule.alarmStates ? rule.alarmStates.join(', ') : String(rule.alarmValue),
        priority: p(rule.priority),
      });
    case 'stale':
      return t('rules.summary.stale', { seconds: rule.timeoutMs / 1000, priority: p(rule.priority) });
    case 'comm_loss':
      return t('rules.summary.comm', { connector: rule.connector, priority: p(rule.priority) });
    case 'bad_quality':
      return t(rule.includeUncertain ? 'rules.summary.qualityUncertain' : 'rules.summary.quality', {
        priority: p(rule.priority),
      });
    case 'ewma':
      return t('rules.summary.ewma', { lambda: rule.lambda, L: rule.L, priority: p(rule.priority) });
    case 'spc':
      return t('rules.summary.spc', { rules: rule.rules.join(', '), priority: p(rule.priority) });
  }
}
