import { z } from 'zod';
import { TAG_QUALITIES, type TagQuality, TagQualitySchema } from './alarms.js';
import { CodeSchema, NameSchema, ReasonSchema } from './common.js';

/** What a tag holds. `state` is an enumeration (RUN/IDLE/FAULT…) carried as text or as a number. */
export const TAG_TYPES = ['number', 'boolean', 'state', 'string'] as const;
export const TagTypeSchema = z.enum(TAG_TYPES);
export type TagType = z.infer<typeof TagTypeSchema>;

/**
 * Historian compression on ingest. `swinging_door` (OSIsoft PI's swinging-door trending) stores a
 * number tag's good values only where the straight line between stored values would otherwise
 * miss a raw value by more than the deviation; alarms and the live view still see every value.
 */
export const STORAGE_COMPRESSIONS = ['none', 'swinging_door'] as const;
export const StorageCompressionSchema = z.enum(STORAGE_COMPRESSIONS);
export type StorageCompression = z.infer<typeof StorageCompressionSchema>;
const DeviationSchema = z.number().min(0, 'The compression deviation cannot be negative');

/** Value quality (good/uncertain/bad), the same vocabulary the alarm engine uses. */
export const QUALITIES = TAG_QUALITIES;
export const QualitySchema = TagQualitySchema;
export type Quality = TagQuality;

const ModbusArea = z.enum(['holding', 'input', 'coil', 'discrete']);
const ModbusType = z.enum(['int16', 'uint16', 'int32', 'uint32', 'float32', 'bool']);

/**
 * Where a tag's values come from. MQTT JSON: a topic (MQTT wildcards allowed) and a JSON path
 * into the payload; Sparkplug B: group/edge node/device/metric; OPC UA: a node id on a
 * connector; Modbus: a register or coil on a connector; http: written by POST /api/ingest.
 */
export const TagSourceSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('mqtt'),
    connectorId: z.number().int().positive().nullable().default(null),
    topic: z.string().trim().min(1).max(500),
    /** Dotted path into the JSON payload, e.g. `values.vibration`; `$` for the whole payload. */
    path: z.string().trim().min(1).max(200).default('$'),
    /** Dotted path to a source timestamp (epoch ms or ISO text) in the payload; absent: arrival time. */
    timestampPath: z.string().trim().max(200).optional(),
    /** Where interlock writes go: a JSON `{"value": v, "ts": ms}` is published here (QoS 1). */
    commandTopic: z.string().trim().min(1).max(500).optional(),
  }),
  z.object({
    kind: z.literal('sparkplug'),
    connectorId: z.number().int().positive().nullable().default(null),
    group: z.string().trim().min(1).max(200),
    edgeNode: z.string().trim().min(1).max(200),
    device: z.string().trim().max(200).nullable().default(null),
    metric: z.string().trim().min(1).max(300),
  }),
  z.object({
    kind: z.literal('opcua'),
    connectorId: z.number().int().positive(),
    nodeId: z.string().trim().min(1).max(500),
    samplingIntervalMs: z.number().int().min(0).max(3_600_000).default(1000),
  }),
  z.object({
    kind: z.literal('modbus'),
    connectorId: z.number().int().positive(),
    unitId: z.number().int().min(0).max(255).default(1),
    area: ModbusArea,
    address: z.number().int().min(0).max(65535),
    dataType: ModbusType.default('int16'),
    /** Engineering value = raw × scale + offset. */
    scale: z.number().default(1),
    offset: z.number().default(0),
    /** For 32-bit values: which 16-bit word comes first. */
    wordOrder: z.enum(['big', 'little']).default('big'),
  }),
  z.object({ kind: z.literal('http') }),
]);
export type TagSource = z.infer<typeof TagSourceSchema>;

