import { z } from 'zod';
import { CodeSchema, NameSchema, ReasonSchema } from './common.js';
import { WorkflowTransitionSchema } from './workflow.js';

/*
 * Inspections (点检 equipment checks / 巡检 patrols): templates (点检表), checkpoints (巡检点) with
 * signed QR labels, routes (巡检路线), plans that generate tasks, and the execution of a task on a
 * phone (scan, fill, submit — idempotent for offline sync).
 *
 * Routes (all under /api/inspection; "read" = inspection.read, "perform" = inspection.perform,
 * "manage" = inspection.manage; every record is scoped by the plant tree):
 *
 *  Templates
 *   GET    /templates                      read    query TemplateListQuerySchema  → TemplateSchema[]
 *   GET    /templates/:id                  read                                   → TemplateSchema (latest version)
 *   GET    /templates/:id/versions         read                                   → TemplateVersionSchema[]
 *   GET    /templates/:id/versions/:version read                                  → TemplateVersionSchema
 *   POST   /templates                      manage  body CreateTemplateSchema      → TemplateSchema (version 1)
 *   PUT    /templates/:id                  manage  body UpdateTemplateSchema      → TemplateSchema (new version
 *                                                  when name/description/items change; tasks keep theirs)
 *  Checkpoints
 *   GET    /checkpoints                    read    query CheckpointListQuerySchema → CheckpointSchema[]
 *   GET    /checkpoints/:id                read                                   → CheckpointSchema
 *   POST   /checkpoints                    manage  body CreateCheckpointSchema    → CheckpointSchema
 *   PATCH  /checkpoints/:id                manage  body UpdateCheckpointSchema    → CheckpointSchema
 *   POST   /checkpoints/:id/rotate         manage  body RotateTokenSchema         → CheckpointTokenSchema
 *                                                  (tokenVersion + 1: every printed label of it stops working)
 *   GET    /checkpoints/:id/token          manage                                 → CheckpointTokenSchema
 *   GET    /checkpoints/labels.pdf         manage  query LabelsQuerySchema        → application/pdf
 *  Routes (巡检路线)
 *   GET    /routes                         read    query RouteListQuerySchema     → RouteSchema[]
 *   GET    /routes/:id                     read                                   → RouteSchema
 *   POST   /routes                         manage  body CreateRouteSchema         → RouteSchema
 *   PATCH  /routes/:id                     manage  body UpdateRouteSchema         → RouteSchema
 *   DELETE /routes/:id                     manage  body ReasonBodySchema          → { ok: true } (refused while a plan uses it)
 *  Plans
 *   GET    /plans                          read    query PlanListQuerySchema      → PlanSchema[]
 *   GET    /plans/:id                      read                                   → PlanSchema
 *   GET    /plans/:id/preview              read    query PlanPreviewQuerySchema   → PlanPreviewSchema (next occurrences)
 *   POST   /plans/preview                  manage  body PlanDraftPreviewSchema    → PlanPreviewSchema (the same for an
 *                                                  unsaved plan, while its schedule is edited; manage at nodeId)
 *   POST   /plans                          manage  body CreatePlanSchema          → PlanSchema
 *   PATCH  /plans/:id                      manage  body UpdatePlanSchema          → PlanSchema (tasks not yet open
 *                                                  are withdrawn and issued anew; open and finished ones keep theirs)
 *   POST   /generate                       manage                                 → GenerateResultSchema (run the generator now)
 *  Tasks
 *   GET    /my-tasks                       perform query MyTasksQuerySchema       → TaskSchema[] (route order)
 *   GET    /tasks                          read    query TaskListQuerySchema      → TaskPageSchema
 *                                                  (filters include assigneeUserId and shiftId)
 *   GET    /tasks/export.xlsx              read    query TaskListQuerySchema      → XLSX (排查记录)
 *   GET    /tasks/:id                      read                                   → TaskDetailSchema
 *   POST   /tasks/:id/start                perform body StartTaskSchema           → TaskDetailSchema
 *   POST   /tasks/:id/scan                 perform body ScanSchema                → ScanResultSchema
 *                                                  (422 evidence_refused: another checkpoint's / forged / old label)
 *   POST   /tasks/:id/submit               perform body SubmitTaskSchema          → TaskDetailSchema
 *                                                  (same clientSubmissionId again → the stored result;
 *                                                  409 sync_conflict with details.server = TaskDetailSchema)
 *   POST   /tasks/:id/cancel               manage  body ReasonBodySchema          → TaskDetailSchema
 *   POST   /tasks/:id/reassign             manage  body ReassignTaskSchema        → TaskDetailSchema
 *  Registers
 *   GET    /board                          read    query BoardQuerySchema         → BoardSchema
 *
 * Photos are uploaded first to the evidence module (POST /api/evidence?ownerKind=inspection_task&
 * ownerId=<taskId>&clientId=<uuid>); the submit body names them by clientId (string) or id (number).
 * Signatures: the signer types their name; the server stores it with the signed-in user and the
 * server time (no drawn image).
 */

