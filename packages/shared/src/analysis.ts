import { z } from 'zod';

/*
 * Trend and shift analysis (趋势与班次分析): event rates per group with a statistical test, so
 * "the night shift has more faults" is a finding, not an impression. Rates are events per 100
 * hours of exposure (the hours each group was "on": a shift's hours, a team's rostered hours,
 * a weekday's or month's hours in the period, the whole period for a piece of equipment), never
 * raw counts of unequal windows.
 *
 * Routes (report.read; the caller's scope, or the node asked for inside it):
 *   GET /api/analysis/compare      query ShiftAnalysisQuerySchema → ShiftAnalysisResultSchema
 *   GET /api/analysis/compare.csv  query AnalysisCsvQuerySchema   → CSV (one row per group, then the finding)
 *   GET /api/analysis/trend        query AnalysisTrendQuerySchema → AnalysisTrendSchema
 *
 * Service: analysis.compare(ctx, query) (also used by the weekly safety report).
 */

export const ANALYSIS_MEASURES = [
  /** 设备故障: annunciated activations of high/critical alarms + interlock commands */
  'faults',
  /** all annunciated alarm activations */
  'alarms',
  /** hazards reported (隐患上报), at the report time and node */
  'hazards',
  /** inspection tasks missed (未检), done late or still overdue, at their due time */
  'missed_inspections',
] as const;
export const AnalysisMeasureSchema = z.enum(ANALYSIS_MEASURES);
export type AnalysisMeasure = z.infer<typeof AnalysisMeasureSchema>;

export const ANALYSIS_DIMENSIONS = ['shift', 'team', 'equipment', 'weekday', 'month'] as const;
export const AnalysisDimensionSchema = z.enum(ANALYSIS_DIMENSIONS);
export type AnalysisDimension = z.infer<typeof AnalysisDimensionSchema>;

export const TREND_BUCKETS = ['day', 'week', 'month'] as const;
export const TrendBucketSchema = z.enum(TREND_BUCKETS);
export type TrendBucket = z.infer<typeof TrendBucketSchema>;

/** The significance level of every test. */
export const ANALYSIS_ALPHA = 0.05;
/** The longest period one analysis covers (days). */
export const ANALYSIS_MAX_DAYS = 732;

const DateOnly = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use YYYY-MM-DD');
/**
 * A group's key: `shift:<id>`, `team:<id>`, `node:<id>` (equipment or the node of a hazard or
 * inspection), `weekday:<1..7>` (1 = Monday), `month:<YYYY-MM>`; `none` for events outside any
 * shift or roster.
 */
const GroupKey = z
  .string()
  .regex(/^(none|(shift|team|node|weekday):\d+|month:\d{4}-\d{2})$/, 'Unknown group key');

const queryFields = {
  measure: AnalysisMeasureSchema,
  dimension: AnalysisDimensionSchema,
  /** the node and its subtree; default: everything the caller may read */
  nodeId: z.coerce.number().int().positive().optional(),
  /** first plant-time day (inclusive) */
  from: DateOnly,
  /** last plant-time day (inclusive); the period ends at the current time if that is earlier */
  to: DateOnly,
  /**
   * Two group keys "a,b" to compare only these two (rate ratio a / b); default: all groups
   * (two groups: rate ratio of the higher over the lower; more: chi-square test of equal rates).
   */
  groups: z
    .string()
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.tuple([GroupKey, GroupKey]))
    .optional(),
};
const checkPeriod = (q: { from: string; to: string }, c: z.core.$RefinementCtx) => {
  const days = (Date.parse(`${q.to}T00:00:00Z`) - Date.parse(`${q.from}T00:00:00Z`)) / 86_400_000;
  if (!(days >= 0)) c.addIssue({ code: 'custom', path: ['to'], message: 'The period ends before it starts' });
  else if (days >= ANALYSIS_MAX_DAYS)
    c.addIssue({
      code: 'custom',
      path: ['to'],
      message: `The period is longer than ${ANALYSIS_MAX_DAYS} days`,
    });
};

export const ShiftAnalysisQuerySchema = z.object(queryFields).superRefine(checkPeriod);
export type ShiftAnalysisQuery = z.input<typeof ShiftAnalysisQuerySchema>;

/** The CSV export: the comparison's query and the language of its headings and finding. */
export const AnalysisCsvQuerySchema = z
  .object({ ...queryFields, lang: z.enum(['zh-CN', 'en-US']).default('zh-CN') })
  .superRefine(checkPeriod);

