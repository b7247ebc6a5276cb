import { z } from 'zod';

/**
 * Alarm rules, alarm states and alarm journal events (ISA-18.2 / IEC 62682).
 * Times are epoch milliseconds: the same numbers the engine keeps in its JSONB state.
 * The server's alarm engine declares structurally identical TypeScript types in
 * `modules/alarms/engine/types.ts`; a test there keeps the two in step.
 */

export const ALARM_PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;
export const AlarmPrioritySchema = z.enum(ALARM_PRIORITIES);
export type AlarmPriority = z.infer<typeof AlarmPrioritySchema>;

export const TAG_QUALITIES = ['good', 'uncertain', 'bad'] as const;
export const TagQualitySchema = z.enum(TAG_QUALITIES);
export type TagQuality = z.infer<typeof TagQualitySchema>;

export const TagValueSchema = z.union([z.number(), z.boolean(), z.string()]);
export type TagValue = z.infer<typeof TagValueSchema>;

/** ISA-18.2 annunciation states; shelving, suppression and out-of-service are separate flags. */
export const ALARM_STATES = ['normal', 'unack_active', 'ack_active', 'rtn_unack'] as const;
export const AlarmStateNameSchema = z.enum(ALARM_STATES);
export type AlarmStateName = z.infer<typeof AlarmStateNameSchema>;

export const LIMIT_LEVELS = ['HH', 'H', 'L', 'LL'] as const;
export const LimitLevelSchema = z.enum(LIMIT_LEVELS);
export type LimitLevel = z.infer<typeof LimitLevelSchema>;

/** Western Electric run rules 1–4. */
export const WE_RULES = [1, 2, 3, 4] as const;
export const WesternElectricRuleSchema = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]);
export type WesternElectricRule = z.infer<typeof WesternElectricRuleSchema>;

export const ALARM_RULE_TYPES = [
  'limit',
  'rate_of_change',
  'deviation',
  'discrete',
  'stale',
  'comm_loss',
  'bad_quality',
  'ewma',
  'spc',
] as const;
export const AlarmRuleTypeSchema = z.enum(ALARM_RULE_TYPES);
export type AlarmRuleType = z.infer<typeof AlarmRuleTypeSchema>;

const delayMs = z
  .number()
  .int()
  .min(0)
  .max(24 * 3600_000);
// zod 4 numbers already refuse NaN and ±Infinity.
const finite = z.number();

const ruleBase = {
  /** Set by the server from the rule's record; API clients leave it out. */
  id: z.string().trim().max(64).default(''),
  /** The tag this rule watches (`EQUIPMENT.TAG`); set by the server from the rule's tag. */
  tag: z.string().trim().max(200).default(''),
  /** Plant area code; alarm floods are counted per area. */
  area: z.string().trim().min(1).max(200).optional(),
  /** Operator-facing text; the engine writes a default from the condition when absent. */
  message: z.string().trim().max(500).optional(),
  /** The condition must hold this long before the alarm activates. */
  onDelayMs: delayMs.default(0),
  /** The condition must be clear this long before the alarm returns to normal. */
  offDelayMs: delayMs.default(0),
};

export const LimitSettingSchema = z.object({ setpoint: finite, priority: AlarmPrioritySchema });
export type LimitSetting = z.infer<typeof LimitSettingSchema>;

export const LimitRuleSchema = z
  .object({
    ...ruleBase,
    type: z.literal('limit'),
    levels: z.object({
      HH: LimitSettingSchema.optional(),
      H: LimitSettingSchema.optional(),
      L: LimitSettingSchema.optional(),
      LL: LimitSettingSchema.optional(),
    }),
    /** Hysteresis in engineering units: an H alarm clears only below H − deadband. */
    deadband: finite.min(0).default(0),
  })
  .refine((r) => Object.values(r.levels).some(Boolean), {
    message: 'Set at least one of HH, H, L, LL',
    path: ['levels'],
  })
  .refine((r) => !r.levels.HH || !r.levels.H || r.levels.HH.setpoint >= r.levels.H.setpoint, {
    message: 'HH must not be below H',
    path: ['levels', 'HH'],
  })
  .refine((r) => !r.levels.LL || !r.levels.L || r.levels.LL.setpoint <= r.levels.L.setpoint, {
    message: 'LL must not be above L',
    path: ['levels', 'LL'],
  });

