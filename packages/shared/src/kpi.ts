import { z } from 'zod';
import { AlarmTextSchema } from './alarm-text.js';
import { AlarmPrioritySchema } from './alarms.js';

/**
 * Alarm-management KPIs (ISA-18.2 / EEMUA 191) and the rationalisation worksheet.
 *
 *   GET /api/kpi/alarms                  report.read  query AlarmKpiQuerySchema → AlarmKpiReportSchema
 *   GET /api/kpi/alarms/rationalisation  report.read  query AlarmKpiQuerySchema → RationalisationSheetSchema
 *   GET /api/kpi/alarms/export.xlsx      report.read  query AlarmKpiQuerySchema → XLSX (both)
 *
 * Counts are annunciated activations from the alarm journal (shelved or suppressed ones are not
 * shown to the operator, so they do not load them). Windows are fixed clock-aligned 10-minute bins.
 */
export const KPI_CONTRACT_VERSION = z.literal(1);

/** The thresholds the KPIs use; the report repeats them so a reader sees what was counted. */
export const ALARM_KPI_THRESHOLDS = {
  /** A 10-minute window with more than this many activations per operator is a flood. */
  floodAbovePer10Min: 10,
  /** Chattering: at least this many activations of one alarm within `chatterWindowS`. */
  chatterCount: 3,
  chatterWindowS: 60,
  /** Stale: still active this long at the end of the period. */
  staleHours: 24,
  /** Default fleeting threshold: active for less than this many seconds (the query may change it). */
  fleetingSeconds: 10,
} as const;

/** EEMUA 191 / ISA-18.2 targets per operator (acceptable, manageable) and the guidelines the verdicts use. */
export const ALARM_KPI_TARGETS = {
  per10Min: { acceptable: 1, manageable: 2 },
  perHour: { acceptable: 6, manageable: 12 },
  perDay: { acceptable: 144, manageable: 288 },
  /** % of the period in flood: below 1 % is the ISA-18.2 target. */
  floodPercent: 1,
  /** The 10 most frequent alarms should make up no more than 1–5 % of all activations. */
  topTenSharePercent: 5,
  /** Priority distribution of activations (critical is judged apart: it should be rare). */
  priorityShare: { low: 80, medium: 15, high: 5 },
} as const;

const IsoInstant = z.iso.datetime({ offset: true });

export const AlarmKpiQuerySchema = z
  .object({
    /** A plant node (area, line, equipment…); absent = everything in the caller's report.read scope. */
    nodeId: z.coerce.number().int().positive().optional(),
    from: IsoInstant,
    to: IsoInstant,
    /** Operators (consoles) sharing this alarm load: rates are divided by it. */
    operators: z.coerce.number().int().min(1).max(100).default(1),
    /** An activation that clears again within this many seconds is fleeting. */
    fleetingSeconds: z.coerce.number().min(1).max(600).default(ALARM_KPI_THRESHOLDS.fleetingSeconds),
  })
  .refine((q) => Date.parse(q.to) > Date.parse(q.from), { message: 'to must be after from', path: ['to'] })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 400 * 86_400_000, {
    message: 'The period may be at most 400 days',
    path: ['from'],
  });
export type AlarmKpiQuery = z.output<typeof AlarmKpiQuerySchema>;
export type AlarmKpiQueryInput = z.input<typeof AlarmKpiQuerySchema>;

/** acceptable ≤ target; manageable ≤ the manageable limit; overloaded beyond it. */
export const KPI_VERDICTS = ['acceptable', 'manageable', 'overloaded'] as const;
export const KpiVerdictSchema = z.enum(KPI_VERDICTS);
export type KpiVerdict = z.infer<typeof KpiVerdictSchema>;

const RateFigureSchema = z.object({
  /** Activations per operator in an average window of this length. */
  average: z.number(),
  /** The busiest window, per operator, and when it started. */
  peak: z.number(),
  peakAt: IsoInstant.nullable(),
  verdict: KpiVerdictSchema,
});

/** One alarm (rule condition) as people read it. */
export const KpiAlarmRefSchema = z.object({
  key: z.string(),
  ruleId: z.number().int(),
  condition: z.string(),
  priority: AlarmPrioritySchema,
  /** Render with renderAlarmText; `message` when an old entry has no text parts. */
  text: AlarmTextSchema.nullable(),
  message: z.string(),
  path: z.string(),
});
export type KpiAlarmRef = z.infer<typeof KpiAlarmRefSchema>;

export const FloodPeriodSchema = z.object({
  start: IsoInstant,
  end: IsoInstant,
  minutes: z.number(),
  count: z.number().int(),
  /** The alarms that raised most of the flood, most first (up to 3). */
  top: z.array(KpiAlarmRefSchema.extend({ count: z.number().int() })),
});
export type FloodPeriod = z.infer<typeof FloodPeriodSchema>;

