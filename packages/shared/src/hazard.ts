import { z } from 'zod';
import { ReasonSchema } from './common.js';

/*
 * Hidden dangers (隐患排查治理, the second half of 双重预防): report → triage → (重大: plan
 * approval) → rectification with "after" photos → verification by a different person → closed,
 * or reopened. Every transition goes through the workflow core (audited, with who/when/why).
 *
 * Routes (all under /api/hazards; every record is scoped by the plant tree):
 *   GET    /                       hazard.read   query HazardListQuerySchema → HazardPageSchema
 *   GET    /export.xlsx            hazard.read   query HazardListQuerySchema → XLSX (隐患台账)
 *   GET    /counts                 hazard.read   query HazardCountsQuerySchema → HazardCountsSchema
 *   GET    /:id                    hazard.read                                → HazardDetailSchema
 *   POST   /                       hazard.report body CreateHazardSchema       → HazardDetailSchema
 *   POST   /:id/actions/:action    (per action)  body HAZARD_ACTION_BODIES[action] → HazardDetailSchema
 *          409 transition_refused, 403 separation_of_duties, 400 reason_required / validation_failed
 *
 * Photos: POST /api/evidence?ownerKind=hazard&ownerId=<id> (raw body). Photos uploaded before
 * rectification starts are "before" photos; the rectify action names its "after" photos.
 */

// 隐患等级: 一般 general / 重大 major
export const HAZARD_GRADES = ['general', 'major'] as const;
export const HazardGradeSchema = z.enum(HAZARD_GRADES);
export type HazardGrade = z.infer<typeof HazardGradeSchema>;

// 隐患类型: 设备设施 / 作业行为 / 安全管理 / 环境
export const HAZARD_TYPES = ['equipment', 'behavior', 'management', 'environment'] as const;
export const HazardTypeSchema = z.enum(HAZARD_TYPES);
export type HazardType = z.infer<typeof HazardTypeSchema>;

export const HAZARD_SOURCES = ['inspection', 'adhoc', 'alarm'] as const;
export const HazardSourceSchema = z.enum(HAZARD_SOURCES);
export type HazardSource = z.infer<typeof HazardSourceSchema>;

// 治理方式: 即查即改 immediate (fixed on the spot by the reporter) / 限期整改 deadline
export const HAZARD_TREATMENTS = ['immediate', 'deadline'] as const;
export const HazardTreatmentSchema = z.enum(HAZARD_TREATMENTS);
export type HazardTreatment = z.infer<typeof HazardTreatmentSchema>;

/**
 * reported (待评估) → approval (待审批, 重大 only) → rectifying (整改中) → verifying (待验收)
 * → closed (已关闭); rejected (不予立案) ends a report that is not a hazard.
 */
export const HAZARD_STATES = [
  'reported',
  'approval',
  'rectifying',
  'verifying',
  'closed',
  'rejected',
] as const;
export const HazardStateSchema = z.enum(HAZARD_STATES);
export type HazardState = z.infer<typeof HazardStateSchema>;

export const HAZARD_ACTIONS = [
  /** hazard.manage: grade, type, treatment, responsible person… (reported → approval|rectifying|verifying) */
  'triage',
  /** hazard.manage, reason: not a hazard (reported → rejected) */
  'reject',
  /** hazard.approve: the plan of a 重大 hazard (approval → rectifying) */
  'approve',
  /** hazard.approve, reason: the plan goes back to triage (approval → reported) */
  'reject_plan',
  /** hazard.rectify, the responsible person: done, with after photos (rectifying → verifying) */
  'rectify',
  /** hazard.verify, not the rectifier (nor the reporter of an immediate fix) (verifying → closed) */
  'verify',
  /** hazard.verify, reason: not good enough (verifying → rectifying) */
  'reopen',
] as const;
export const HazardActionSchema = z.enum(HAZARD_ACTIONS);
export type HazardAction = z.infer<typeof HazardActionSchema>;

const Text = (max: number) => z.string().trim().max(max);
const IsoInstant = z.iso.datetime({ offset: true });
const Id = z.number().int().positive();

const PersonRefSchema = z.object({ id: z.number().int(), name: z.string() });
export type HazardPersonRef = z.infer<typeof PersonRefSchema>;

export const HazardReadingSchema = z.object({
  value: z.number(),
  unit: z.string(),
  low: z.number().nullable(),
  high: z.number().nullable(),
});

