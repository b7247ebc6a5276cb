import { z } from 'zod';
import { IdSchema, NameSchema, ReasonSchema } from './common.js';

// 风险分级管控 risk register (first half of 双重预防): risk analysis units (风险分析单元) at a plant
// node → risk events (风险事件), each scored → control measures (管控措施), some checked at a cycle.

/** 风险等级, worst first: 重大 red, 较大 orange, 一般 yellow, 低 blue. */
export const RISK_LEVELS = ['major', 'significant', 'general', 'low'] as const;
export const RiskLevelSchema = z.enum(RISK_LEVELS);
export type RiskLevel = z.infer<typeof RiskLevelSchema>;
export const RISK_LEVEL_COLOURS: Record<RiskLevel, string> = {
  major: '#d4380d',
  significant: '#fa8c16',
  general: '#fadb14',
  low: '#1677ff',
};
export const RISK_LEVEL_WORDS: Record<RiskLevel, { zh: string; en: string }> = {
  major: { zh: '重大风险', en: 'Major' },
  significant: { zh: '较大风险', en: 'Significant' },
  general: { zh: '一般风险', en: 'General' },
  low: { zh: '低风险', en: 'Low' },
};

/** How bad a level is: 3 for 重大 down to 0 for 低 (higher is worse). */
export const riskRank = (level: RiskLevel) => 3 - RISK_LEVELS.indexOf(level);
/** The worse of two levels; null counts as nothing. */
export function worstLevel(a: RiskLevel | null, b: RiskLevel | null): RiskLevel | null {
  if (a === null) return b;
  if (b === null) return a;
  return riskRank(a) >= riskRank(b) ? a : b;
}

// --- scoring (pure) ---

/**
 * LEC 作业条件危险性分析法: D = L × E × C with the conventional value tables (Graham–Kinney as
 * used in Chinese practice) and bands: D > 320 重大 (极其危险), 160 ≤ D ≤ 320 较大 (高度危险),
 * 70 ≤ D < 160 一般 (显著危险), D < 70 低 (一般/稍有危险, 20–70 and < 20 merged into 低).
 */
export const LEC_L_VALUES = [10, 6, 3, 1, 0.5, 0.2, 0.1] as const;
export const LEC_E_VALUES = [10, 6, 3, 2, 1, 0.5] as const;
export const LEC_C_VALUES = [100, 40, 15, 7, 3, 1] as const;

/** D, rounded to avoid float noise (0.1 × 3 × 7 is 2.1, not 2.1000000000000005). */
export const lecScore = (l: number, e: number, c: number) => Math.round(l * e * c * 1000) / 1000;

export function lecLevel(d: number): RiskLevel {
  if (d > 320) return 'major';
  if (d >= 160) return 'significant';
  if (d >= 70) return 'general';
  return 'low';
}

/**
 * 风险矩阵 risk matrix: R = likelihood (1–5) × severity (1–5), bands as in DB37/T 2882:
 * R ≥ 20 重大, 15–16 较大, 9–12 一般, R ≤ 8 低.
 */
export function matrixScore(likelihood: number, severity: number) {
  return likelihood * severity;
}
export function matrixLevel(r: number): RiskLevel {
  if (r >= 20) return 'major';
  if (r >= 15) return 'significant';
  if (r >= 9) return 'general';
  return 'low';
}

export const RISK_METHODS = ['lec', 'matrix'] as const;
export const RiskMethodSchema = z.enum(RISK_METHODS);
export type RiskMethod = z.infer<typeof RiskMethodSchema>;

const oneOf = (values: readonly number[], what: string) =>
  z.number().refine((v) => values.includes(v), { message: `${what} must be one of ${values.join(', ')}` });

/** The score inputs of one risk event; the unit's method says which kind applies. */
export const RiskScoreInputSchema = z.discriminatedUnion('method', [
  z.object({
    method: z.literal('lec'),
    l: oneOf(LEC_L_VALUES, 'L (likelihood)'),
    e: oneOf(LEC_E_VALUES, 'E (exposure)'),
    c: oneOf(LEC_C_VALUES, 'C (consequence)'),
  }),
  z.object({
    method: z.literal('matrix'),
    likelihood: z.number().int().min(1).max(5),
    severity: z.number().int().min(1).max(5),
  }),
]);
export type RiskScoreInput = z.infer<typeof RiskScoreInputSchema>;