export const TagSchema = z.object({
  id: z.number().int(),
  equipmentId: z.number().int(),
  code: z.string(),
  nameZh: z.string(),
  nameEn: z.string(),
  unit: z.string(),
  type: TagTypeSchema,
  engLow: z.number().nullable(),
  engHigh: z.number().nullable(),
  /** Labels of a state tag by raw value, e.g. {"0":"IDLE","1":"RUN","2":"FAULT"}. */
  states: z.record(z.string(), z.string()).nullable(),
  source: TagSourceSchema,
  /** Storage deadband in engineering units: smaller changes are not stored (alarms still see them). */
  storageDeadband: z.number().min(0),
  /** At least one value is stored this often even without change (ms, 0 = only on change). */
  storageHeartbeatMs: z.number().int().min(0),
  /** Historian compression on ingest (numbers only): none, or swinging door within storageDeviation. */
  storageCompression: StorageCompressionSchema,
  /** Swinging door: the stored trend stays within this of every raw value (engineering units). */
  storageDeviation: z.number().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Tag = z.infer<typeof TagSchema>;

const TagFieldsSchema = z.object({
  equipmentId: z.number().int().positive(),
  code: CodeSchema,
  nameZh: NameSchema,
  nameEn: NameSchema,
  unit: z.string().trim().max(32).default(''),
  type: TagTypeSchema.default('number'),
  engLow: z.number().nullable().default(null),
  engHigh: z.number().nullable().default(null),
  states: z.record(z.string(), z.string().trim().min(1).max(64)).nullable().default(null),
  source: TagSourceSchema.default({ kind: 'http' }),
  storageDeadband: z.number().min(0).default(0),
  storageHeartbeatMs: z.number().int().min(0).max(86_400_000).default(60_000),
  storageCompression: StorageCompressionSchema.default('none'),
  storageDeviation: DeviationSchema.nullable().default(null),
});

const rangeIsOrdered = (t: { engLow?: number | null; engHigh?: number | null }) =>
  t.engLow === null ||
  t.engLow === undefined ||
  t.engHigh === null ||
  t.engHigh === undefined ||
  t.engLow < t.engHigh;
const rangeMessage = { message: 'The engineering range low must be below high', path: ['engHigh'] };

/**
 * What is wrong with a tag's compression settings (null: nothing): swinging door needs a
 * deviation and a number tag. Checked on create here and on the merged fields on update.
 */
export function compressionProblem(t: {
  type: TagType;
  storageCompression: StorageCompression;
  storageDeviation: number | null;
}): { path: string; message: string } | null {
  if (t.storageCompression === 'none') return null;
  if (t.type !== 'number') {
    return {
      path: 'storageCompression',
      message: `Swinging-door compression applies to number tags only (this tag is ${t.type})`,
    };
  }
  if (t.storageDeviation === null) {
    return {
      path: 'storageDeviation',
      message: 'Swinging-door compression needs a deviation (storageDeviation, in the tag unit)',
    };
  }
  return null;
}

/** A new tag; the reason is kept in the audit trail (tags carry regulated ranges and bindings). */
export const CreateTagSchema = TagFieldsSchema.extend({ reason: ReasonSchema })
  .refine(rangeIsOrdered, rangeMessage)
  .superRefine((t, ctx) => {
    const problem = compressionProblem(t);
    if (problem) ctx.addIssue({ code: 'custom', message: problem.message, path: [problem.path] });
  });

/** Any subset of the fields; the engineering range is checked again against the stored one. */
export const UpdateTagSchema = z
  .object({
    equipmentId: z.number().int().positive().optional(),
    code: CodeSchema.optional(),
    nameZh: NameSchema.optional(),
    nameEn: NameSchema.optional(),
    unit: z.string().trim().max(32).optional(),
    type: TagTypeSchema.optional(),
    engLow: z.number().nullable().optional(),
    engHigh: z.number().nullable().optional(),
    states: z.record(z.string(), z.string().trim().min(1).max(64)).nullable().optional(),
    source: TagSourceSchema.optional(),
    storageDeadband: z.number().min(0).optional(),
    storageHeartbeatMs: z.number().int().min(0).max(86_400_000).optional(),
    storageCompression: StorageCompressionSchema.optional(),
    storageDeviation: DeviationSchema.nullable().optional(),
    reason: ReasonSchema,
  })
  .refine(rangeIsOrdered, rangeMessage);

/** A tag as listed: with its equipment, so lists need no second lookup. */
export const TagViewSchema = TagSchema.extend({
  equipmentCode: z.string(),
  equipmentNameZh: z.string(),
  equipmentNameEn: z.string(),
});
export type TagView = z.infer<typeof TagViewSchema>;

export const TagListQuerySchema = z.object({
  equipmentId: z.coerce.number().int().positive().optional(),
  /** Tags of every equipment under this plant node. */
  nodeId: z.coerce.number().int().positive().optional(),
  /** Matches code, equipment code or either name. */
  q: z.string().trim().max(100).optional(),
  sourceKind: z.enum(['mqtt', 'sparkplug', 'opcua', 'modbus', 'http']).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(200),
  offset: z.coerce.number().int().min(0).default(0),
});
export const TagListSchema = z.object({ items: z.array(TagViewSchema), total: z.number().int() });

export const TagExportQuerySchema = z.object({
  format: z.enum(['csv', 'xlsx']).default('csv'),
  nodeId: z.coerce.number().int().positive().optional(),
});
export const TagImportSchema = z.object({
  format: z.enum(['csv', 'xlsx']),
  /** The file, base64-encoded (at most ~10 MB). */
  content: z.string().min(1).max(14_000_000),
  /** Check every row and report, change nothing. */
  dryRun: z.boolean().default(false),
  reason: ReasonSchema,
});
export const TagImportResultSchema = z.object({
  dryRun: z.boolean(),
  rows: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  errors: z.array(z.object({ row: z.number().int(), field: z.string().optional(), message: z.string() })),
});

/** One value as it reaches the ingest API. */
export const IngestPointSchema = z.object({
  /** `EQUIPMENT.TAG` code, or the numeric tag id. */
  tag: z.union([z.string().trim().min(1).max(200), z.number().int().positive()]),
  value: z.union([z.number(), z.boolean(), z.string().max(1000), z.null()]),
  /**
   * Source timestamp: epoch ms or ISO 8601; absent: the server's arrival time. A time that is
   * not one (nanoseconds, 1e20, unreadable text) refuses that point alone, listed in `rejected`.
   */
  ts: z.union([z.number(), z.string().max(100)]).optional(),
  quality: QualitySchema.default('good'),
});
export const IngestBatchSchema = z.object({ points: z.array(IngestPointSchema).min(1).max(50_000) });

export const IngestResultSchema = z.object({
  accepted: z.number().int(),
  duplicates: z.number().int(),
  /** Stored as late history (older than a value already evaluated): not evaluated by the alarm rules. */
  late: z.number().int(),
  rejected: z.array(z.object({ index: z.number().int(), reason: z.string() })),
});

export const CurrentValuesQuerySchema = z.object({
  tagIds: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'comma-separated tag ids')
    .transform((s) => s.split(',').map(Number))
    .pipe(z.array(z.number().int().positive()).max(5000))
    .optional(),
  nodeId: z.coerce.number().int().positive().optional(),
});

export const CurrentValueSchema = z.object({
  tagId: z.number().int(),
  ts: z.string(),
  value: z.union([z.number(), z.boolean(), z.string(), z.null()]),
  quality: QualitySchema,
});

export const TrendQuerySchema = z.object({
  tagIds: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'comma-separated tag ids')
    .transform((s) => s.split(',').map(Number))
    .pipe(z.array(z.number().int().positive()).min(1).max(20)),
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  maxPoints: z.coerce.number().int().min(10).max(2000).default(1000),
});
export const TrendSeriesSchema = z.object({
  tagId: z.number().int(),
  /** raw: every stored value; otherwise the bucket each point stands for (min/max/avg per bucket). */
  resolution: z.enum(['raw', '1m', '1h', 'bucket']),
  bucketMs: z.number().int().nullable(),
  points: z.array(
    z.object({
      ts: z.string(),
      value: z.number().nullable(),
      min: z.number().nullable().optional(),
      max: z.number().nullable().optional(),
      quality: QualitySchema.optional(),
    }),
  ),
});
export const TrendResultSchema = z.object({ series: z.array(TrendSeriesSchema) });
export type TrendSeries = z.infer<typeof TrendSeriesSchema>;