export const AnalysisTrendQuerySchema = z
  .object({ ...queryFields, bucket: TrendBucketSchema.default('day') })
  .superRefine(checkPeriod);
export type AnalysisTrendQuery = z.input<typeof AnalysisTrendQuerySchema>;

const Words = z.object({ zh: z.string(), en: z.string() });
export type AnalysisWords = z.infer<typeof Words>;

const Interval = z.object({ low: z.number(), high: z.number() });

export const AnalysisGroupSchema = z.object({
  key: z.string(),
  label: Words,
  count: z.number().int(),
  /** hours the group was "on" in the period; null when it cannot be measured (events outside any roster) */
  exposureHours: z.number().nullable(),
  /** events per 100 h; null without exposure */
  rate: z.number().nullable(),
  /** 95 % confidence interval of the rate (exact Poisson), per 100 h */
  ci: Interval.nullable(),
  /** whether the group takes part in the test (has exposure and is one of the compared groups) */
  tested: z.boolean(),
});
export type AnalysisGroup = z.infer<typeof AnalysisGroupSchema>;

export const ANALYSIS_WARNINGS = [
  /** chi-square: some expected counts are below 5, the p-value is approximate */
  'low_expected',
  /** more than two groups: a pairwise look at the table needs a correction (Bonferroni) */
  'multiple_comparisons',
  /** no events at all in the compared groups: nothing to test */
  'no_events',
  /** fewer than two groups with exposure */
  'too_few_groups',
  /** some events fell outside any roster or shift and are not tested */
  'untested_events',
] as const;
export const AnalysisWarningSchema = z.enum(ANALYSIS_WARNINGS);
export type AnalysisWarning = z.infer<typeof AnalysisWarningSchema>;

export const AnalysisTestSchema = z.object({
  /** rate_ratio: exact conditional (binomial) test of two Poisson rates; chi_square: k groups; none: not testable */
  kind: z.enum(['rate_ratio', 'chi_square', 'none']),
  alpha: z.number(),
  pValue: z.number().nullable(),
  significant: z.boolean(),
  /** rate_ratio only: numerator / denominator with its 95 % CI (exact, Clopper–Pearson transformed) */
  ratio: z
    .object({
      numerator: z.string(),
      denominator: z.string(),
      estimate: z.number().nullable(),
      low: z.number(),
      high: z.number().nullable(),
    })
    .nullable(),
  /** chi_square only */
  chiSquare: z.object({ statistic: z.number(), df: z.number().int(), minExpected: z.number() }).nullable(),
  warnings: z.array(AnalysisWarningSchema),
});
export type AnalysisTest = z.infer<typeof AnalysisTestSchema>;

const periodFields = {
  measure: AnalysisMeasureSchema,
  dimension: AnalysisDimensionSchema,
  /** the node analysed, null = the caller's whole scope */
  nodeId: z.number().int().nullable(),
  nodeName: Words,
  from: z.string(),
  to: z.string(),
  timezone: z.string(),
  /** the instants the period covers (the end is the current time if that is earlier than the last day's end) */
  periodStart: z.string(),
  periodEnd: z.string(),
  periodHours: z.number(),
  /** what is counted, in words (shown beside the chart) */
  definition: Words,
};

export const ShiftAnalysisResultSchema = z.object({
  ...periodFields,
  groups: z.array(AnalysisGroupSchema),
  test: AnalysisTestSchema,
  /** the finding in one plain sentence, e.g. 夜班故障率是白班的 2.1 倍（95% CI 1.6–2.8，p < 0.001），差异显著 */
  finding: Words,
});
export type ShiftAnalysisResult = z.infer<typeof ShiftAnalysisResultSchema>;

export const AnalysisTrendSchema = z.object({
  ...periodFields,
  bucket: TrendBucketSchema,
  /** bucket starts, plant-time days (YYYY-MM-DD; a week starts on Monday) */
  buckets: z.array(z.string()),
  /** per group (at most 10: the groups with the most events), one value per bucket */
  series: z.array(
    z.object({
      key: z.string(),
      label: Words,
      counts: z.array(z.number().int()),
      exposureHours: z.array(z.number()),
      /** events per 100 h; null where the group had no exposure */
      rates: z.array(z.number().nullable()),
    }),
  ),
});
export type AnalysisTrend = z.infer<typeof AnalysisTrendSchema>;
