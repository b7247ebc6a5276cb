import { z } from 'zod';
import { CodeSchema, IdSchema, NameSchema, ReasonSchema } from './common.js';

/**
 * Emergency plans (应急预案) as executable checklists, and drills (演练). A plan belongs to a plant
 * node; activation (by hand, or by an alarm matching one of its triggers) copies its steps into a
 * run whose steps are assigned to people, timed and checked off.
 */
export const EMERGENCY_CONTRACT_VERSION = z.literal(1);

export const EMERGENCY_SCENARIOS = ['gas_leak', 'fire', 'spill', 'injury', 'power_loss', 'other'] as const;
export const EmergencyScenarioSchema = z.enum(EMERGENCY_SCENARIOS);
export type EmergencyScenario = z.infer<typeof EmergencyScenarioSchema>;
export const EMERGENCY_SCENARIO_LABELS: Record<EmergencyScenario, { zh: string; en: string }> = {
  gas_leak: { zh: '气体泄漏', en: 'Gas leak' },
  fire: { zh: '火灾', en: 'Fire' },
  spill: { zh: '泄漏/溢出', en: 'Spill' },
  injury: { zh: '人身伤害', en: 'Injury' },
  power_loss: { zh: '停电', en: 'Power loss' },
  other: { zh: '其他', en: 'Other' },
};

/** 响应级别: I is the gravest (enterprise-wide), IV the lightest (a team). */
export const EMERGENCY_LEVELS = ['I', 'II', 'III', 'IV'] as const;
export const EmergencyLevelSchema = z.enum(EMERGENCY_LEVELS);
export type EmergencyLevel = z.infer<typeof EmergencyLevelSchema>;

/**
 * Who a step is for, resolved to people at activation (the notification recipients' idea):
 * a role held at the plan's node (or above), a post, a team, a person, or the shift on duty there.
 */
export const EmergencyAssigneeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('role'), roleCode: CodeSchema }),
  z.object({ type: z.literal('post'), postId: IdSchema }),
  z.object({ type: z.literal('team'), teamId: IdSchema }),
  z.object({ type: z.literal('user'), userId: IdSchema }),
  /** the leader (班组长) of the team on shift at the plan's node */
  z.object({ type: z.literal('shift_leader') }),
  /** every member of the team on shift */
  z.object({ type: z.literal('shift_team') }),
  /** the on-call person of the current shift */
  z.object({ type: z.literal('on_call') }),
]);
export type EmergencyAssignee = z.infer<typeof EmergencyAssigneeSchema>;

export const EmergencyContactSchema = z.object({
  name: z.string().trim().min(1).max(100),
  role: z.string().trim().max(100).default(''),
  phone: z
    .string()
    .trim()
    .min(3)
    .max(40)
    .regex(/^[0-9+\-() ]+$/, 'A phone number: digits, "+", "-", "(", ")" and spaces'),
});
export type EmergencyContact = z.infer<typeof EmergencyContactSchema>;

export const EmergencyPlanStepSchema = z.object({
  title: z.string().trim().min(1).max(200),
  instructions: z.string().trim().max(4000).default(''),
  assignee: EmergencyAssigneeSchema,
  /** minutes this step may take; its deadline is the start plus the limits of it and all before it */
  timeLimitMin: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  requiresPhoto: z.boolean().default(false),
});
export type EmergencyPlanStep = z.infer<typeof EmergencyPlanStepSchema>;

/** An alarm that starts the plan: activated at or under `nodeId`, at least `minPriority`, optionally one tag pattern or rule. */
export const EmergencyTriggerSchema = z.object({
  kind: z.literal('alarm'),
  nodeId: IdSchema,
  minPriority: z.enum(['high', 'critical']),
  /** a tag code pattern, `*` matching any run of characters (GD-2*); empty: any tag */
  tagPattern: z.string().trim().max(100).default(''),
  /** one alarm rule (its id); null: any rule */
  ruleId: IdSchema.nullable().default(null),
});
export type EmergencyTrigger = z.infer<typeof EmergencyTriggerSchema>;

