import {
  type ChatterConfig,
  type ChatterState,
  createChatterState,
  DEFAULT_CHATTER_CONFIG,
  DEFAULT_FLOOD_CONFIG,
  type FloodConfig,
  type FloodState,
  type FloodStep,
  recordChatterActivation,
  recordFloodActivations,
  tickChatter,
} from './detectors.js';
import { type AlarmDefinition, alarmDefinitions, alarmKey, createRuleState, evaluateRule } from './rules.js';
import {
  applyCondition,
  createAlarm,
  DEFAULT_MAX_SHELVE_MS,
  setChattering,
  setSuppression,
  tickAlarm,
} from './state.js';
import type {
  AlarmErrorCode,
  AlarmEvent,
  AlarmResult,
  AlarmRule,
  AlarmState,
  RuleInput,
  RuleState,
  Transition,
} from './types.js';

/**
 * Everything one rule needs between inputs: its evaluation state and its alarms (one per
 * condition). Kept per rule so an input touches only its own slice; plain JSON for JSONB.
 */
export interface RuleRuntime {
  rule: RuleState;
  /** By alarm key `${ruleId}:${condition}`. */
  alarms: Record<string, AlarmState>;
  chatter: Record<string, ChatterState>;
}

export interface EngineConfig {
  flood: FloodConfig;
  chatter: ChatterConfig;
  maxShelveMs: number;
}

export const DEFAULT_ENGINE_CONFIG: EngineConfig = {
  flood: DEFAULT_FLOOD_CONFIG,
  chatter: DEFAULT_CHATTER_CONFIG,
  maxShelveMs: DEFAULT_MAX_SHELVE_MS,
};

export interface RuntimeStep {
  runtime: RuleRuntime;
  events: AlarmEvent[];
}

const identity = (rule: AlarmRule, def: AlarmDefinition) => ({
  key: alarmKey(rule.id, def.condition),
  ruleId: rule.id,
  condition: def.condition,
  tag: rule.tag,
  area: rule.area ?? null,
  priority: def.priority,
  message: def.message,
  onDelayMs: rule.onDelayMs,
  offDelayMs: rule.offDelayMs,
});

export function createRuleRuntime(rule: AlarmRule): RuleRuntime {
  const alarms: Record<string, AlarmState> = {};
  for (const def of alarmDefinitions(rule)) {
    const alarm = createAlarm(identity(rule, def));
    alarms[alarm.key] = alarm;
  }
  return { rule: createRuleState(rule), alarms, chatter: {} };
}

/**
 * After a rule was edited: alarms of new conditions are added, those of removed conditions
 * dropped, and priority, text, delays, tag and area follow the rule. States are kept.
 */
export function syncRuleRuntime(runtime: RuleRuntime, rule: AlarmRule): RuleRuntime {
  const alarms: Record<string, AlarmState> = {};
  for (const def of alarmDefinitions(rule)) {
    const id = identity(rule, def);
    const existing = runtime.alarms[id.key];
    alarms[id.key] = existing ? { ...existing, ...id } : createAlarm(id);
  }
  const chatter = Object.fromEntries(Object.entries(runtime.chatter).filter(([key]) => key in alarms));
  const raw = Object.fromEntries(
    Object.entries(runtime.rule.raw).filter(([c]) => alarmKey(rule.id, c) in alarms),
  );
  return { rule: { ...runtime.rule, raw }, alarms, chatter };
}

function withAlarm(runtime: RuleRuntime, t: Transition): RuleRuntime {
  return t.events.length || t.alarm !== runtime.alarms[t.alarm.key]
    ? { ...runtime, alarms: { ...runtime.alarms, [t.alarm.key]: t.alarm } }
    : runtime;
}

/** Feeds activations to the chattering detector and marks alarms that chatter. */
function detectChattering(runtime: RuleRuntime, events: AlarmEvent[], cfg: ChatterConfig): RuntimeStep {
  let next = runtime;
  const out: AlarmEvent[] = [];
  for (const e of events) {
    out.push(e);
    if (e.type !== 'activated') continue;
    const step = recordChatterActivation(next.chatter[e.key] ?? createChatterState(), e.at, cfg);
    next = { ...next, chatter: { ...next.chatter, [e.key]: step.state } };
    for (const c of step.changes) {
      const t = setChattering(next.alarms[e.key]!, c.chattering, c.at, c.count);
      next = withAlarm(next, t);
      out.push(...t.events);
    }
  }
  return { runtime: next, events: out };
}

