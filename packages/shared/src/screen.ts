import { z } from 'zod';
import { AlarmPrioritySchema } from './alarms.js';
import { IdSchema, NameSchema, ReasonSchema } from './common.js';

/**
 * Control-room big screens (大屏): a screen belongs to a plant node and shows that subtree only.
 * It has rotating pages; each page is a grid of widgets (GRID_COLS × GRID_ROWS cells, no overlap).
 * Kiosk tokens open a screen without signing in (read-only, at the screen's node, revocable).
 */
export const SCREEN_CONTRACT_VERSION = z.literal(1);

export const SCREEN_GRID_COLS = 24;
export const SCREEN_GRID_ROWS = 13;

export const WIDGET_KINDS = [
  'clock', // clock and plant name
  'status_tiles', // areas (or lines) coloured by their worst active alarm
  'alarms_by_priority',
  'alarm_list', // newest active alarms
  'alarm_rate', // annunciated alarms per 10 min / hour against ISA-18.2's 1 per 10 min
  'interlocks',
  'inspections', // today's inspections: done / due / overdue
  'hazards', // open hazards by grade
  'permits', // active and suspended permits by area
  'safe_days', // days without a recordable incident
  'tag_values', // key process values with sparklines
] as const;
export const WidgetKindSchema = z.enum(WIDGET_KINDS, {
  error: (i) => `Unknown widget kind ${JSON.stringify(i.input)}; one of ${WIDGET_KINDS.join(', ')}`,
});
export type WidgetKind = z.infer<typeof WidgetKindSchema>;

export const WIDGET_LABELS: Record<WidgetKind, { zh: string; en: string }> = {
  clock: { zh: '时钟与厂名', en: 'Clock and plant name' },
  status_tiles: { zh: '区域状态', en: 'Area status' },
  alarms_by_priority: { zh: '活动报警(按优先级)', en: 'Active alarms by priority' },
  alarm_list: { zh: '最新报警', en: 'Newest alarms' },
  alarm_rate: { zh: '报警率(ISA-18.2)', en: 'Alarm rate (ISA-18.2)' },
  interlocks: { zh: '联锁动作', en: 'Active interlocks' },
  inspections: { zh: '今日巡检', en: "Today's inspections" },
  hazards: { zh: '未关闭隐患', en: 'Open hazards' },
  permits: { zh: '作业票', en: 'Work permits' },
  safe_days: { zh: '安全运行天数', en: 'Days without an incident' },
  tag_values: { zh: '关键工艺参数', en: 'Key process values' },
};

const cell = z.number().int().min(0);
const span = z.number().int().min(1);

export const WidgetSettingsSchema = z
  .object({
    /** status_tiles: which level below the screen's node becomes a tile */
    level: z.enum(['area', 'line', 'equipment']).optional(),
    /** alarm_list: how many rows */
    limit: z.number().int().min(1).max(50).optional(),
    /** tag_values: the tags shown (inside the screen's node) */
    tagIds: z.array(IdSchema).max(12).optional(),
    /** tag_values: draw the last hour as a sparkline */
    sparkline: z.boolean().optional(),
  })
  .strict();
export type WidgetSettings = z.infer<typeof WidgetSettingsSchema>;

export const ScreenWidgetSchema = z.object({
  /** stable within the screen (the editor's layout key) */
  id: z.string().trim().min(1).max(40),
  kind: WidgetKindSchema,
  title: z.string().trim().max(60).optional(),
  x: cell,
  y: cell,
  w: span,
  h: span,
  settings: WidgetSettingsSchema.default({}),
});
export type ScreenWidget = z.infer<typeof ScreenWidgetSchema>;

export const ScreenPageSchema = z.object({
  title: z.string().trim().max(60).default(''),
  /** seconds the page stays before the next one (rotation) */
  dwellSeconds: z.number().int().min(5).max(3600).default(30),
  widgets: z.array(ScreenWidgetSchema).max(40),
});
export type ScreenPage = z.infer<typeof ScreenPageSchema>;

export const SCREEN_THEMES = ['dark', 'navy'] as const;
export const ScreenThemeSchema = z.enum(SCREEN_THEMES);

/** The layout as stored (JSON): validated for grid bounds and overlaps by the server. */
export const ScreenLayoutSchema = z.object({
  theme: ScreenThemeSchema.default('dark'),
  pages: z.array(ScreenPageSchema).min(1).max(10),
});
export type ScreenLayout = z.infer<typeof ScreenLayoutSchema>;

export const CreateScreenSchema = z.object({
  name: NameSchema,
  nodeId: IdSchema,
  layout: ScreenLayoutSchema,
  reason: ReasonSchema,
});
export const UpdateScreenSchema = z.object({
  name: NameSchema,
  nodeId: IdSchema,
  layout: ScreenLayoutSchema,
  /** the version the editor started from: a newer save in between is a conflict */
  version: z.number().int().min(1),
  reason: ReasonSchema,
});
export const DeleteScreenSchema = z.object({ reason: ReasonSchema });