export const EmergencyPlanInputSchema = z.object({
  code: CodeSchema,
  name: NameSchema,
  nodeId: IdSchema,
  scenario: EmergencyScenarioSchema,
  level: EmergencyLevelSchema,
  description: z.string().trim().max(4000).default(''),
  contacts: z.array(EmergencyContactSchema).max(30).default([]),
  steps: z.array(EmergencyPlanStepSchema).min(1, 'A plan needs at least one step').max(50),
  triggers: z.array(EmergencyTriggerSchema).max(20).default([]),
  active: z.boolean().default(true),
});
export const CreateEmergencyPlanSchema = EmergencyPlanInputSchema.extend({ reason: ReasonSchema.optional() });
export const UpdateEmergencyPlanSchema = EmergencyPlanInputSchema.omit({ code: true }).extend({
  reason: ReasonSchema,
});

const Person = z.object({ id: z.number().int(), name: z.string() });

export const EmergencyPlanSchema = z.object({
  id: z.number().int(),
  code: z.string(),
  name: z.string(),
  nodeId: z.number().int(),
  path: z.string(),
  location: z.string(),
  scenario: EmergencyScenarioSchema,
  level: EmergencyLevelSchema,
  description: z.string(),
  version: z.number().int(),
  contacts: z.array(EmergencyContactSchema),
  steps: z.array(EmergencyPlanStepSchema),
  triggers: z.array(EmergencyTriggerSchema),
  active: z.boolean(),
  updatedAt: z.string(),
  updatedBy: z.string(),
  /** words for each step's assignee (角色：安环专员), in order */
  assigneeLabels: z.array(z.object({ zh: z.string(), en: z.string() })),
  /** the open runs of this plan */
  openRuns: z.array(z.object({ id: z.number().int(), mode: z.enum(['real', 'drill']) })),
});
export type EmergencyPlan = z.infer<typeof EmergencyPlanSchema>;

export const EmergencyPlanListQuerySchema = z.object({
  nodeId: IdSchema.optional(),
  scenario: EmergencyScenarioSchema.optional(),
  active: z.enum(['true', 'false']).optional(),
});

export const EmergencyPlanVersionSchema = z.object({
  version: z.number().int(),
  changedAt: z.string(),
  changedBy: z.string(),
  reason: z.string().nullable(),
  plan: EmergencyPlanInputSchema,
});

export const EMERGENCY_RUN_MODES = ['real', 'drill'] as const;
export const EmergencyRunModeSchema = z.enum(EMERGENCY_RUN_MODES);
export type EmergencyRunMode = z.infer<typeof EmergencyRunModeSchema>;

export const EMERGENCY_RUN_STATES = ['active', 'closed'] as const;
export const EmergencyRunStateSchema = z.enum(EMERGENCY_RUN_STATES);
export type EmergencyRunState = z.infer<typeof EmergencyRunStateSchema>;

export const EMERGENCY_STEP_STATES = ['pending', 'done', 'skipped'] as const;
export const EmergencyStepStateSchema = z.enum(EMERGENCY_STEP_STATES);
export type EmergencyStepState = z.infer<typeof EmergencyStepStateSchema>;

export const ActivateEmergencySchema = z.object({
  mode: EmergencyRunModeSchema,
  reason: ReasonSchema,
});

export const EmergencyStepDoneSchema = z.object({
  note: z.string().trim().max(2000).default(''),
  /** photos uploaded to /api/evidence?ownerKind=emergency_run&ownerId=<run> */
  photoIds: z.array(IdSchema).max(20).default([]),
});
export const EmergencyStepSkipSchema = z.object({ reason: ReasonSchema });
export const CloseEmergencyRunSchema = z.object({
  summary: z.string({ error: 'A summary is required to close the response' }).trim().min(3).max(4000),
});
export const EmergencyStepParamsSchema = z.object({
  id: IdSchema,
  seq: z.coerce.number().int().min(1).max(50),
});