export const RateOfChangeRuleSchema = z.object({
  ...ruleBase,
  type: z.literal('rate_of_change'),
  /** Largest allowed |Δvalue/Δt| in engineering units per `per`. */
  limit: finite.positive(),
  per: z.enum(['second', 'minute']).default('second'),
  /** The rate is the net change across this window, which filters out single-sample noise. */
  windowMs: z.number().int().positive().default(10_000),
  priority: AlarmPrioritySchema,
});

export const DeviationRuleSchema = z.object({
  ...ruleBase,
  type: z.literal('deviation'),
  /** The tag holding the setpoint; the caller looks its value up and passes it in. */
  setpointTag: z.string().trim().min(1).max(200),
  limit: finite.positive(),
  deadband: finite.min(0).default(0),
  priority: AlarmPrioritySchema,
});

export const DiscreteRuleSchema = z
  .object({
    ...ruleBase,
    type: z.literal('discrete'),
    /** For boolean tags: the value that means alarm. */
    alarmValue: z.boolean().optional(),
    /** For state/enum tags: the states that mean alarm, e.g. FAULT, ESTOP. */
    alarmStates: z
      .array(z.union([z.string(), z.number()]))
      .min(1)
      .optional(),
    priority: AlarmPrioritySchema,
  })
  .refine((r) => (r.alarmValue === undefined) !== (r.alarmStates === undefined), {
    message: 'Give either alarmValue or alarmStates',
    path: ['alarmValue'],
  });

export const StaleRuleSchema = z.object({
  ...ruleBase,
  type: z.literal('stale'),
  timeoutMs: z.number().int().positive(),
  priority: AlarmPrioritySchema,
});

export const CommLossRuleSchema = z.object({
  ...ruleBase,
  type: z.literal('comm_loss'),
  /** The connector whose link state drives this alarm. */
  connector: z.string().trim().min(1).max(200),
  priority: AlarmPrioritySchema,
});

export const BadQualityRuleSchema = z.object({
  ...ruleBase,
  type: z.literal('bad_quality'),
  includeUncertain: z.boolean().default(false),
  priority: AlarmPrioritySchema,
});

export const EwmaRuleSchema = z.object({
  ...ruleBase,
  type: z.literal('ewma'),
  /** Smoothing weight of the newest sample (0 < λ ≤ 1). */
  lambda: finite.gt(0).max(1).default(0.2),
  /** Control-limit width in sigmas of the EWMA statistic. */
  L: finite.positive().default(3),
  /** Process mean and sigma; whichever is missing is estimated over the warm-up samples. */
  mean: finite.optional(),
  sigma: finite.positive().optional(),
  warmupSamples: z.number().int().min(2).max(10_000).default(30),
  /** EWMA updates needed after warm-up before the rule may alarm. */
  minSamples: z.number().int().min(1).max(10_000).default(5),
  priority: AlarmPrioritySchema,
});

export const SpcRuleSchema = z.object({
  ...ruleBase,
  type: z.literal('spc'),
  mean: finite.optional(),
  sigma: finite.positive().optional(),
  warmupSamples: z.number().int().min(2).max(10_000).default(30),
  rules: z.array(WesternElectricRuleSchema).min(1).default([1, 2, 3, 4]),
  /** Points in a row on one side of the mean for rule 4. */
  runLength: z.number().int().min(2).max(50).default(8),
  priority: AlarmPrioritySchema,
});

export const AlarmRuleSchema = z.discriminatedUnion('type', [
  LimitRuleSchema,
  RateOfChangeRuleSchema,
  DeviationRuleSchema,
  DiscreteRuleSchema,
  StaleRuleSchema,
  CommLossRuleSchema,
  BadQualityRuleSchema,
  EwmaRuleSchema,
  SpcRuleSchema,
]);
export type AlarmRule = z.infer<typeof AlarmRuleSchema>;
export type AlarmRuleInput = z.input<typeof AlarmRuleSchema>;