/** One row of the register (list). */
export const HazardSchema = z.object({
  id: z.number().int(),
  /** YH-2026-0001 */
  code: z.string(),
  title: z.string(),
  description: z.string(),
  nodeId: z.number().int(),
  path: z.string(),
  /** node names from the top, e.g. '演示化工厂 / 合成车间 / 反应釜 R-101' */
  location: z.string(),
  /** free words for where exactly (e.g. '东侧楼梯') */
  place: z.string(),
  source: HazardSourceSchema,
  state: HazardStateSchema,
  grade: HazardGradeSchema.nullable(),
  type: HazardTypeSchema.nullable(),
  treatment: HazardTreatmentSchema.nullable(),
  reportedBy: PersonRefSchema,
  reportedAt: z.string(),
  responsible: PersonRefSchema.nullable(),
  department: z.object({ id: z.number().int(), name: z.string() }).nullable(),
  /** rectification deadline (限期整改) */
  deadline: z.string().nullable(),
  /** rectifying past its deadline */
  overdue: z.boolean(),
  closedAt: z.string().nullable(),
  /** inspection origin */
  inspection: z
    .object({
      taskId: z.number().int(),
      itemKey: z.string(),
      itemLabel: z.string(),
      checkpointId: z.number().int().nullable(),
      tagId: z.number().int().nullable(),
      reading: HazardReadingSchema.nullable(),
    })
    .nullable(),
});
export type Hazard = z.infer<typeof HazardSchema>;

export const HazardTransitionSchema = z.object({
  id: z.number().int(),
  action: z.string(),
  fromState: z.string().nullable(),
  toState: z.string(),
  actor: z.object({ id: z.number().int().nullable(), name: z.string() }),
  at: z.string(),
  reason: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});
export type HazardTransition = z.infer<typeof HazardTransitionSchema>;

/** The evidence module's photo (see evidence.ts) with the stage it documents. */
export const HazardPhotoSchema = z.looseObject({
  id: z.number().int(),
  /** before: the problem as found; after: the rectification */
  stage: z.enum(['before', 'after']),
  flags: z.array(z.looseObject({ code: z.string(), message: z.object({ zh: z.string(), en: z.string() }) })),
  review: z.looseObject({ decision: z.string() }).nullable(),
});
export type HazardPhoto = z.infer<typeof HazardPhotoSchema>;

export const HazardDetailSchema = HazardSchema.extend({
  cause: z.string(),
  measures: z.string(),
  /** 整改资金, in yuan */
  funds: z.number().nullable(),
  rectification: z.string(),
  rectifiedBy: PersonRefSchema.nullable(),
  rectifiedAt: z.string().nullable(),
  verifiedBy: PersonRefSchema.nullable(),
  history: z.array(HazardTransitionSchema),
  /** what the caller may do now (buttons) */
  actions: z.array(HazardActionSchema),
  photos: z.array(HazardPhotoSchema),
  timers: z.array(z.object({ key: z.string(), dueAt: z.string() })),
});
export type HazardDetail = z.infer<typeof HazardDetailSchema>;

export const HazardPageSchema = z.object({ items: z.array(HazardSchema), total: z.number().int() });
export type HazardPage = z.infer<typeof HazardPageSchema>;

const Bool = z.enum(['true', 'false']).transform((v) => v === 'true');

