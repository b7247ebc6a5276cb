import { z } from 'zod';
import { CodeSchema, IdSchema, NameSchema, ReasonSchema } from './common.js';
import { HazardTypeSchema } from './hazard.js';
import { PermitTypeSchema } from './permit.js';

/** Training matrix per post, training records, needs derived from what happened (issue 10). */
export const TRAINING_CONTRACT_VERSION = z.literal(1);

const DateOnly = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use YYYY-MM-DD');
type Words = { zh: string; en: string };

// --- courses (培训课程) ---

export const COURSE_KINDS = [
  'induction',
  'special_operation',
  'hazardous_work',
  'post_procedure',
  'inspection',
  'emergency_drill',
  'other',
] as const;
export const CourseKindSchema = z.enum(COURSE_KINDS);
export type CourseKind = z.infer<typeof CourseKindSchema>;
export const COURSE_KIND_LABELS: Record<CourseKind, Words> = {
  induction: { zh: '三级安全教育', en: 'Three-level safety induction' },
  special_operation: { zh: '特种作业操作证', en: 'Special operation certificate' },
  hazardous_work: { zh: '特殊作业安全培训', en: 'Hazardous work safety training' },
  post_procedure: { zh: '岗位操作规程', en: 'Post operating procedures' },
  inspection: { zh: '巡检培训', en: 'Inspection training' },
  emergency_drill: { zh: '应急演练', en: 'Emergency drill' },
  other: { zh: '其他', en: 'Other' },
};

const CourseFields = {
  code: CodeSchema,
  nameZh: NameSchema,
  nameEn: NameSchema,
  kind: CourseKindSchema,
  /** Months a completion stays valid; null: it never expires. */
  validityMonths: z.number().int().min(1).max(600).nullable(),
  /** An external certificate number is required on records (特种作业操作证). */
  certificateRequired: z.boolean().default(false),
  description: z.string().trim().max(4000).default(''),
  /** Permit types this course prepares for: a refusal of such a permit suggests it. */
  permitTypes: z.array(PermitTypeSchema).max(20).default([]),
  /** Procedures (sop ids) this course teaches: skipped steps of them suggest it. */
  sopIds: z.array(IdSchema).max(200).default([]),
  /** Inspection plans this course prepares for (empty with kind inspection: any plan). */
  inspectionPlanIds: z.array(IdSchema).max(200).default([]),
  /** Hazard types this course addresses (e.g. behavior: 违章). */
  hazardTypes: z.array(HazardTypeSchema).max(4).default([]),
  active: z.boolean().default(true),
};
export const CreateCourseSchema = z.object({ ...CourseFields, reason: ReasonSchema });
export const UpdateCourseSchema = z.object({ ...CourseFields, reason: ReasonSchema });
export type CreateCourse = z.input<typeof CreateCourseSchema>;

export const CourseSchema = z.object({
  id: z.number().int(),
  code: z.string(),
  nameZh: z.string(),
  nameEn: z.string(),
  kind: CourseKindSchema,
  validityMonths: z.number().int().nullable(),
  certificateRequired: z.boolean(),
  description: z.string(),
  permitTypes: z.array(PermitTypeSchema),
  sopIds: z.array(z.number().int()),
  inspectionPlanIds: z.array(z.number().int()),
  hazardTypes: z.array(HazardTypeSchema),
  active: z.boolean(),
  version: z.number().int(),
  updatedAt: z.string(),
  updatedByName: z.string(),
});
export type Course = z.infer<typeof CourseSchema>;
export const CourseListSchema = z.object({ items: z.array(CourseSchema) });
export const CourseVersionSchema = z.object({
  version: z.number().int(),
  at: z.string(),
  byName: z.string(),
  reason: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});
export const CourseHistorySchema = z.object({ items: z.array(CourseVersionSchema) });

// --- the matrix (岗位培训矩阵): post × course ---

export const REQUIREMENT_LEVELS = ['required', 'recommended'] as const;
export const RequirementLevelSchema = z.enum(REQUIREMENT_LEVELS);
export type RequirementLevel = z.infer<typeof RequirementLevelSchema>;

export const SetRequirementSchema = z.object({
  postId: IdSchema,
  courseId: IdSchema,
  /** null removes the course from the post. */
  level: RequirementLevelSchema.nullable(),
  reason: ReasonSchema,
});
export const RequirementSchema = z.object({
  postId: z.number().int(),
  postName: z.string(),
  courseId: z.number().int(),
  courseCode: z.string(),
  courseName: z.string(),
  level: RequirementLevelSchema,
});
export const RequirementListSchema = z.object({ items: z.array(RequirementSchema) });