/** The score and level of one event (pure). */
export function scoreRisk(input: RiskScoreInput): { score: number; level: RiskLevel } {
  if (input.method === 'lec') {
    const score = lecScore(input.l, input.e, input.c);
    return { score, level: lecLevel(score) };
  }
  const score = matrixScore(input.likelihood, input.severity);
  return { score, level: matrixLevel(score) };
}

/**
 * A unit's level: the worst of its events (computed), raised by an administrator's override
 * (never lowered: an override at or below the computed level has no effect and is refused on save).
 */
export function unitLevel(
  eventLevels: readonly RiskLevel[],
  override: RiskLevel | null,
): { computed: RiskLevel; level: RiskLevel } {
  const computed = eventLevels.reduce<RiskLevel | null>((w, l) => worstLevel(w, l), null) ?? 'low';
  return { computed, level: worstLevel(computed, override) ?? computed };
}

// --- records ---

export const RISK_UNIT_KINDS = ['equipment', 'facility', 'operation', 'place'] as const;
export const RiskUnitKindSchema = z.enum(RISK_UNIT_KINDS);
export type RiskUnitKind = z.infer<typeof RiskUnitKindSchema>;

/** 管控措施 kinds: 工程技术, 管理, 培训教育, 个体防护, 应急处置. */
export const MEASURE_KINDS = ['engineering', 'management', 'training', 'ppe', 'emergency'] as const;
export const MeasureKindSchema = z.enum(MEASURE_KINDS);
export type MeasureKind = z.infer<typeof MeasureKindSchema>;

/** How often a measure is checked (where inspection plans come from). */
export const CHECK_CYCLES = ['hour', 'shift', 'day', 'week', 'month'] as const;
export const CheckCycleSchema = z.enum(CHECK_CYCLES);
export type CheckCycle = z.infer<typeof CheckCycleSchema>;

const Text = (max: number) => z.string().trim().max(max);
const Ref = z.number().int().positive();

export const RiskMeasureInputSchema = z.object({
  /** present: the existing measure (its id is kept, inspection plans refer to it); absent: a new one */
  id: Ref.optional(),
  kind: MeasureKindSchema,
  description: Text(2000).min(1),
  responsibleUserId: Ref.nullable().default(null),
  postId: Ref.nullable().default(null),
  cycle: CheckCycleSchema.nullable().default(null),
});
export const RiskEventInputSchema = z.object({
  id: Ref.optional(),
  description: Text(2000).min(1),
  consequence: Text(2000).default(''),
  score: RiskScoreInputSchema,
  measures: z.array(RiskMeasureInputSchema).max(100).default([]),
});

const UnitFields = {
  nodeId: Ref,
  name: NameSchema,
  kind: RiskUnitKindSchema,
  departmentId: Ref.nullable().default(null),
  responsibleUserId: Ref.nullable().default(null),
  method: RiskMethodSchema,
  /** an administrator's level above the computed one; needs overrideReason */
  overrideLevel: RiskLevelSchema.nullable().default(null),
  overrideReason: Text(500).nullable().default(null),
  events: z.array(RiskEventInputSchema).min(1, 'A risk unit needs at least one risk event').max(100),
};
const sameMethod = (u: { method: RiskMethod; events: Array<{ score: RiskScoreInput }> }) =>
  u.events.every((e) => e.score.method === u.method);
const overrideExplained = (u: { overrideLevel: RiskLevel | null; overrideReason: string | null }) =>
  u.overrideLevel === null || (u.overrideReason?.length ?? 0) >= 3;

export const CreateRiskUnitSchema = z
  .object(UnitFields)
  .refine(sameMethod, { message: "Every event is scored with the unit's method", path: ['events'] })
  .refine(overrideExplained, {
    message: 'A level set by hand needs a reason (at least 3 characters)',
    path: ['overrideReason'],
  });
/** A whole unit replaces the stored one (events and measures with an id are kept, others added, missing removed). */
export const UpdateRiskUnitSchema = z
  .object({ ...UnitFields, reason: ReasonSchema })
  .refine(sameMethod, { message: "Every event is scored with the unit's method", path: ['events'] })
  .refine(overrideExplained, {
    message: 'A level set by hand needs a reason (at least 3 characters)',
    path: ['overrideReason'],
  });
