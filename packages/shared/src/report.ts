import { z } from 'zod';
import { IdSchema, NameSchema, ReasonSchema } from './common.js';

/**
 * Compliance reports (合规报表) as PDF and XLSX: generated on demand (a run with progress) or on a
 * schedule (cron in the plant's time zone, e-mailed through the notification service), each file
 * archived with its parameters and SHA-256, and every generation and download audited.
 */
export const REPORT_CONTRACT_VERSION = z.literal(1);

export const REPORT_KINDS = [
  'shift_daily',
  'weekly_safety',
  'monthly_alarm',
  'inspection_register',
  'hazard_register',
  'permit_register',
  'audit_extract',
] as const;
export const ReportKindSchema = z.enum(REPORT_KINDS);
export type ReportKind = z.infer<typeof ReportKindSchema>;

export const REPORT_KIND_LABELS: Record<ReportKind, { zh: string; en: string }> = {
  shift_daily: { zh: '交接班日报', en: 'Daily shift report' },
  weekly_safety: { zh: '安全周报', en: 'Weekly safety report' },
  monthly_alarm: { zh: '月度报警绩效报告', en: 'Monthly alarm-performance report' },
  inspection_register: { zh: '点检记录台账', en: 'Inspection register' },
  hazard_register: { zh: '隐患台账', en: 'Hazard register' },
  permit_register: { zh: '作业票台账', en: 'Permit register' },
  audit_extract: { zh: '审计记录摘录', en: 'Audit-trail extract' },
};

/** The longest period one report covers. */
export const REPORT_MAX_DAYS = 366;

const DateOnly = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date YYYY-MM-DD');

/**
 * What a report covers: a plant node (null = the whole enterprise) and plant-time calendar days,
 * both inclusive. The daily shift report covers one day (`from`), all its shifts or `shiftId` only;
 * the weekly report usually 7 days, the monthly one a calendar month.
 */
export const ReportParamsSchema = z.object({
  nodeId: IdSchema.nullable().default(null),
  from: DateOnly,
  to: DateOnly,
  /** shift_daily: one shift of the day (org shift definitions); absent = every shift of that day */
  shiftId: IdSchema.optional(),
});
export type ReportParams = z.infer<typeof ReportParamsSchema>;
export type ReportParamsIn = z.input<typeof ReportParamsSchema>;

export const GenerateReportSchema = z.object({
  kind: ReportKindSchema,
  params: ReportParamsSchema,
});

export const REPORT_RUN_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export const ReportRunStatusSchema = z.enum(REPORT_RUN_STATUSES);
export type ReportRunStatus = z.infer<typeof ReportRunStatusSchema>;
export const REPORT_RUN_STATUS_LABELS: Record<ReportRunStatus, { zh: string; en: string }> = {
  queued: { zh: '排队中', en: 'Queued' },
  running: { zh: '生成中', en: 'Running' },
  done: { zh: '已完成', en: 'Done' },
  failed: { zh: '失败', en: 'Failed' },
};

export const REPORT_FORMATS = ['pdf', 'xlsx'] as const;
export const ReportFormatSchema = z.enum(REPORT_FORMATS);
export type ReportFormat = z.infer<typeof ReportFormatSchema>;

export const ReportFileSchema = z.object({
  format: ReportFormatSchema,
  /** the download name, e.g. 安全周报_化工车间_2026-02-23_2026-03-01.pdf */
  name: z.string(),
  sha256: z.string(),
  size: z.number().int(),
});
export type ReportFile = z.infer<typeof ReportFileSchema>;

export const ReportRunSchema = z.object({
  id: z.number().int(),
  kind: ReportKindSchema,
  params: ReportParamsSchema,
  /** the report's title in words: kind, place and period */
  title: z.string(),
  nodeName: z.string().nullable(),
  status: ReportRunStatusSchema,
  /** 0–100 */
  progress: z.number().int(),
  error: z.string().nullable(),
  files: z.array(ReportFileSchema),
  requestedBy: z.object({ id: z.number().int(), name: z.string() }).nullable(),
  scheduleId: z.number().int().nullable(),
  /** the schedule's occurrence (ISO instant) this run stands for */
  occurrence: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type ReportRun = z.infer<typeof ReportRunSchema>;

export const ReportRunListQuerySchema = z.object({
  kind: ReportKindSchema.optional(),
  status: ReportRunStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const ReportDownloadParamsSchema = z.object({ id: IdSchema, format: ReportFormatSchema });

// ------------------------------------------------------------------ schedules (定时报表)

/** The period a scheduled report covers, relative to when it fires (plant time). */
export const REPORT_PERIODS = ['yesterday', 'last_week', 'last_month'] as const;
export const ReportPeriodSchema = z.enum(REPORT_PERIODS);
export type ReportPeriod = z.infer<typeof ReportPeriodSchema>;
export const REPORT_PERIOD_LABELS: Record<ReportPeriod, { zh: string; en: string }> = {
  yesterday: { zh: '昨天（各班次）', en: 'Yesterday (each shift)' },
  last_week: { zh: '上周（周一至周日）', en: 'Last week (Monday to Sunday)' },
  last_month: { zh: '上月', en: 'Last month' },
};

/** Who gets a scheduled report: named people, and holders of roles at the schedule's node. */
export const ReportRecipientsSchema = z.object({
  userIds: z.array(IdSchema).max(100).default([]),
  roleIds: z.array(IdSchema).max(20).default([]),
});
export type ReportRecipients = z.infer<typeof ReportRecipientsSchema>;

export const ReportScheduleInputSchema = z.object({
  name: NameSchema,
  kind: ReportKindSchema,
  nodeId: IdSchema.nullable().default(null),
  period: ReportPeriodSchema,
  /** five-field cron in the plant's time zone, e.g. "0 8 * * 1" = every Monday 08:00 */
  cron: z.string().trim().min(9).max(100),
  recipients: ReportRecipientsSchema.default({ userIds: [], roleIds: [] }),
  enabled: z.boolean().default(true),
});
export const CreateReportScheduleSchema = ReportScheduleInputSchema.extend({ reason: ReasonSchema });
export const UpdateReportScheduleSchema = ReportScheduleInputSchema.extend({ reason: ReasonSchema });
export const DeleteReportScheduleSchema = z.object({ reason: ReasonSchema });

export const ReportScheduleSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  kind: ReportKindSchema,
  nodeId: z.number().int().nullable(),
  nodeName: z.string().nullable(),
  period: ReportPeriodSchema,
  cron: z.string(),
  recipients: z.object({ userIds: z.array(z.number().int()), roleIds: z.array(z.number().int()) }),
  /** the recipients in words (names of people and roles) */
  recipientNames: z.array(z.string()),
  enabled: z.boolean(),
  /** the next occurrence (ISO), null when disabled */
  nextAt: z.string().nullable(),
  lastOccurrence: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
});
export type ReportSchedule = z.infer<typeof ReportScheduleSchema>;

/*
 * Server side (packages/server/src/modules/report/service.ts), stable for callers and the benchmark:
 *   generate(ctx, kind, params)  → ReportRun (queued; the work runs in the background)
 *   run(id)                      → runs one queued run to done/failed (the background worker's step)
 *   runSchedules()               → generates each due (schedule, occurrence) exactly once
 *   render(kind, params, opts?)  → { title, pdf: Buffer, xlsx: Buffer }, nothing stored
 *     opts: { ctx?: RequestContext (default: the system), onProgress?(percent), formats? }
 */