/** Where a person stands with one course. */
export const CELL_STATUSES = ['valid', 'expiring', 'expired', 'missing', 'planned'] as const;
export const CellStatusSchema = z.enum(CELL_STATUSES);
export type CellStatus = z.infer<typeof CellStatusSchema>;
export const CELL_STATUS_LABELS: Record<CellStatus, Words> = {
  valid: { zh: '有效', en: 'Valid' },
  expiring: { zh: '即将到期', en: 'Expiring' },
  expired: { zh: '已过期', en: 'Expired' },
  missing: { zh: '缺失', en: 'Missing' },
  planned: { zh: '已计划', en: 'Planned' },
};
/** A completion expiring within this many days counts as expiring (and is reminded). */
export const EXPIRING_WITHIN_DAYS = 30;

export const MatrixQuerySchema = z.object({
  postId: IdSchema.optional(),
  /** Only people placed under this plant node. */
  nodeId: IdSchema.optional(),
});
export const MatrixCellSchema = z.object({
  courseId: z.number().int(),
  status: CellStatusSchema,
  /** The record the status comes from (the latest completion), if any. */
  recordId: z.number().int().nullable(),
  completedOn: z.string().nullable(),
  expiresOn: z.string().nullable(),
  /** Days to expiry (negative: days since). */
  daysLeft: z.number().int().nullable(),
});
export const MatrixPersonSchema = z.object({
  userId: z.number().int(),
  name: z.string(),
  employeeNo: z.string().nullable(),
  teamName: z.string().nullable(),
  cells: z.array(MatrixCellSchema),
});
export const MatrixPostSchema = z.object({
  postId: z.number().int(),
  postName: z.string(),
  courses: z.array(
    z.object({
      courseId: z.number().int(),
      code: z.string(),
      nameZh: z.string(),
      nameEn: z.string(),
      level: RequirementLevelSchema,
      validityMonths: z.number().int().nullable(),
    }),
  ),
  people: z.array(MatrixPersonSchema),
  counts: z.record(CellStatusSchema, z.number().int()),
});
export const MatrixSchema = z.object({ today: z.string(), posts: z.array(MatrixPostSchema) });
export type TrainingMatrix = z.infer<typeof MatrixSchema>;

// --- records (培训记录) ---

export const RECORD_STATUSES = ['completed', 'planned'] as const;
export const RecordStatusSchema = z.enum(RECORD_STATUSES);

const RecordFields = {
  userId: IdSchema,
  courseId: IdSchema,
  status: RecordStatusSchema.default('completed'),
  /** Required for a completion; null for a planned training. */
  completedOn: DateOnly.nullable().default(null),
  /** Default: completedOn + the course's validity. */
  expiresOn: DateOnly.nullable().optional(),
  /** For a planned training: when it should take place. */
  plannedOn: DateOnly.nullable().default(null),
  score: z.number().min(0).max(1000).nullable().default(null),
  passed: z.boolean().nullable().default(null),
  certificateNo: z.string().trim().max(100).default(''),
  trainer: z.string().trim().max(200).default(''),
  note: z.string().trim().max(2000).default(''),
};
export const CreateRecordSchema = z.object({ ...RecordFields, reason: ReasonSchema });
export const UpdateRecordSchema = z.object({ ...RecordFields, reason: ReasonSchema });
export type CreateRecord = z.input<typeof CreateRecordSchema>;

export const TrainingRecordSchema = z.object({
  id: z.number().int(),
  userId: z.number().int(),
  userName: z.string(),
  username: z.string(),
  employeeNo: z.string().nullable(),
  postName: z.string().nullable(),
  courseId: z.number().int(),
  courseCode: z.string(),
  courseName: z.string(),
  status: RecordStatusSchema,
  completedOn: z.string().nullable(),
  expiresOn: z.string().nullable(),
  plannedOn: z.string().nullable(),
  score: z.number().nullable(),
  passed: z.boolean().nullable(),
  certificateNo: z.string(),
  trainer: z.string(),
  note: z.string(),
  /** Where the planned training came from (a need's key), if any. */
  needKey: z.string().nullable(),
  /** valid / expiring / expired for a completion, planned for a plan. */
  standing: CellStatusSchema,
  updatedAt: z.string(),
});
export type TrainingRecord = z.infer<typeof TrainingRecordSchema>;
export const RecordListQuerySchema = z.object({
  userId: IdSchema.optional(),
  courseId: IdSchema.optional(),
  status: RecordStatusSchema.optional(),
  standing: CellStatusSchema.optional(),
  q: z.string().trim().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(200),
  offset: z.coerce.number().int().min(0).default(0),
});
export const RecordPageSchema = z.object({ items: z.array(TrainingRecordSchema), total: z.number().int() });
export const RecordExportQuerySchema = RecordListQuerySchema.omit({ limit: true, offset: true }).extend({
  format: z.enum(['csv', 'xlsx']).default('xlsx'),
});