/** One input (sample, link change or tick) for one rule: evaluate, run the alarm state machine, detect chattering. */
export function processRuleInput(
  runtime: RuleRuntime,
  rule: AlarmRule,
  input: RuleInput,
  now: number,
  cfg: EngineConfig = DEFAULT_ENGINE_CONFIG,
): RuntimeStep {
  const evaluation = evaluateRule(rule, runtime.rule, input, now);
  let next: RuleRuntime =
    evaluation.state === runtime.rule ? runtime : { ...runtime, rule: evaluation.state };
  const events: AlarmEvent[] = [];
  for (const change of evaluation.changes) {
    const key = alarmKey(rule.id, change.condition);
    const alarm = next.alarms[key];
    if (!alarm) continue; // a condition the rule no longer defines; syncRuleRuntime drops it
    const t = applyCondition(alarm, change);
    next = withAlarm(next, t);
    events.push(...t.events);
  }
  return detectChattering(next, events, cfg.chatter);
}

/** Time passes for one rule: stale timeouts, on/off delays, shelve expiry, end of chattering. */
export function tickRule(
  runtime: RuleRuntime,
  rule: AlarmRule,
  now: number,
  cfg: EngineConfig = DEFAULT_ENGINE_CONFIG,
): RuntimeStep {
  const evaluated = processRuleInput(runtime, rule, { kind: 'tick' }, now, cfg);
  let next = evaluated.runtime;
  const timed: AlarmEvent[] = [];
  for (const alarm of Object.values(next.alarms)) {
    const t = tickAlarm(alarm, now);
    next = withAlarm(next, t);
    timed.push(...t.events);
  }
  const detected = detectChattering(next, timed, cfg.chatter);
  next = detected.runtime;
  const events = [...evaluated.events, ...detected.events];
  for (const [key, chatter] of Object.entries(next.chatter)) {
    const step = tickChatter(chatter, now, cfg.chatter);
    if (step.state === chatter) continue;
    next = { ...next, chatter: { ...next.chatter, [key]: step.state } };
    for (const c of step.changes) {
      const t = setChattering(next.alarms[key]!, c.chattering, c.at, c.count);
      next = withAlarm(next, t);
      events.push(...t.events);
    }
  }
  return { runtime: next, events };
}

/** Equipment status changed: suppress (or release) every alarm of the rule. */
export function setRuleSuppression(runtime: RuleRuntime, suppressed: boolean, now: number): RuntimeStep {
  let next = runtime;
  const events: AlarmEvent[] = [];
  for (const alarm of Object.values(runtime.alarms)) {
    const t = setSuppression(alarm, suppressed, now);
    next = withAlarm(next, t);
    events.push(...t.events);
  }
  return { runtime: next, events };
}

export type OperateResult =
  | { ok: true; runtime: RuleRuntime; events: AlarmEvent[] }
  | { ok: false; error: { code: AlarmErrorCode; message: string } };

/**
 * Runs an operator operation on one alarm of the runtime, e.g.
 * `operateAlarm(rt, key, (a) => acknowledge(a, { user }, now))`.
 */
export function operateAlarm(
  runtime: RuleRuntime,
  key: string,
  op: (alarm: AlarmState) => AlarmResult,
): OperateResult {
  const alarm = runtime.alarms[key];
  if (!alarm) return { ok: false, error: { code: 'unknown_alarm', message: `No alarm ${key}` } };
  const result = op(alarm);
  if (!result.ok) return result;
  return {
    ok: true,
    runtime: withAlarm(runtime, { alarm: result.alarm, events: result.events }),
    events: result.events,
  };
}

/** Counts the annunciated activations among `events` towards the area's flood detector. */
export function detectFlood(
  flood: FloodState,
  events: AlarmEvent[],
  cfg: FloodConfig = DEFAULT_FLOOD_CONFIG,
): FloodStep {
  const times = events.filter((e) => e.type === 'activated' && e.annunciated).map((e) => e.at);
  return recordFloodActivations(flood, times, cfg);
}
