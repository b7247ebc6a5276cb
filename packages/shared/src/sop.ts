import { z } from 'zod';
import { CodeSchema, IdSchema, NameSchema, ReasonSchema } from './common.js';
import { SignatureSchema, SignInputSchema } from './signature.js';

/*
 * Operating procedures (SOP, 操作规程) and lockout/tagout (LOTO, 上锁挂牌) on equipment items.
 *
 * Routes (under /api/sop; every record is scoped by its equipment's place in the plant tree):
 *   GET    /procedures                 sop.read     query SopListQuerySchema   → SopProcedure[]
 *   GET    /procedures/:id             sop.read                                → SopProcedureDetail
 *   POST   /procedures                 sop.manage   body CreateSopSchema       → SopProcedureDetail
 *   PUT    /procedures/:id             sop.manage   body UpdateSopSchema       → SopProcedureDetail (a new version)
 *   GET    /runs                       sop.read     query SopRunListQuerySchema → SopRunSummary[]
 *   GET    /runs/:id                   sop.read                                → SopRun
 *   POST   /runs                       sop.perform  body StartSopRunSchema     → SopRun
 *   POST   /runs/:id/steps/:index/complete  sop.perform  body CompleteStepSchema → SopRun
 *   POST   /runs/:id/steps/:index/rectify   sop.perform  body RectifyStepSchema  → SopRun
 *   POST   /runs/:id/steps/:index/skip      sop.perform  body SkipStepSchema     → SopRun
 *   POST   /runs/:id/finish            sop.perform                             → SopRun
 *   POST   /runs/:id/abort             sop.perform  body { reason }            → SopRun
 *          409 transition_refused names the blocking step ("需先完成第 2 步 …")
 *   GET    /lockouts                   sop.read     query LockoutListQuerySchema → LockoutSummary[]
 *   GET    /lockouts/:id               sop.read                                → Lockout
 *   POST   /lockouts                   lockout.apply body CreateLockoutSchema  → Lockout
 *   POST   /lockouts/:id/points/:pointId/apply    lockout.apply body ApplyLockSchema   → Lockout (signature 'confirm')
 *   POST   /lockouts/:id/points/:pointId/verify   lockout.apply body VerifyLockSchema  → Lockout (signature 'verify', another person)
 *   POST   /lockouts/:id/points/:pointId/release  lockout.apply body ReleaseLockSchema → Lockout (signature 'release')
 *   POST   /lockouts/:id/cancel        lockout.apply body { reason }           → Lockout (draft only)
 *   POST   /api/tags/:id/command       tag.write    body TagCommandSchema      → TagCommandResult
 *          409 locked_out while a lock is applied on the tag's equipment (or the tag is an
 *          isolation point's command tag), unless the value is that point's safe value
 *
 * Photos of photo steps: POST /api/evidence?ownerKind=sop_run&ownerId=<run id>, then the step's
 * complete names them in photoIds.
 */

const Text = (max: number) => z.string().trim().max(max);
const PersonRefSchema = z.object({ id: z.number().int().nullable(), name: z.string() });
export type SopPersonRef = z.infer<typeof PersonRefSchema>;
const EquipmentRefSchema = z.object({ id: z.number().int(), code: z.string(), name: z.string() });

// ---------------------------------------------------------------- procedures

/** confirm: tick it done; reading: a value within limits; photo: at least one photo */
export const SOP_STEP_KINDS = ['confirm', 'reading', 'photo'] as const;
export const SopStepKindSchema = z.enum(SOP_STEP_KINDS);
export type SopStepKind = z.infer<typeof SopStepKindSchema>;
export const SOP_STEP_KIND_LABELS: Record<SopStepKind, { zh: string; en: string }> = {
  confirm: { zh: '确认', en: 'Confirm' },
  reading: { zh: '读数', en: 'Reading' },
  photo: { zh: '拍照', en: 'Photo' },
};

export const SopLimitsSchema = z
  .object({
    lo: z.number().finite().nullable().optional(),
    hi: z.number().finite().nullable().optional(),
    unit: Text(32).default(''),
  })
  .refine((l) => l.lo == null || l.hi == null || l.lo <= l.hi, {
    message: 'The low limit must not be above the high limit',
    path: ['lo'],
  });
export type SopLimits = z.infer<typeof SopLimitsSchema>;