const user = z.string().min(1).max(200);

export const ShelveInfoSchema = z.object({
  by: user,
  at: z.number(),
  until: z.number(),
  reason: z.string(),
});

export const OutOfServiceInfoSchema = z.object({ by: user, at: z.number(), reason: z.string() });

/** One alarm (one condition of one rule, key `${ruleId}:${condition}`), as persisted and shown. */
export const AlarmStateSchema = z.object({
  key: z.string(),
  ruleId: z.string(),
  condition: z.string(),
  tag: z.string(),
  area: z.string().nullable(),
  priority: AlarmPrioritySchema,
  message: z.string(),
  onDelayMs: z.number(),
  offDelayMs: z.number(),
  state: AlarmStateNameSchema,
  /** The condition as the rule reports it, before on/off delays. */
  raw: z.boolean(),
  rawSince: z.number().nullable(),
  rawValue: TagValueSchema.nullable(),
  /** The condition after on/off delays: what the alarm follows, also while shelved or suppressed. */
  active: z.boolean(),
  activeSince: z.number().nullable(),
  value: TagValueSchema.nullable(),
  ackedAt: z.number().nullable(),
  ackedBy: z.string().nullable(),
  shelved: ShelveInfoSchema.nullable(),
  suppressed: z.boolean(),
  outOfService: OutOfServiceInfoSchema.nullable(),
  chattering: z.boolean(),
});
export type AlarmState = z.infer<typeof AlarmStateSchema>;

export const ALARM_EVENT_TYPES = [
  'activated',
  'cleared',
  'acknowledged',
  'shelved',
  'unshelved',
  'suppressed',
  'unsuppressed',
  'removed_from_service',
  'returned_to_service',
  'commented',
  'chattering_start',
  'chattering_end',
] as const;
export const AlarmEventTypeSchema = z.enum(ALARM_EVENT_TYPES);
export type AlarmEventType = z.infer<typeof AlarmEventTypeSchema>;

/** One alarm journal entry. `annunciated` is false for changes hidden by shelving or suppression. */
export const AlarmEventSchema = z.object({
  type: AlarmEventTypeSchema,
  key: z.string(),
  ruleId: z.string(),
  tag: z.string(),
  from: AlarmStateNameSchema,
  to: AlarmStateNameSchema,
  at: z.number(),
  user: z.string().nullable(),
  comment: z.string().nullable(),
  value: TagValueSchema.nullable(),
  priority: AlarmPrioritySchema,
  message: z.string(),
  annunciated: z.boolean(),
  detail: z.record(z.string(), z.unknown()).optional(),
});
export type AlarmEvent = z.infer<typeof AlarmEventSchema>;

export const FloodEventSchema = z.object({
  type: z.enum(['flood_start', 'flood_end']),
  area: z.string(),
  at: z.number(),
  /** Activations inside the window when the flood started or ended. */
  count: z.number().int(),
  /** Activations counted from the start of the flood (on flood_end). */
  total: z.number().int(),
  windowMs: z.number(),
});
export type FloodEvent = z.infer<typeof FloodEventSchema>;

// Operator requests (HTTP bodies); the user comes from the session, never from the body.
export const AcknowledgeAlarmSchema = z.object({ comment: z.string().trim().max(1000).optional() });
export const ShelveAlarmSchema = z.object({
  until: z.number().int().positive(),
  reason: z.string({ error: 'A reason is required to shelve an alarm' }).trim().min(3).max(500),
});
export const UnshelveAlarmSchema = z.object({ comment: z.string().trim().max(1000).optional() });
export const SetOutOfServiceSchema = z.object({
  outOfService: z.boolean(),
  reason: z.string().trim().min(3).max(500),
});
export const CommentAlarmSchema = z.object({ text: z.string().trim().min(1).max(2000) });