/** The columns of the import/export file (the export re-imports). */
export const RECORD_COLUMNS = [
  'username',
  'employeeNo',
  'name',
  'course',
  'status',
  'completedOn',
  'expiresOn',
  'plannedOn',
  'score',
  'passed',
  'certificateNo',
  'trainer',
  'note',
] as const;
export const RecordImportSchema = z.object({
  format: z.enum(['csv', 'xlsx']),
  /** The file, base64-encoded (at most ~10 MB). */
  content: z.string().min(1).max(14_000_000),
  dryRun: z.boolean().default(false),
  reason: ReasonSchema,
});
export const RecordImportResultSchema = z.object({
  dryRun: z.boolean(),
  rows: z.number().int(),
  created: z.number().int(),
  errors: z.array(z.object({ row: z.number().int(), field: z.string().optional(), message: z.string() })),
});

export const DeleteRecordSchema = z.object({ reason: ReasonSchema });

// --- needs (培训需求) derived from what happened ---

export const NEED_REASONS = [
  'missing',
  'expired',
  'expiring',
  'sop_skips',
  'missed_inspections',
  'permit_rejections',
  'behaviour_hazards',
] as const;
export const NeedReasonSchema = z.enum(NEED_REASONS);
export type NeedReason = z.infer<typeof NeedReasonSchema>;
export const NEED_REASON_LABELS: Record<NeedReason, Words> = {
  missing: { zh: '岗位必修课程缺失', en: 'Required course missing' },
  expired: { zh: '培训资格已过期', en: 'Training expired' },
  expiring: { zh: '培训资格即将到期', en: 'Training expiring' },
  sop_skips: { zh: '操作规程步骤跳过', en: 'Skipped procedure steps' },
  missed_inspections: { zh: '巡检漏检', en: 'Missed inspections' },
  permit_rejections: { zh: '作业票审批被驳回', en: 'Permits refused at approval' },
  behaviour_hazards: { zh: '行为类隐患（违章）', en: 'Behaviour hazards (violations)' },
};

export const EVIDENCE_KINDS = ['record', 'sop_run', 'inspection_task', 'permit', 'hazard'] as const;
export const NeedEvidenceSchema = z.object({
  kind: z.enum(EVIDENCE_KINDS),
  id: z.number().int(),
  at: z.string(),
  /** Words for people: what happened (e.g. "SOP-01 第 3 步跳过：原因…"). */
  label: z.string(),
  /** The web page of the record. */
  link: z.string(),
});
export type NeedEvidence = z.infer<typeof NeedEvidenceSchema>;

export const TrainingNeedSchema = z.object({
  /** Stable: reason + subject + course (a planned training remembers it). */
  key: z.string(),
  reason: NeedReasonSchema,
  subject: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('person'),
      userId: z.number().int(),
      name: z.string(),
      postName: z.string().nullable(),
    }),
    z.object({ kind: z.literal('department'), departmentId: z.number().int(), name: z.string() }),
  ]),
  /** The suggested course; null when no course covers it (the text says what to create). */
  course: z
    .object({ id: z.number().int(), code: z.string(), nameZh: z.string(), nameEn: z.string() })
    .nullable(),
  /** Higher first: the weight of the evidence (see needs-rules.ts). */
  score: z.number(),
  summary: z.object({ zh: z.string(), en: z.string() }),
  evidence: z.array(NeedEvidenceSchema),
  /** A planned training already exists for it. */
  plannedRecordId: z.number().int().nullable(),
});
export type TrainingNeed = z.infer<typeof TrainingNeedSchema>;
export const NeedsQuerySchema = z.object({
  /** Look back this many days for events (default 90). */
  days: z.coerce.number().int().min(1).max(730).default(90),
  userId: IdSchema.optional(),
  reason: NeedReasonSchema.optional(),
  format: z.enum(['json', 'csv', 'xlsx']).default('json'),
});
export const NeedListSchema = z.object({
  from: z.string(),
  to: z.string(),
  items: z.array(TrainingNeedSchema),
});
export const PlanNeedSchema = z.object({
  key: z.string().min(1).max(300),
  plannedOn: DateOnly,
  trainer: z.string().trim().max(200).default(''),
  reason: ReasonSchema,
});

/** The caller's own training: what the phone shows as "my training". */
export const MyTrainingSchema = z.object({
  today: z.string(),
  required: z.array(
    z.object({
      courseId: z.number().int(),
      code: z.string(),
      nameZh: z.string(),
      nameEn: z.string(),
      level: RequirementLevelSchema,
      status: CellStatusSchema,
      expiresOn: z.string().nullable(),
      daysLeft: z.number().int().nullable(),
    }),
  ),
  records: z.array(TrainingRecordSchema),
});