export const SopStepSchema = z
  .object({
    title: z.string().trim().min(1, 'Each step needs a title').max(200),
    instructions: Text(4000).default(''),
    kind: SopStepKindSchema.default('confirm'),
    /** a reading bound to a live tag: the page shows its live value and may take it */
    tagId: z.number().int().positive().nullable().optional(),
    limits: SopLimitsSchema.nullable().optional(),
    /** the previous step must be done (or rectified/skipped) first */
    requiresPrevious: z.boolean().default(true),
  })
  .refine((s) => s.kind === 'reading' || (s.tagId == null && s.limits == null), {
    message: 'Only a reading step has a tag and limits',
    path: ['kind'],
  })
  .refine((s) => s.kind !== 'reading' || (s.limits != null && (s.limits.lo != null || s.limits.hi != null)), {
    message: 'A reading step needs a low or a high limit',
    path: ['limits'],
  });
export type SopStep = z.output<typeof SopStepSchema>;

const SopBodyFields = {
  name: NameSchema,
  description: Text(4000).default(''),
  steps: z.array(SopStepSchema).min(1, 'A procedure needs at least one step').max(100),
};

export const CreateSopSchema = z.object({
  equipmentId: IdSchema,
  code: CodeSchema,
  ...SopBodyFields,
  reason: ReasonSchema.optional(),
});
export type CreateSopInput = z.input<typeof CreateSopSchema>;

/** Every edit is a new version; runs keep the version they were started with. */
export const UpdateSopSchema = z.object({
  ...SopBodyFields,
  active: z.boolean().default(true),
  reason: ReasonSchema,
});
export type UpdateSopInput = z.input<typeof UpdateSopSchema>;

export const SopListQuerySchema = z.object({
  equipmentId: IdSchema.optional(),
  q: Text(100).optional(),
});

export const SopProcedureSchema = z.object({
  id: z.number().int(),
  code: z.string(),
  name: z.string(),
  description: z.string(),
  equipment: EquipmentRefSchema,
  /** the place in words (workshop / area / equipment) */
  location: z.string(),
  version: z.number().int(),
  active: z.boolean(),
  stepCount: z.number().int(),
  updatedAt: z.string(),
  updatedBy: PersonRefSchema,
});
export type SopProcedure = z.infer<typeof SopProcedureSchema>;

export const SopStepViewSchema = z.object({
  title: z.string(),
  instructions: z.string(),
  kind: SopStepKindSchema,
  tagId: z.number().int().nullable(),
  /** `EQUIPMENT.TAG name (unit)` when bound */
  tagLabel: z.string().nullable(),
  limits: z.object({ lo: z.number().nullable(), hi: z.number().nullable(), unit: z.string() }).nullable(),
  requiresPrevious: z.boolean(),
});
export type SopStepView = z.infer<typeof SopStepViewSchema>;

export const SopVersionSchema = z.object({
  version: z.number().int(),
  at: z.string(),
  by: PersonRefSchema,
  reason: z.string().nullable(),
});

export const SopProcedureDetailSchema = SopProcedureSchema.extend({
  steps: z.array(SopStepViewSchema),
  versions: z.array(SopVersionSchema),
});
export type SopProcedureDetail = z.infer<typeof SopProcedureDetailSchema>;

// ---------------------------------------------------------------- runs

export const SOP_RUN_STATES = ['in_progress', 'done', 'aborted'] as const;
export const SopRunStateSchema = z.enum(SOP_RUN_STATES);
export type SopRunState = z.infer<typeof SopRunStateSchema>;
export const SOP_RUN_STATE_LABELS: Record<SopRunState, { zh: string; en: string }> = {
  in_progress: { zh: '执行中', en: 'In progress' },
  done: { zh: '已完成', en: 'Done' },
  aborted: { zh: '已中止', en: 'Aborted' },
};

/** failed: a reading outside its limits — the next step waits until it is rectified */
export const SOP_STEP_STATUSES = ['pending', 'done', 'failed', 'rectified', 'skipped'] as const;
export const SopStepStatusSchema = z.enum(SOP_STEP_STATUSES);
export type SopStepStatus = z.infer<typeof SopStepStatusSchema>;
export const SOP_STEP_STATUS_LABELS: Record<SopStepStatus, { zh: string; en: string }> = {
  pending: { zh: '待执行', en: 'Pending' },
  done: { zh: '已完成', en: 'Done' },
  failed: { zh: '超限', en: 'Out of limits' },
  rectified: { zh: '已整改', en: 'Rectified' },
  skipped: { zh: '已跳过', en: 'Skipped' },
};
/** A step in one of these lets the next step start. */
export const SOP_STEP_SETTLED: readonly SopStepStatus[] = ['done', 'rectified', 'skipped'];

export const StartSopRunSchema = z.object({ sopId: IdSchema });