const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Use HH:MM (24-hour)');
const DateOnly = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use YYYY-MM-DD');
const IsoInstant = z.iso.datetime({ offset: true });
const PositiveId = z.number().int().positive();
/** "1,2,3" in a query string → [1, 2, 3] */
const IdList = z
  .string()
  .regex(/^\d+(,\d+)*$/, 'Use a comma-separated list of ids')
  .transform((s) => s.split(',').map(Number));
const ItemKey = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'Use letters, digits, "-", "_" or "." (no spaces)');

export const ReasonBodySchema = z.object({ reason: ReasonSchema });

// ---------------------------------------------------------------- templates (点检表)

export const ITEM_KINDS = ['pass_fail', 'numeric', 'choice', 'text', 'photo', 'signature'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];

const ItemBase = {
  /** stable within a template across versions; answers and hazards refer to it */
  key: ItemKey,
  label: z.string().trim().min(1).max(300),
  hint: z.string().trim().max(1000).default(''),
  required: z.boolean().default(true),
  /** bound equipment tag: its live value is shown beside the manual reading (numeric items) */
  tagId: PositiveId.nullable().default(null),
  /** |manual − live| above this is flagged (live_mismatch); null: not compared */
  tolerance: z.number().nonnegative().nullable().default(null),
};

export const PassFailItemSchema = z.object({ ...ItemBase, kind: z.literal('pass_fail') });
export const NumericItemSchema = z.object({
  ...ItemBase,
  kind: z.literal('numeric'),
  unit: z.string().trim().max(32).default(''),
  /** outside [low, high] is abnormal (a hidden danger is reported); null: no limit on that side */
  low: z.number().nullable().default(null),
  high: z.number().nullable().default(null),
  lowLow: z.number().nullable().default(null),
  highHigh: z.number().nullable().default(null),
  decimals: z.number().int().min(0).max(6).nullable().default(null),
});
export const ChoiceItemSchema = z.object({
  ...ItemBase,
  kind: z.literal('choice'),
  options: z.array(z.string().trim().min(1).max(100)).min(2).max(20),
  /** the options that count as abnormal */
  abnormal: z.array(z.string().trim().min(1).max(100)).default([]),
});
export const TextItemSchema = z.object({ ...ItemBase, kind: z.literal('text') });
export const PhotoItemSchema = z.object({
  ...ItemBase,
  kind: z.literal('photo'),
  minPhotos: z.number().int().min(1).max(10).default(1),
});
/** A typed name; the server keeps who was signed in and when. */
export const SignatureItemSchema = z.object({ ...ItemBase, kind: z.literal('signature') });

export const TemplateItemSchema = z.discriminatedUnion('kind', [
  PassFailItemSchema,
  NumericItemSchema,
  ChoiceItemSchema,
  TextItemSchema,
  PhotoItemSchema,
  SignatureItemSchema,
]);
export type TemplateItem = z.output<typeof TemplateItemSchema>;
export type TemplateItemInput = z.input<typeof TemplateItemSchema>;

const ItemsSchema = z
  .array(TemplateItemSchema)
  .min(1)
  .max(200)
  .superRefine((items, ctx) => {
    const seen = new Set<string>();
    items.forEach((it, i) => {
      if (seen.has(it.key))
        ctx.addIssue({ code: 'custom', message: `Item key "${it.key}" is used twice`, path: [i, 'key'] });
      seen.add(it.key);
      if (it.kind === 'numeric' && it.low !== null && it.high !== null && it.low > it.high) {
        ctx.addIssue({ code: 'custom', message: 'The low limit is above the high limit', path: [i, 'low'] });
      }
      if (it.kind === 'choice') {
        for (const a of it.abnormal) {
          if (!it.options.includes(a)) {
            ctx.addIssue({
              code: 'custom',
              message: `"${a}" is not one of the options`,
              path: [i, 'abnormal'],
            });
          }
        }
      }
    });
  });

