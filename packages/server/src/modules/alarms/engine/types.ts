/**
 * Types of the pure alarm engine. They mirror the zod schemas in `packages/shared/src/alarms.ts`
 * (checked by `types.test.ts`), so a rule parsed at the HTTP boundary is accepted here as is.
 * Every state object is plain JSON: it is stored as JSONB and restored after a restart.
 */

export type AlarmPriority = 'critical' | 'high' | 'medium' | 'low';
export type TagQuality = 'good' | 'uncertain' | 'bad';
export type TagValue = number | boolean | string;
export type AlarmStateName = 'normal' | 'unack_active' | 'ack_active' | 'rtn_unack';
export type LimitLevel = 'HH' | 'H' | 'L' | 'LL';
export type WesternElectricRule = 1 | 2 | 3 | 4;

/** One value of a tag as a connector delivered it; `ts` is the source timestamp (epoch ms). */
export interface TagSample {
  value: TagValue;
  quality: TagQuality;
  ts: number;
}

interface RuleBase {
  id: string;
  tag: string;
  area?: string | undefined;
  message?: string | undefined;
  onDelayMs: number;
  offDelayMs: number;
}

export interface LimitSetting {
  setpoint: number;
  priority: AlarmPriority;
}

export interface LimitRule extends RuleBase {
  type: 'limit';
  levels: {
    HH?: LimitSetting | undefined;
    H?: LimitSetting | undefined;
    L?: LimitSetting | undefined;
    LL?: LimitSetting | undefined;
  };
  deadband: number;
}

export interface RateOfChangeRule extends RuleBase {
  type: 'rate_of_change';
  limit: number;
  per: 'second' | 'minute';
  windowMs: number;
  priority: AlarmPriority;
}

export interface DeviationRule extends RuleBase {
  type: 'deviation';
  setpointTag: string;
  limit: number;
  deadband: number;
  priority: AlarmPriority;
}

export interface DiscreteRule extends RuleBase {
  type: 'discrete';
  alarmValue?: boolean | undefined;
  alarmStates?: Array<string | number> | undefined;
  priority: AlarmPriority;
}

export interface StaleRule extends RuleBase {
  type: 'stale';
  timeoutMs: number;
  priority: AlarmPriority;
}

export interface CommLossRule extends RuleBase {
  type: 'comm_loss';
  connector: string;
  priority: AlarmPriority;
}

export interface BadQualityRule extends RuleBase {
  type: 'bad_quality';
  includeUncertain: boolean;
  priority: AlarmPriority;
}

export interface EwmaRule extends RuleBase {
  type: 'ewma';
  lambda: number;
  L: number;
  mean?: number | undefined;
  sigma?: number | undefined;
  warmupSamples: number;
  minSamples: number;
  priority: AlarmPriority;
}

export interface SpcRule extends RuleBase {
  type: 'spc';
  mean?: number | undefined;
  sigma?: number | undefined;
  warmupSamples: number;
  rules: WesternElectricRule[];
  runLength: number;
  priority: AlarmPriority;
}

export type AlarmRule =
  | LimitRule
  | RateOfChangeRule
  | DeviationRule
  | DiscreteRule
  | StaleRule
  | CommLossRule
  | BadQualityRule
  | EwmaRule
  | SpcRule;

/** What a rule is evaluated on. */
export type RuleInput =
  /** A new tag value; `setpoint` is the current value of a deviation rule's setpoint tag. */
  | { kind: 'sample'; sample: TagSample; setpoint?: number | undefined }
  /** A connector reports its link up or down (comm_loss rules). */
  | { kind: 'link'; up: boolean; at: number }
  /** Time passes (stale rules). */
  | { kind: 'tick' };

/** Running mean and variance (Welford), so warm-up needs no sample buffer. */
export interface RunningStats {
  n: number;
  mean: number;
  m2: number;
}