export const CompleteStepSchema = z.object({
  /** a reading step: the value read; omitted with a bound tag → its current live value is taken */
  value: z.number().finite().optional(),
  note: Text(2000).default(''),
  /** a photo step: photos uploaded to this run (ownerKind sop_run) */
  photoIds: z.array(z.number().int().positive()).max(20).default([]),
});
export type CompleteStepInput = z.input<typeof CompleteStepSchema>;

export const RectifyStepSchema = z.object({
  note: z.string().trim().min(3, 'Say what was done to correct it (at least 3 characters)').max(2000),
  /** the new reading, within the limits */
  value: z.number().finite(),
});
export type RectifyStepInput = z.input<typeof RectifyStepSchema>;

export const SkipStepSchema = z.object({ reason: ReasonSchema });
export const AbortRunSchema = z.object({ reason: ReasonSchema });

export const RunStepIndexParamsSchema = z.object({
  id: IdSchema,
  index: z.coerce.number().int().min(1).max(100),
});

export const SopRunStepSchema = SopStepViewSchema.extend({
  /** 1-based */
  index: z.number().int(),
  status: SopStepStatusSchema,
  value: z.number().nullable(),
  /** 'live' when the value was taken from the bound tag */
  valueSource: z.enum(['manual', 'live']).nullable(),
  note: z.string(),
  photoIds: z.array(z.number().int()),
  doneBy: PersonRefSchema.nullable(),
  doneAt: z.string().nullable(),
  rectification: z
    .object({ note: z.string(), value: z.number(), by: PersonRefSchema, at: z.string() })
    .nullable(),
  skipReason: z.string().nullable(),
  /** why the step cannot be taken now, in words (null: it can) */
  blockedBy: z.object({ index: z.number().int(), title: z.string() }).nullable(),
});
export type SopRunStep = z.infer<typeof SopRunStepSchema>;

export const SopRunSummarySchema = z.object({
  id: z.number().int(),
  sopId: z.number().int(),
  sopCode: z.string(),
  sopName: z.string(),
  sopVersion: z.number().int(),
  equipment: EquipmentRefSchema,
  state: SopRunStateSchema,
  startedBy: PersonRefSchema,
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  stepsDone: z.number().int(),
  stepCount: z.number().int(),
  failedSteps: z.number().int(),
  skippedSteps: z.number().int(),
});
export type SopRunSummary = z.infer<typeof SopRunSummarySchema>;

export const SopRunSchema = SopRunSummarySchema.extend({
  abortReason: z.string().nullable(),
  steps: z.array(SopRunStepSchema),
  /** the step to do next (1-based), null when none is open */
  currentIndex: z.number().int().nullable(),
});
export type SopRun = z.infer<typeof SopRunSchema>;