export type CreateRiskUnit = z.input<typeof CreateRiskUnitSchema>;
export type UpdateRiskUnit = z.input<typeof UpdateRiskUnitSchema>;
export const DeleteRiskUnitSchema = z.object({ reason: ReasonSchema });

const PersonRef = z.object({ id: z.number().int(), displayName: z.string() }).nullable();

export const RiskMeasureSchema = z.object({
  id: z.number().int(),
  kind: MeasureKindSchema,
  description: z.string(),
  responsibleUserId: z.number().int().nullable(),
  responsible: PersonRef,
  postId: z.number().int().nullable(),
  postName: z.string().nullable(),
  cycle: CheckCycleSchema.nullable(),
});
export const RiskEventSchema = z.object({
  id: z.number().int(),
  description: z.string(),
  consequence: z.string(),
  score: RiskScoreInputSchema,
  value: z.number(),
  level: RiskLevelSchema,
  measures: z.array(RiskMeasureSchema),
});
export const RiskUnitSchema = z.object({
  id: z.number().int(),
  nodeId: z.number().int(),
  nodeCode: z.string(),
  nodeNameZh: z.string(),
  nodeNameEn: z.string(),
  name: z.string(),
  kind: RiskUnitKindSchema,
  departmentId: z.number().int().nullable(),
  departmentName: z.string().nullable(),
  responsibleUserId: z.number().int().nullable(),
  responsible: PersonRef,
  method: RiskMethodSchema,
  computedLevel: RiskLevelSchema,
  overrideLevel: RiskLevelSchema.nullable(),
  overrideReason: z.string().nullable(),
  /** the level in force: the worse of computed and override */
  level: RiskLevelSchema,
  events: z.array(RiskEventSchema),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type RiskUnit = z.infer<typeof RiskUnitSchema>;
export type RiskEvent = z.infer<typeof RiskEventSchema>;
export type RiskMeasure = z.infer<typeof RiskMeasureSchema>;

export const RiskUnitListQuerySchema = z.object({
  /** the units at this node and below it */
  nodeId: IdSchema.optional(),
  level: RiskLevelSchema.optional(),
  responsibleUserId: IdSchema.optional(),
  q: z.string().trim().max(200).optional(),
});
export const RiskUnitListSchema = z.object({ items: z.array(RiskUnitSchema), total: z.number().int() });

/** A control measure for a picker (inspection plans): where it sits and how often it is checked. */
export const RiskMeasureRefSchema = z.object({
  id: z.number().int(),
  unitId: z.number().int(),
  unitName: z.string(),
  eventId: z.number().int(),
  eventDescription: z.string(),
  nodeId: z.number().int(),
  nodeNameZh: z.string(),
  nodeNameEn: z.string(),
  level: RiskLevelSchema,
  kind: MeasureKindSchema,
  description: z.string(),
  cycle: CheckCycleSchema.nullable(),
});
export type RiskMeasureRef = z.infer<typeof RiskMeasureRefSchema>;
export const RiskMeasureListQuerySchema = z.object({
  nodeId: IdSchema.optional(),
  /** only measures with a check cycle (the ones an inspection plan can take) */
  withCycle: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});

const LevelCountsSchema = z.object({
  major: z.number().int(),
  significant: z.number().int(),
  general: z.number().int(),
  low: z.number().int(),
});
export type RiskLevelCounts = z.infer<typeof LevelCountsSchema>;
/** 风险四色图: each readable node with its own units' counts and the worst level of its subtree. */
export const RiskMapNodeSchema = z.object({
  id: z.number().int(),
  parentId: z.number().int().nullable(),
  plantLevel: z.string(),
  code: z.string(),
  nameZh: z.string(),
  nameEn: z.string(),
  path: z.string(),
  counts: LevelCountsSchema,
  subtreeCounts: LevelCountsSchema,
  /** the worst level of the node's own units, null when it has none */
  worst: RiskLevelSchema.nullable(),
  /** the worst level at the node or anywhere below it (rolled up), null when none */
  subtreeWorst: RiskLevelSchema.nullable(),
});
export type RiskMapNode = z.infer<typeof RiskMapNodeSchema>;
export const RiskMapSchema = z.object({ nodes: z.array(RiskMapNodeSchema) });

export const RiskExportQuerySchema = RiskUnitListQuerySchema;