export const ScreenSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  nodeId: z.number().int(),
  nodeName: z.string(),
  layout: ScreenLayoutSchema,
  version: z.number().int(),
  updatedAt: z.string(),
  updatedBy: z.string().nullable(),
});
export type Screen = z.infer<typeof ScreenSchema>;

// ---------------------------------------------------------------- kiosk tokens

export const CreateKioskTokenSchema = z.object({
  name: NameSchema,
  /** none: valid until revoked */
  expiresInDays: z.number().int().min(1).max(3650).nullable().default(null),
  reason: ReasonSchema,
});
export const RevokeKioskTokenSchema = z.object({ reason: ReasonSchema });

export const KioskTokenSchema = z.object({
  id: z.number().int(),
  screenId: z.number().int(),
  name: z.string(),
  /** the first characters, to tell tokens apart */
  prefix: z.string(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type KioskToken = z.infer<typeof KioskTokenSchema>;
/** The secret is in this answer only; the kiosk link is `/kiosk#<secret>` (a fragment never reaches a server). */
export const CreatedKioskTokenSchema = z.object({ token: KioskTokenSchema, secret: z.string() });

export const KioskSessionRequestSchema = z.object({ token: z.string().min(10).max(200) });
export const KioskSessionSchema = z.object({ screenId: z.number().int(), expiresAt: z.string() });

// ---------------------------------------------------------------- safe days (安全运行天数)

export const RecordSafeSinceSchema = z.object({
  nodeId: IdSchema,
  /** the day (plant time) of the last recordable incident, YYYY-MM-DD */
  since: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'A day as YYYY-MM-DD'),
  reason: ReasonSchema,
});

// ---------------------------------------------------------------- the screen's data

export const ScreenStatusTileSchema = z.object({
  nodeId: z.number().int(),
  name: z.string(),
  /** the worst active alarm's priority; null: no active alarm */
  worst: AlarmPrioritySchema.nullable(),
  active: z.number().int(),
});

export const ScreenAlarmSchema = z.object({
  key: z.string(),
  at: z.string(),
  priority: AlarmPrioritySchema,
  state: z.string(),
  message: z.string(),
  tagId: z.number().int(),
  equipmentName: z.string(),
});

export const ScreenTagValueSchema = z.object({
  tagId: z.number().int(),
  name: z.string(),
  equipmentName: z.string(),
  unit: z.string(),
  value: z.union([z.number(), z.boolean(), z.string(), z.null()]),
  ts: z.string().nullable(),
  /** the last hour, one point per minute (average) */
  series: z.array(z.tuple([z.number(), z.number().nullable()])),
});

/**
 * Everything the screen's widgets show, for the screen's node. A part is null when the viewer
 * may not read it there (e.g. a user with screen.read but not hazard.read).
 */
export const ScreenDataSchema = z.object({
  screenId: z.number().int(),
  nodeId: z.number().int(),
  nodeName: z.string(),
  at: z.string(),
  timezone: z.string(),
  status: z.array(ScreenStatusTileSchema).nullable(),
  alarms: z
    .object({
      byPriority: z.object({ critical: z.number(), high: z.number(), medium: z.number(), low: z.number() }),
      latest: z.array(ScreenAlarmSchema),
    })
    .nullable(),
  alarmRate: z
    .object({
      last10Min: z.number().int(),
      lastHour: z.number().int(),
      /** ISA-18.2: about 1 annunciated alarm per 10 minutes per operator is acceptable */
      targetPer10Min: z.number(),
      /** more than 10 in 10 minutes is a flood */
      floodPer10Min: z.number(),
      /** per 10 minutes over the last 6 hours, oldest first: [start ms, count] */
      series: z.array(z.tuple([z.number(), z.number().int()])),
    })
    .nullable(),
  interlocks: z
    .object({
      active: z.number().int(),
      items: z.array(
        z.object({
          at: z.string(),
          tagName: z.string(),
          equipmentName: z.string(),
          status: z.string(),
          message: z.string(),
        }),
      ),
    })
    .nullable(),
  inspections: z
    .object({ day: z.string(), done: z.number().int(), due: z.number().int(), overdue: z.number().int() })
    .nullable(),
  hazards: z
    .object({ general: z.number().int(), major: z.number().int(), ungraded: z.number().int() })
    .nullable(),
  permits: z
    .array(
      z.object({
        areaId: z.number().int().nullable(),
        areaName: z.string(),
        active: z.number(),
        suspended: z.number(),
      }),
    )
    .nullable(),
  safeDays: z
    .object({
      days: z.number().int().nullable(),
      since: z.string().nullable(),
      source: z.enum(['emergency_run', 'record', 'none']),
      note: z.string().nullable(),
    })
    .nullable(),
  tags: z.array(ScreenTagValueSchema).nullable(),
});
export type ScreenData = z.infer<typeof ScreenDataSchema>;

/** The kiosk's view: its screen and the data, in one answer. */
export const KioskScreenSchema = z.object({ screen: ScreenSchema, data: ScreenDataSchema });