/** What a rule remembers between inputs. */
export interface RuleState {
  ruleId: string;
  /** Source timestamp of the last sample used; older or repeated samples are ignored (replays). */
  lastTs: number | null;
  /** When the engine last received any sample (or first watched the tag), for stale rules. */
  lastSeenAt: number | null;
  /** Condition name → whether the condition currently holds (before on/off delays). */
  raw: Record<string, boolean>;
  /** Rate of change: recent [ts, value] points, oldest first. */
  points?: Array<[number, number]> | undefined;
  /** EWMA / SPC: warm-up estimate of mean and sigma. */
  warmup?: RunningStats | undefined;
  /** EWMA statistic and the number of updates since warm-up. */
  ewma?: { value: number; count: number } | undefined;
  /** SPC: z-scores of the latest points, oldest first. */
  zs?: number[] | undefined;
}

/** A rule's condition changed; the alarm state machine takes it from here. */
export interface ConditionChange {
  condition: string;
  active: boolean;
  at: number;
  value: TagValue | null;
  priority: AlarmPriority;
  message: string;
  detail?: Record<string, unknown> | undefined;
}

export interface ShelveInfo {
  by: string;
  at: number;
  until: number;
  reason: string;
}

export interface OutOfServiceInfo {
  by: string;
  at: number;
  reason: string;
}

/** One alarm: one condition of one rule, key `${ruleId}:${condition}`. */
export interface AlarmState {
  key: string;
  ruleId: string;
  condition: string;
  tag: string;
  area: string | null;
  priority: AlarmPriority;
  message: string;
  onDelayMs: number;
  offDelayMs: number;
  /** Annunciation state; held at `normal` while suppressed or out of service (a shelved alarm keeps it). */
  state: AlarmStateName;
  raw: boolean;
  rawSince: number | null;
  rawValue: TagValue | null;
  /** The condition after on/off delays, tracked in every mode so unshelving shows the truth. */
  active: boolean;
  activeSince: number | null;
  value: TagValue | null;
  ackedAt: number | null;
  ackedBy: string | null;
  shelved: ShelveInfo | null;
  /** Suppressed by design: the equipment is in maintenance or out of service. */
  suppressed: boolean;
  outOfService: OutOfServiceInfo | null;
  chattering: boolean;
}

export type AlarmEventType =
  | 'activated'
  | 'cleared'
  | 'acknowledged'
  | 'shelved'
  | 'unshelved'
  | 'suppressed'
  | 'unsuppressed'
  | 'removed_from_service'
  | 'returned_to_service'
  | 'commented'
  | 'chattering_start'
  | 'chattering_end';

/** One alarm journal entry. */
export interface AlarmEvent {
  type: AlarmEventType;
  key: string;
  ruleId: string;
  tag: string;
  from: AlarmStateName;
  to: AlarmStateName;
  at: number;
  user: string | null;
  comment: string | null;
  value: TagValue | null;
  priority: AlarmPriority;
  message: string;
  /** False for changes hidden from operators by shelving, suppression or out-of-service. */
  annunciated: boolean;
  detail?: Record<string, unknown> | undefined;
}

export interface FloodEvent {
  type: 'flood_start' | 'flood_end';
  area: string;
  at: number;
  count: number;
  total: number;
  windowMs: number;
}

export type EngineEvent = AlarmEvent | FloodEvent;

export type AlarmErrorCode =
  | 'nothing_to_acknowledge'
  | 'already_acknowledged'
  | 'reason_required'
  | 'shelve_until_in_past'
  | 'shelve_too_long'
  | 'not_shelved'
  | 'comment_required'
  | 'unknown_alarm';

/** Operator operations return a result instead of throwing: refusing is an expected outcome. */
export type AlarmResult =
  | { ok: true; alarm: AlarmState; events: AlarmEvent[] }
  | { ok: false; error: { code: AlarmErrorCode; message: string } };

/** A state change with the journal events it produced. */
export interface Transition {
  alarm: AlarmState;
  events: AlarmEvent[];
}