export const AlarmKpiReportSchema = z.object({
  node: z
    .object({ id: z.number().int(), nameZh: z.string(), nameEn: z.string(), path: z.string() })
    .nullable(),
  from: IsoInstant,
  to: IsoInstant,
  operators: z.number().int(),
  fleetingSeconds: z.number(),
  generatedAt: IsoInstant,
  thresholds: z.object({
    floodAbovePer10Min: z.number(),
    chatterCount: z.number(),
    chatterWindowS: z.number(),
    staleHours: z.number(),
    fleetingSeconds: z.number(),
  }),
  /** Annunciated activations in the period (all operators together). */
  total: z.number().int(),
  rate: z.object({
    per10Min: RateFigureSchema,
    perHour: RateFigureSchema,
    perDay: RateFigureSchema,
    /** The worst of the three average verdicts. */
    verdict: KpiVerdictSchema,
  }),
  flood: z.object({
    windows: z.number().int(),
    totalWindows: z.number().int(),
    percentTime: z.number(),
    periodCount: z.number().int(),
    longestMinutes: z.number(),
    periods: z.array(FloodPeriodSchema),
    verdict: KpiVerdictSchema,
  }),
  badActors: z.object({
    items: z.array(KpiAlarmRefSchema.extend({ count: z.number().int(), sharePercent: z.number() })),
    /** "The top 10 make up x % of all alarms". */
    topSharePercent: z.number(),
    verdict: KpiVerdictSchema,
  }),
  chattering: z.array(
    KpiAlarmRefSchema.extend({
      /** Activations of this alarm in the period. */
      activations: z.number().int(),
      /** Times it reached `chatterCount` activations within `chatterWindowS`. */
      episodes: z.number().int(),
      /** The most activations inside one `chatterWindowS`. */
      maxInWindow: z.number().int(),
    }),
  ),
  fleeting: z.object({
    total: z.number().int(),
    items: z.array(
      KpiAlarmRefSchema.extend({
        activations: z.number().int(),
        fleeting: z.number().int(),
        medianSeconds: z.number(),
      }),
    ),
  }),
  stale: z.array(KpiAlarmRefSchema.extend({ activeSince: IsoInstant, hours: z.number() })),
  /** The alarm list as it stands now (not at `to`): standing = active, shown to operators. */
  current: z.object({
    standing: z.number().int(),
    unacknowledged: z.number().int(),
    shelved: z.number().int(),
    suppressed: z.number().int(),
    outOfService: z.number().int(),
  }),
  priorities: z.object({
    items: z.array(
      z.object({
        priority: AlarmPrioritySchema,
        count: z.number().int(),
        sharePercent: z.number(),
        /** The guideline share (null for critical, judged apart). */
        targetPercent: z.number().nullable(),
      }),
    ),
    verdict: KpiVerdictSchema,
  }),
  acknowledge: z.object({
    acknowledged: z.number().int(),
    notAcknowledged: z.number().int(),
    medianSeconds: z.number().nullable(),
    p90Seconds: z.number().nullable(),
    /** Acknowledged within `upToSeconds` (null = longer than the last bound). */
    buckets: z.array(z.object({ upToSeconds: z.number().nullable(), count: z.number().int() })),
  }),
  /** Activations per bin for the chart ('10m' up to 7 days, '1h' up to 62 days, '1d' beyond). */
  series: z.object({
    bin: z.enum(['10m', '1h', '1d']),
    points: z.array(z.object({ at: IsoInstant, count: z.number().int(), perOperator: z.number() })),
  }),
});
export type AlarmKpiReport = z.infer<typeof AlarmKpiReportSchema>;

export const SUGGESTION_KINDS = ['on_delay', 'off_delay', 'deadband', 'priority', 'review'] as const;
export const SuggestionKindSchema = z.enum(SUGGESTION_KINDS);

export const RationalisationSuggestionSchema = z.object({
  kind: SuggestionKindSchema,
  /** The setting now and the proposed one, in the rule's units (delays in seconds). */
  current: z.union([z.number(), z.string()]).nullable(),
  proposed: z.union([z.number(), z.string()]),
  /** Activations in the period this setting would have removed, counted on the history. */
  removed: z.number().int(),
  removedPercent: z.number(),
  /** Whether `removed` is exact on the journal (delays) or an estimate (deadband: from values at clear). */
  estimate: z.boolean(),
  reason: z.object({ zh: z.string(), en: z.string() }),
});
export type RationalisationSuggestion = z.infer<typeof RationalisationSuggestionSchema>;

export const RationalisationRowSchema = KpiAlarmRefSchema.extend({
  activations: z.number().int(),
  sharePercent: z.number(),
  fleeting: z.number().int(),
  /** Activations less than `chatterWindowS` after the alarm cleared. */
  quickReturns: z.number().int(),
  settings: z.object({
    ruleType: z.string(),
    limit: z.number().nullable(),
    deadband: z.number().nullable(),
    onDelaySeconds: z.number(),
    offDelaySeconds: z.number(),
    priority: AlarmPrioritySchema,
    unit: z.string().nullable(),
  }),
  suggestions: z.array(RationalisationSuggestionSchema),
});
export type RationalisationRow = z.infer<typeof RationalisationRowSchema>;

export const RationalisationSheetSchema = z.object({
  from: IsoInstant,
  to: IsoInstant,
  node: AlarmKpiReportSchema.shape.node,
  generatedAt: IsoInstant,
  rows: z.array(RationalisationRowSchema),
});
export type RationalisationSheet = z.infer<typeof RationalisationSheetSchema>;