export const EmergencyRunStepSchema = z.object({
  seq: z.number().int(),
  title: z.string(),
  instructions: z.string(),
  assignee: EmergencyAssigneeSchema,
  assigneeLabel: z.object({ zh: z.string(), en: z.string() }),
  /** the people the assignee resolved to at activation */
  assignedTo: z.array(Person),
  timeLimitMin: z.number().int(),
  requiresPhoto: z.boolean(),
  dueAt: z.string(),
  state: EmergencyStepStateSchema,
  doneAt: z.string().nullable(),
  doneBy: Person.nullable(),
  note: z.string(),
  skipReason: z.string().nullable(),
  photoIds: z.array(z.number().int()),
  /** done/skipped after dueAt, or still pending past it */
  late: z.boolean(),
  /** when the overdue notice went out (once) */
  overdueNotifiedAt: z.string().nullable(),
  /** minutes from the start of the run to the check-off */
  takenMin: z.number().nullable(),
  /** may the caller check this step off (or skip it) now */
  canCheck: z.boolean(),
  canSkip: z.boolean(),
});
export type EmergencyRunStep = z.infer<typeof EmergencyRunStepSchema>;

export const EmergencyRunSchema = z.object({
  id: z.number().int(),
  code: z.string(),
  planId: z.number().int(),
  planCode: z.string(),
  planName: z.string(),
  planVersion: z.number().int(),
  scenario: EmergencyScenarioSchema,
  level: EmergencyLevelSchema,
  nodeId: z.number().int(),
  path: z.string(),
  location: z.string(),
  mode: EmergencyRunModeSchema,
  state: EmergencyRunStateSchema,
  startedAt: z.string(),
  startedBy: Person.nullable(),
  /** 'manual' or the alarm that started it */
  trigger: z.union([
    z.object({ kind: z.literal('manual') }),
    z.object({
      kind: z.literal('alarm'),
      alarmKey: z.string(),
      tag: z.string(),
      priority: z.string(),
      message: z.string(),
    }),
  ]),
  reason: z.string().nullable(),
  closedAt: z.string().nullable(),
  closedBy: Person.nullable(),
  summary: z.string().nullable(),
  stepsTotal: z.number().int(),
  stepsDone: z.number().int(),
  stepsLate: z.number().int(),
});
export type EmergencyRun = z.infer<typeof EmergencyRunSchema>;

export const EmergencyRunDetailSchema = EmergencyRunSchema.extend({
  contacts: z.array(EmergencyContactSchema),
  steps: z.array(EmergencyRunStepSchema),
  history: z.array(
    z.object({
      at: z.string(),
      action: z.string(),
      actor: z.string(),
      reason: z.string().nullable(),
    }),
  ),
  canClose: z.boolean(),
});
export type EmergencyRunDetail = z.infer<typeof EmergencyRunDetailSchema>;

export const EmergencyRunListQuerySchema = z.object({
  state: EmergencyRunStateSchema.optional(),
  mode: EmergencyRunModeSchema.optional(),
  planId: IdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export const EmergencyRunPageSchema = z.object({
  total: z.number().int(),
  items: z.array(EmergencyRunSchema),
});

export const EMERGENCY_RUN_MODE_LABELS: Record<EmergencyRunMode, { zh: string; en: string }> = {
  real: { zh: '实战', en: 'Real' },
  drill: { zh: '演练', en: 'Drill' },
};
export const EMERGENCY_STEP_STATE_LABELS: Record<EmergencyStepState, { zh: string; en: string }> = {
  pending: { zh: '待处置', en: 'Pending' },
  done: { zh: '已完成', en: 'Done' },
  skipped: { zh: '已跳过', en: 'Skipped' },
};