export const HazardListQuerySchema = z.object({
  state: z
    .string()
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(HazardStateSchema))
    .optional(),
  grade: HazardGradeSchema.optional(),
  source: HazardSourceSchema.optional(),
  /** the node and its subtree */
  nodeId: z.coerce.number().int().positive().optional(),
  overdue: Bool.optional(),
  /** 重大隐患台账: major hazards not closed (nor rejected) */
  register: Bool.optional(),
  /** open = neither closed nor rejected */
  open: Bool.optional(),
  responsibleId: z.coerce.number().int().positive().optional(),
  /** matches code, title, description, place (literally) */
  q: z.string().trim().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type HazardListQuery = z.input<typeof HazardListQuerySchema>;

export const HazardCountsQuerySchema = z.object({ nodeId: z.coerce.number().int().positive().optional() });
export const HazardCountsSchema = z.object({
  open: z.object({ general: z.number().int(), major: z.number().int(), untriaged: z.number().int() }),
  overdue: z.number().int(),
  closed: z.number().int(),
});
export type HazardCounts = z.infer<typeof HazardCountsSchema>;

export const CreateHazardSchema = z.object({
  nodeId: Id,
  title: Text(200).min(1, '请填写隐患标题'),
  description: Text(4000).default(''),
  place: Text(200).default(''),
  /** 'alarm' when raised from an alarm; inspections use their own path */
  source: z.enum(['adhoc', 'alarm']).default('adhoc'),
  /** photos already uploaded elsewhere (optional; usually uploaded to the new hazard after) */
  photoIds: z.array(Id).max(20).default([]),
});
export type CreateHazard = z.input<typeof CreateHazardSchema>;

export const TriageSchema = z
  .object({
    grade: HazardGradeSchema,
    type: HazardTypeSchema,
    cause: Text(2000).default(''),
    treatment: HazardTreatmentSchema,
    /** 限期整改: required */
    deadline: IsoInstant.nullable().default(null),
    departmentId: Id.nullable().default(null),
    /** the rectifier (must hold hazard.rectify at the node); immediate: default the reporter */
    responsibleId: Id.nullable().default(null),
    measures: Text(4000).default(''),
    funds: z.number().min(0).max(1e12).nullable().default(null),
    note: Text(500).optional(),
  })
  .refine((t) => t.treatment !== 'deadline' || (t.deadline !== null && t.responsibleId !== null), {
    message: '限期整改须指定整改期限和整改责任人',
    path: ['deadline'],
  })
  .refine((t) => !(t.grade === 'major' && t.treatment === 'immediate'), {
    message: '重大隐患不能即查即改，须制定整改方案并经审批',
    path: ['treatment'],
  });
export const RejectSchema = z.object({ reason: ReasonSchema });
export const ApproveSchema = z.object({ note: Text(500).optional() });
export const RejectPlanSchema = z.object({ reason: ReasonSchema });
export const RectifySchema = z.object({
  description: Text(4000).min(1, '请填写整改情况'),
  /** "after" photos uploaded to this hazard */
  photoIds: z.array(Id).min(1, '请上传整改后照片').max(20),
});
export const VerifySchema = z.object({ note: Text(500).optional() });
export const ReopenSchema = z.object({
  reason: ReasonSchema,
  /** a new deadline and/or rectifier (required when the hazard was an immediate fix) */
  deadline: IsoInstant.nullable().default(null),
  responsibleId: Id.nullable().default(null),
});

export const HAZARD_ACTION_BODIES = {
  triage: TriageSchema,
  reject: RejectSchema,
  approve: ApproveSchema,
  reject_plan: RejectPlanSchema,
  rectify: RectifySchema,
  verify: VerifySchema,
  reopen: ReopenSchema,
} as const satisfies Record<HazardAction, z.ZodType>;
export type HazardActionBody<A extends HazardAction> = z.input<(typeof HAZARD_ACTION_BODIES)[A]>;

/** What the inspection module hands over for an abnormal item (idempotent per task and item). */
export const HazardFromInspectionSchema = z.object({
  taskId: z.number().int(),
  itemKey: z.string(),
  itemLabel: z.string(),
  nodeId: z.number().int(),
  path: z.string(),
  tagId: z.number().int().nullable(),
  title: z.string(),
  description: z.string(),
  reading: HazardReadingSchema.nullable(),
  photoIds: z.array(z.number().int()),
  checkpointId: z.number().int(),
});
export type HazardFromInspection = z.infer<typeof HazardFromInspectionSchema>;

export const HAZARD_STATE_LABELS: Record<HazardState, { zh: string; en: string }> = {
  reported: { zh: '待评估', en: 'Reported' },
  approval: { zh: '待审批', en: 'Awaiting approval' },
  rectifying: { zh: '整改中', en: 'Rectifying' },
  verifying: { zh: '待验收', en: 'Awaiting verification' },
  closed: { zh: '已关闭', en: 'Closed' },
  rejected: { zh: '不予立案', en: 'Rejected' },
};
export const HAZARD_GRADE_LABELS: Record<HazardGrade, { zh: string; en: string }> = {
  general: { zh: '一般隐患', en: 'General' },
  major: { zh: '重大隐患', en: 'Major' },
};
export const HAZARD_TYPE_LABELS: Record<HazardType, { zh: string; en: string }> = {
  equipment: { zh: '设备设施', en: 'Equipment and facilities' },
  behavior: { zh: '作业行为', en: 'Work behaviour' },
  management: { zh: '安全管理', en: 'Safety management' },
  environment: { zh: '环境', en: 'Environment' },
};
export const HAZARD_SOURCE_LABELS: Record<HazardSource, { zh: string; en: string }> = {
  inspection: { zh: '点检巡检', en: 'Inspection' },
  adhoc: { zh: '随手拍', en: 'Ad hoc' },
  alarm: { zh: '报警', en: 'Alarm' },
};
export const HAZARD_TREATMENT_LABELS: Record<HazardTreatment, { zh: string; en: string }> = {
  immediate: { zh: '即查即改', en: 'Fixed on the spot' },
  deadline: { zh: '限期整改', en: 'Rectify by a deadline' },
};