export const SopRunListQuerySchema = z.object({
  sopId: IdSchema.optional(),
  equipmentId: IdSchema.optional(),
  state: SopRunStateSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

// ---------------------------------------------------------------- lockout

export const ISOLATION_KINDS = [
  'electrical',
  'mechanical',
  'pressure',
  'chemical',
  'thermal',
  'other',
] as const;
export const IsolationKindSchema = z.enum(ISOLATION_KINDS);
export type IsolationKind = z.infer<typeof IsolationKindSchema>;
export const ISOLATION_KIND_LABELS: Record<IsolationKind, { zh: string; en: string }> = {
  electrical: { zh: '电气', en: 'Electrical' },
  mechanical: { zh: '机械', en: 'Mechanical' },
  pressure: { zh: '压力', en: 'Pressure' },
  chemical: { zh: '化学', en: 'Chemical' },
  thermal: { zh: '热能', en: 'Thermal' },
  other: { zh: '其他', en: 'Other' },
};

/** draft → applying (a lock on) → locked (all applied and verified) → releasing → released; a draft may be cancelled */
export const LOCKOUT_STATES = ['draft', 'applying', 'locked', 'releasing', 'released', 'cancelled'] as const;
export const LockoutStateSchema = z.enum(LOCKOUT_STATES);
export type LockoutState = z.infer<typeof LockoutStateSchema>;
export const LOCKOUT_STATE_LABELS: Record<LockoutState, { zh: string; en: string }> = {
  draft: { zh: '待上锁', en: 'Draft' },
  applying: { zh: '上锁中', en: 'Applying' },
  locked: { zh: '已上锁', en: 'Locked' },
  releasing: { zh: '解锁中', en: 'Releasing' },
  released: { zh: '已解除', en: 'Released' },
  cancelled: { zh: '已取消', en: 'Cancelled' },
};

const SafeValueSchema = z.union([z.number().finite(), z.boolean(), z.string().max(200)]);

export const IsolationPointInputSchema = z
  .object({
    name: z.string().trim().min(1, 'Name the isolation point (e.g. MCC 开关)').max(200),
    kind: IsolationKindSchema,
    /** a writable tag whose write would energise or start the equipment */
    commandTagId: z.number().int().positive().nullable().optional(),
    /** the value that keeps it off (e.g. 0 or false): writes of it still pass */
    safeValue: SafeValueSchema.nullable().optional(),
  })
  .refine((p) => p.safeValue == null || p.commandTagId != null, {
    message: 'A safe value belongs to a command tag',
    path: ['safeValue'],
  });

export const CreateLockoutSchema = z.object({
  equipmentId: IdSchema,
  reason: z.string().trim().min(3, 'Say why the equipment is locked out').max(1000),
  points: z.array(IsolationPointInputSchema).min(1, 'List at least one isolation point').max(50),
});
export type CreateLockoutInput = z.input<typeof CreateLockoutSchema>;

export const ApplyLockSchema = z.object({
  lockNo: z.string().trim().min(1, 'The number on the lock').max(64),
  tagNo: Text(64).default(''),
  signature: SignInputSchema,
});
export const VerifyLockSchema = z.object({
  /** the try-start check (验证): what was tried and seen */
  note: Text(1000).default(''),
  signature: SignInputSchema,
});
export const ReleaseLockSchema = z.object({
  /** needed when someone other than the person who applied the lock releases it */
  reason: ReasonSchema.optional(),
  signature: SignInputSchema,
});
export const CancelLockoutSchema = z.object({ reason: ReasonSchema });

export const LockoutPointParamsSchema = z.object({ id: IdSchema, pointId: IdSchema });

export const LOCK_STATUSES = ['open', 'applied', 'verified', 'released'] as const;
export const LockStatusSchema = z.enum(LOCK_STATUSES);
export type LockStatus = z.infer<typeof LockStatusSchema>;
export const LOCK_STATUS_LABELS: Record<LockStatus, { zh: string; en: string }> = {
  open: { zh: '未上锁', en: 'Not locked' },
  applied: { zh: '已上锁待验证', en: 'Applied, to verify' },
  verified: { zh: '已验证', en: 'Verified' },
  released: { zh: '已解锁', en: 'Released' },
};

export const IsolationPointSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  kind: IsolationKindSchema,
  commandTagId: z.number().int().nullable(),
  commandTagLabel: z.string().nullable(),
  safeValue: SafeValueSchema.nullable(),
  status: LockStatusSchema,
  lockNo: z.string().nullable(),
  tagNo: z.string().nullable(),
  appliedBy: PersonRefSchema.nullable(),
  appliedAt: z.string().nullable(),
  verifiedBy: PersonRefSchema.nullable(),
  verifiedAt: z.string().nullable(),
  verifyNote: z.string().nullable(),
  releasedBy: PersonRefSchema.nullable(),
  releasedAt: z.string().nullable(),
  releaseReason: z.string().nullable(),
});
export type IsolationPoint = z.infer<typeof IsolationPointSchema>;

export const LockoutSummarySchema = z.object({
  id: z.number().int(),
  code: z.string(),
  equipment: EquipmentRefSchema,
  location: z.string(),
  reason: z.string(),
  state: LockoutStateSchema,
  /** a lock is on: the equipment cannot be started */
  active: z.boolean(),
  pointCount: z.number().int(),
  locksApplied: z.number().int(),
  createdBy: PersonRefSchema,
  createdAt: z.string(),
  releasedAt: z.string().nullable(),
});
export type LockoutSummary = z.infer<typeof LockoutSummarySchema>;

export const LockoutSchema = LockoutSummarySchema.extend({
  points: z.array(IsolationPointSchema),
  /** the equipment's status before the first lock, given back at the last release */
  previousStatus: z.string().nullable(),
  cancelReason: z.string().nullable(),
  signatures: z.array(SignatureSchema),
});
export type Lockout = z.infer<typeof LockoutSchema>;

export const LockoutListQuerySchema = z.object({
  equipmentId: IdSchema.optional(),
  state: LockoutStateSchema.optional(),
  /** only lockouts with a lock on */
  active: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

// ---------------------------------------------------------------- operator command

export const TagCommandSchema = z.object({
  value: z.union([z.number().finite(), z.boolean(), z.string().max(200)]),
  reason: ReasonSchema,
});
export type TagCommandInput = z.input<typeof TagCommandSchema>;

export const TagCommandResultSchema = z.object({
  tagId: z.number().int(),
  value: z.union([z.number(), z.boolean(), z.string()]),
  status: z.enum(['confirmed', 'unconfirmed', 'failed']),
  detail: z.string(),
});
export type TagCommandResult = z.infer<typeof TagCommandResultSchema>;