export const TemplateSchema = z.object({
  id: z.number().int(),
  code: z.string(),
  name: z.string(),
  description: z.string(),
  /** the plant node the template belongs to (scope) */
  nodeId: z.number().int(),
  /** the latest version */
  version: z.number().int(),
  items: z.array(TemplateItemSchema),
  active: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Template = z.infer<typeof TemplateSchema>;

export const TemplateVersionSchema = z.object({
  templateId: z.number().int(),
  version: z.number().int(),
  name: z.string(),
  description: z.string(),
  items: z.array(TemplateItemSchema),
  createdAt: z.string(),
  createdBy: z.number().int().nullable(),
  reason: z.string().nullable(),
});
export type TemplateVersion = z.infer<typeof TemplateVersionSchema>;

export const TemplateListQuerySchema = z.object({
  nodeId: z.coerce.number().int().positive().optional(),
  active: z.enum(['true', 'false', 'all']).default('true'),
});

export const CreateTemplateSchema = z.object({
  code: CodeSchema,
  name: NameSchema,
  description: z.string().trim().max(2000).default(''),
  nodeId: PositiveId,
  items: ItemsSchema,
});
export const UpdateTemplateSchema = z.object({
  name: NameSchema.optional(),
  description: z.string().trim().max(2000).optional(),
  items: ItemsSchema.optional(),
  active: z.boolean().optional(),
  reason: ReasonSchema,
});

// ---------------------------------------------------------------- checkpoints (巡检点)

export const CheckpointSchema = z.object({
  id: z.number().int(),
  nodeId: z.number().int(),
  code: z.string(),
  name: z.string(),
  description: z.string(),
  lat: z.number().nullable(),
  lng: z.number().nullable(),
  /** GPS radius in metres; a scan farther away is flagged (gps_far) */
  radiusM: z.number().nullable(),
  /** printed labels of an older version are refused */
  tokenVersion: z.number().int(),
  active: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Checkpoint = z.infer<typeof CheckpointSchema>;

const Lat = z.number().min(-90).max(90);
const Lng = z.number().min(-180).max(180);

export const CheckpointListQuerySchema = z.object({
  nodeId: z.coerce.number().int().positive().optional(),
  active: z.enum(['true', 'false', 'all']).default('true'),
});
const CheckpointFields = z.object({
  nodeId: PositiveId,
  code: CodeSchema,
  name: NameSchema,
  description: z.string().trim().max(2000).default(''),
  lat: Lat.nullable().default(null),
  lng: Lng.nullable().default(null),
  radiusM: z.number().positive().max(100_000).nullable().default(null),
});
export const CreateCheckpointSchema = CheckpointFields.refine((c) => (c.lat === null) === (c.lng === null), {
  message: 'Give both latitude and longitude, or neither',
  path: ['lng'],
});
export const UpdateCheckpointSchema = z
  .object({
    nodeId: PositiveId,
    code: CodeSchema,
    name: NameSchema,
    description: z.string().trim().max(2000),
    lat: Lat.nullable(),
    lng: Lng.nullable(),
    radiusM: z.number().positive().max(100_000).nullable(),
    active: z.boolean(),
  })
  .partial()
  .extend({ reason: ReasonSchema });
export const RotateTokenSchema = z.object({ reason: ReasonSchema });
/** The QR payload: AEGIS-CP1.<checkpointId>.<tokenVersion>.<HMAC-SHA256 base64url> */
export const CheckpointTokenSchema = z.object({
  checkpointId: z.number().int(),
  tokenVersion: z.number().int(),
  token: z.string(),
});
export const LabelsQuerySchema = z.object({ ids: IdList });

// ---------------------------------------------------------------- routes (巡检路线)

export const RouteSchema = z.object({
  id: z.number().int(),
  nodeId: z.number().int(),
  code: z.string(),
  name: z.string(),
  description: z.string(),
  /** in walking order */
  checkpointIds: z.array(z.number().int()),
  active: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Route = z.infer<typeof RouteSchema>;
export const RouteListQuerySchema = z.object({ nodeId: z.coerce.number().int().positive().optional() });
const CheckpointIdList = z
  .array(PositiveId)
  .min(1)
  .max(200)
  .refine((ids) => new Set(ids).size === ids.length, 'A checkpoint appears twice on the route');
export const CreateRouteSchema = z.object({
  nodeId: PositiveId,
  code: CodeSchema,
  name: NameSchema,
  description: z.string().trim().max(2000).default(''),
  checkpointIds: CheckpointIdList,
});
export const UpdateRouteSchema = z
  .object({
    code: CodeSchema,
    name: NameSchema,
    description: z.string().trim().max(2000),
    checkpointIds: CheckpointIdList,
    active: z.boolean(),
  })
  .partial()
  .extend({ reason: ReasonSchema });

// ---------------------------------------------------------------- plans

/** When a plan's occurrences fall, in the plant time zone. */
export const ScheduleSchema = z.discriminatedUnion('kind', [
  /** at the start of every shift (org shift definitions); shiftIds empty = every shift */
  z.object({ kind: z.literal('shift'), shiftIds: z.array(PositiveId).default([]) }),
  z.object({ kind: z.literal('daily'), times: z.array(TimeOfDay).min(1).max(24) }),
  /** days: ISO weekdays, 1 = Monday … 7 = Sunday */
  z.object({
    kind: z.literal('weekly'),
    days: z.array(z.number().int().min(1).max(7)).min(1).max(7),
    times: z.array(TimeOfDay).min(1).max(24),
  }),
  /** 5-field cron (minute hour day month weekday), croner syntax */
  z.object({ kind: z.literal('cron'), expression: z.string().trim().min(9).max(120) }),
]);
export type Schedule = z.output<typeof ScheduleSchema>;

export const AssigneeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('user'), userId: PositiveId }),
  z.object({ kind: z.literal('post'), postId: PositiveId }),
  z.object({ kind: z.literal('team'), teamId: PositiveId }),
  /** the team on duty (roster) at the plan's node when the task opens, resolved at generation */
  z.object({ kind: z.literal('shift_on_duty') }),
]);
export type Assignee = z.output<typeof AssigneeSchema>;

/** Relative to the occurrence, in minutes. */
export const WindowSchema = z
  .object({
    /** the task opens this long after (negative: before) the occurrence */
    startOffsetMin: z.number().int().min(-1440).max(1440).default(0),
    /** due = occurrence + dueAfterMin; after it the task is overdue */
    dueAfterMin: z.number().int().min(1).max(10_080),
    /** after due + graceMin it is missed (未检) */
    graceMin: z.number().int().min(0).max(10_080).default(0),
    /** a reminder this long before due (0: none) */
    remindBeforeMin: z.number().int().min(0).max(1440).default(30),
  })
  .refine((w) => w.startOffsetMin < w.dueAfterMin, {
    message: 'The task must open before it is due',
    path: ['dueAfterMin'],
  });
export type TaskWindow = z.output<typeof WindowSchema>;

export const PlanStopSchema = z.object({
  checkpointId: PositiveId,
  /** null: the plan's template */
  templateId: PositiveId.nullable().default(null),
});

export const PlanSchema = z.object({
  id: z.number().int(),
  nodeId: z.number().int(),
  code: z.string(),
  name: z.string(),
  description: z.string(),
  /** the default template of the stops */
  templateId: z.number().int(),
  /** when set, its checkpoints in its order (unless stops are given) */
  routeId: z.number().int().nullable(),
  /** one task per stop and occurrence, in this order */
  stops: z.array(z.object({ checkpointId: z.number().int(), templateId: z.number().int().nullable() })),
  schedule: ScheduleSchema,
  assignee: AssigneeSchema,
  window: z.object({
    startOffsetMin: z.number().int(),
    dueAfterMin: z.number().int(),
    graceMin: z.number().int(),
    remindBeforeMin: z.number().int(),
  }),
  /** a QR scan of the checkpoint is required to submit */
  requireScan: z.boolean(),
  /** without a valid scan: refuse the submission, or accept it with a scan_missing flag */
  onMissingScan: z.enum(['refuse', 'flag']),
  /** an abnormal answer needs at least one photo */
  requirePhotoOnAbnormal: z.boolean(),
  /** 管控措施 the plan carries out (risk register) */
  controlMeasureIds: z.array(z.number().int()),
  active: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Plan = z.infer<typeof PlanSchema>;

export const PlanListQuerySchema = z.object({
  nodeId: z.coerce.number().int().positive().optional(),
  active: z.enum(['true', 'false', 'all']).default('all'),
});
const StopsSchema = z
  .array(PlanStopSchema)
  .max(200)
  .refine(
    (s) => new Set(s.map((x) => x.checkpointId)).size === s.length,
    'A checkpoint appears twice in the plan',
  );
export const CreatePlanSchema = z
  .object({
    nodeId: PositiveId,
    code: CodeSchema,
    name: NameSchema,
    description: z.string().trim().max(2000).default(''),
    templateId: PositiveId,
    routeId: PositiveId.nullable().default(null),
    stops: StopsSchema.default([]),
    schedule: ScheduleSchema,
    assignee: AssigneeSchema,
    window: WindowSchema,
    requireScan: z.boolean().default(true),
    onMissingScan: z.enum(['refuse', 'flag']).default('refuse'),
    requirePhotoOnAbnormal: z.boolean().default(true),
    controlMeasureIds: z.array(PositiveId).max(100).default([]),
    active: z.boolean().default(true),
  })
  .refine((p) => p.routeId !== null || p.stops.length > 0, {
    message: 'Choose a route or at least one checkpoint',
    path: ['stops'],
  });
export const UpdatePlanSchema = z
  .object({
    code: CodeSchema,
    name: NameSchema,
    description: z.string().trim().max(2000),
    templateId: PositiveId,
    routeId: PositiveId.nullable(),
    stops: StopsSchema,
    schedule: ScheduleSchema,
    assignee: AssigneeSchema,
    window: WindowSchema,
    requireScan: z.boolean(),
    onMissingScan: z.enum(['refuse', 'flag']),
    requirePhotoOnAbnormal: z.boolean(),
    controlMeasureIds: z.array(PositiveId).max(100),
    active: z.boolean(),
  })
  .partial()
  .extend({ reason: ReasonSchema });

export const PlanPreviewQuerySchema = z.object({
  from: IsoInstant.optional(),
  hours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 31)
    .default(48),
});
/** An unsaved plan's schedule and window (the plan editor, while it is edited). */
export const PlanDraftPreviewSchema = z.object({
  /** the plan's node: inspection.manage is needed there, as for creating the plan */
  nodeId: PositiveId,
  schedule: ScheduleSchema,
  window: WindowSchema,
  from: IsoInstant.optional(),
  hours: z
    .number()
    .int()
    .min(1)
    .max(24 * 31)
    .default(48),
});
export const PlanPreviewSchema = z.object({
  timezone: z.string(),
  occurrences: z.array(
    z.object({ at: z.string(), opensAt: z.string(), dueAt: z.string(), missedAt: z.string() }),
  ),
});
export const GenerateResultSchema = z.object({
  /** tasks created by this run */
  created: z.number().int(),
  /** occurrences found already generated (another process, an earlier run) */
  existing: z.number().int(),
  /** past occurrences recorded at once as missed (the clock jumped past their window) */
  missed: z.number().int(),
});

// ---------------------------------------------------------------- tasks

export const TASK_STATES = [
  'planned', // generated, window not yet open
  'open', // window open, not started
  'in_progress', // started (or scanned) by someone
  'done',
  'overdue', // past due, within grace
  'done_late',
  'missed', // 未检: past due + grace, result not_checked
  'cancelled',
] as const;
export const TaskStateSchema = z.enum(TASK_STATES);
export type TaskState = z.infer<typeof TaskStateSchema>;

/** ok: all items normal; abnormal: at least one abnormal item; not_checked: missed (未检). */
export const TaskResultSchema = z.enum(['ok', 'abnormal', 'not_checked']);
export type TaskResult = z.infer<typeof TaskResultSchema>;

export const FLAG_CODES = [
  'scan_missing', // submitted without a valid scan (plan flags instead of refusing)
  'scan_refused', // a scan was tried and refused (another checkpoint, forged, old label)
  'gps_far', // scanned farther than the checkpoint's radius
  'gps_missing', // the checkpoint has coordinates but the scan had none
  'live_mismatch', // manual reading differs from the tag's live value by more than the tolerance
  'live_unavailable', // bound tag had no current value
  'photo_flagged', // the evidence module flagged a photo (reuse, capture time…)
  'photo_missing', // abnormal answer without the photo the plan requires (when accepted)
  'late', // submitted after due
] as const;
export const FlagCodeSchema = z.enum(FLAG_CODES);
export const TaskFlagSchema = z.object({
  code: FlagCodeSchema,
  itemKey: z.string().nullable(),
  /** words for people (zh-CN) */
  message: z.string(),
  details: z.record(z.string(), z.unknown()).nullable(),
  at: z.string(),
});
export type TaskFlag = z.infer<typeof TaskFlagSchema>;

export const TaskAssigneeSchema = z.object({
  kind: z.enum(['user', 'post', 'team', 'shift_on_duty']),
  userId: z.number().int().nullable(),
  postId: z.number().int().nullable(),
  teamId: z.number().int().nullable(),
  /** words for people: the person's, post's or team's name (with the shift for shift_on_duty) */
  name: z.string(),
});

export const TaskSchema = z.object({
  id: z.number().int(),
  planId: z.number().int(),
  planCode: z.string(),
  planName: z.string(),
  /** position on the route (0-based) */
  seq: z.number().int(),
  occurrenceAt: z.string(),
  nodeId: z.number().int(),
  nodeName: z.string(),
  checkpointId: z.number().int(),
  checkpointCode: z.string(),
  checkpointName: z.string(),
  templateId: z.number().int(),
  templateVersion: z.number().int(),
  templateName: z.string(),
  /** the org shift the occurrence falls in (board), null when no shifts are defined */
  shiftId: z.number().int().nullable(),
  shiftName: z.string().nullable(),
  assignee: TaskAssigneeSchema,
  state: TaskStateSchema,
  opensAt: z.string(),
  dueAt: z.string(),
  missedAt: z.string(),
  startedAt: z.string().nullable(),
  startedBy: z.number().int().nullable(),
  doneAt: z.string().nullable(),
  doneBy: z.number().int().nullable(),
  doneByName: z.string().nullable(),
  result: TaskResultSchema.nullable(),
  abnormalCount: z.number().int(),
  flags: z.array(TaskFlagSchema),
  requireScan: z.boolean(),
  requirePhotoOnAbnormal: z.boolean(),
  /** a scan of this task's checkpoint was verified */
  scanned: z.boolean(),
  /**
   * Bumped by every change a phone must not overwrite (submitted, reassigned, cancelled, missed);
   * not by time (open, overdue) nor by start/scan. The phone sends the one it started from.
   */
  revision: z.number().int(),
});
export type Task = z.infer<typeof TaskSchema>;

/** What was answered for one item. */
export const ItemResultSchema = z.object({
  key: z.string(),
  /** pass_fail: 'pass' | 'fail'; numeric: number; choice: the option; text/signature: the text */
  value: z.union([z.string(), z.number(), z.boolean()]).nullable(),
  note: z.string(),
  /** evidence ids */
  photoIds: z.array(z.number().int()),
  abnormal: z.boolean(),
  /** words for people: why it is abnormal ("压力 1.9 MPa 高于上限 1.6 MPa") */
  abnormalReason: z.string().nullable(),
  /** the bound tag's value at submission */
  live: z.object({ value: z.number().nullable(), at: z.string().nullable() }).nullable(),
  /** the hidden-danger report raised for it */
  hazardId: z.number().int().nullable(),
  hazardCode: z.string().nullable(),
});
export type ItemResult = z.infer<typeof ItemResultSchema>;

/** A bound tag's current value, shown beside the manual reading. */
export const LiveValueSchema = z.object({
  tagId: z.number().int(),
  tagCode: z.string(),
  tagName: z.string(),
  unit: z.string(),
  value: z.number().nullable(),
  at: z.string().nullable(),
  quality: z.string().nullable(),
});

/** The evidence module's record (see evidence.ts); only the fields the task page needs are fixed. */
export const TaskEvidenceSchema = z.looseObject({
  id: z.number().int(),
  clientId: z.string().nullable(),
});

export const TaskDetailSchema = TaskSchema.extend({
  items: z.array(TemplateItemSchema),
  checkpoint: CheckpointSchema,
  /** itemKey → live value of its bound tag (only bound items) */
  live: z.record(z.string(), LiveValueSchema),
  /** itemKey → answer; empty until submitted */
  results: z.record(z.string(), ItemResultSchema),
  comment: z.string(),
  /** the submission that completed the task (offline dedupe) */
  clientSubmissionId: z.string().nullable(),
  scan: z
    .object({
      at: z.string(),
      by: z.number().int(),
      distanceM: z.number().nullable(),
      lat: z.number().nullable(),
      lng: z.number().nullable(),
    })
    .nullable(),
  evidence: z.array(TaskEvidenceSchema),
  controlMeasureIds: z.array(z.number().int()),
  /** the task's workflow history, oldest first: who/when/why (issued, started, submitted, reassigned, missed…) */
  history: z.array(WorkflowTransitionSchema).default([]),
});
export type TaskDetail = z.infer<typeof TaskDetailSchema>;

export const TaskPageSchema = z.object({ items: z.array(TaskSchema), total: z.number().int() });

export const MyTasksQuerySchema = z.object({
  /** plant-time day; default today */
  date: DateOnly.optional(),
});

export const TaskListQuerySchema = z.object({
  from: DateOnly.optional(),
  to: DateOnly.optional(),
  nodeId: z.coerce.number().int().positive().optional(),
  planId: z.coerce.number().int().positive().optional(),
  checkpointId: z.coerce.number().int().positive().optional(),
  state: z
    .string()
    .transform((s) => s.split(','))
    .pipe(z.array(TaskStateSchema))
    .optional(),
  result: TaskResultSchema.optional(),
  /** only tasks with at least one flag */
  flagged: z.enum(['true', 'false']).optional(),
  /**
   * Tasks assigned to this person by name (assignee kind 'user'). Tasks for a post or team the
   * person belongs to do not count: membership is today's, the task's assignee was fixed when it
   * was issued, so the register would change when someone moves; GET /my-tasks answers "what may
   * I do". Reassigned tasks count for their current assignee.
   */
  assigneeUserId: z.coerce.number().int().positive().optional(),
  /** the org shift the occurrence fell in (a board cell); 'none': tasks outside every shift */
  shiftId: z.union([z.literal('none'), z.coerce.number().int().positive()]).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export const StartTaskSchema = z.object({ baseRevision: z.number().int().optional() });

export const ScanSchema = z.object({
  token: z.string().trim().min(1).max(300),
  scannedAt: IsoInstant.optional(),
  lat: Lat.nullable().optional(),
  lng: Lng.nullable().optional(),
  accuracyM: z.number().nonnegative().nullable().optional(),
});
export const ScanResultSchema = z.object({
  verified: z.literal(true),
  checkpointId: z.number().int(),
  /** metres from the checkpoint, null without coordinates */
  distanceM: z.number().nullable(),
  withinRadius: z.boolean().nullable(),
  flags: z.array(TaskFlagSchema),
  task: TaskSchema,
});

export const AnswerSchema = z.object({
  value: z.union([z.string().max(4000), z.number().finite(), z.boolean()]).nullable(),
  note: z.string().max(2000).default(''),
  /** evidence by client id (uuid string) or by evidence id (number) */
  photos: z
    .array(z.union([z.string().min(1).max(100), z.number().int().positive()]))
    .max(20)
    .default([]),
});
export const SubmitTaskSchema = z.object({
  clientSubmissionId: z.uuid(),
  /** the task revision the inspector started from */
  baseRevision: z.number().int().min(0),
  /** a scan made offline is verified here; online scans were already verified by /scan */
  scan: ScanSchema.nullable().default(null),
  answers: z.record(ItemKey, AnswerSchema),
  comment: z.string().trim().max(4000).default(''),
  /** when the inspector finished, by the phone's clock (kept, not trusted for lateness) */
  completedAt: IsoInstant.optional(),
});
export type SubmitTask = z.input<typeof SubmitTaskSchema>;

export const ReassignTaskSchema = z.object({ assignee: AssigneeSchema, reason: ReasonSchema });

// ---------------------------------------------------------------- board (calendar)

export const BoardQuerySchema = z.object({
  from: DateOnly,
  to: DateOnly,
  nodeId: z.coerce.number().int().positive().optional(),
});
export const BoardCellSchema = z.object({
  /** plant-time day of the occurrence */
  date: z.string(),
  /** the workshop: the task node's ancestor of level 'area' (车间), else the node itself */
  workshopId: z.number().int(),
  workshopName: z.string(),
  shiftId: z.number().int().nullable(),
  shiftName: z.string().nullable(),
  /** all tasks of the cell (every state but cancelled) */
  planned: z.number().int(),
  done: z.number().int(),
  /** overdue now, or done late */
  overdue: z.number().int(),
  missed: z.number().int(),
  abnormal: z.number().int(),
});
export const BoardSchema = z.object({
  from: z.string(),
  to: z.string(),
  timezone: z.string(),
  cells: z.array(BoardCellSchema),
});
export type Board = z.infer<typeof BoardSchema>;
