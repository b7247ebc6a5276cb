import { z } from 'zod';
import { CodeSchema, NameSchema, ReasonSchema } from './common.js';

/** ISA-95 / GB/T 20720 equipment hierarchy. */
export const PLANT_LEVELS = ['enterprise', 'site', 'area', 'line', 'equipment'] as const;
export const PlantLevelSchema = z.enum(PLANT_LEVELS);
export type PlantLevel = z.infer<typeof PlantLevelSchema>;

/** Which levels may hold a node of each level (equipment may sit in a line or directly in an area). */
export const ALLOWED_PARENT: Record<PlantLevel, PlantLevel[]> = {
  enterprise: [],
  site: ['enterprise'],
  area: ['site'],
  line: ['area'],
  equipment: ['line', 'area'],
};

export const NODE_STATUSES = ['in_service', 'maintenance', 'out_of_service'] as const;
export const NodeStatusSchema = z.enum(NODE_STATUSES);
export type NodeStatus = z.infer<typeof NodeStatusSchema>;

export const PlantNodeSchema = z.object({
  id: z.number().int(),
  parentId: z.number().int().nullable(),
  level: PlantLevelSchema,
  code: z.string(),
  nameZh: z.string(),
  nameEn: z.string(),
  status: NodeStatusSchema,
  description: z.string(),
  path: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type PlantNode = z.infer<typeof PlantNodeSchema>;

export type PlantTreeNode = PlantNode & { children: PlantTreeNode[] };
export const PlantTreeNodeSchema: z.ZodType<PlantTreeNode> = PlantNodeSchema.extend({
  children: z.lazy(() => z.array(PlantTreeNodeSchema)),
});

export const CreatePlantNodeSchema = z.object({
  parentId: z.number().int().positive().nullable(),
  level: PlantLevelSchema,
  code: CodeSchema,
  nameZh: NameSchema,
  nameEn: NameSchema,
  status: NodeStatusSchema.default('in_service'),
  description: z.string().trim().max(2000).default(''),
  reason: ReasonSchema,
});
export type CreatePlantNode = z.input<typeof CreatePlantNodeSchema>;

export const UpdatePlantNodeSchema = z
  .object({
    code: CodeSchema.optional(),
    nameZh: NameSchema.optional(),
    nameEn: NameSchema.optional(),
    status: NodeStatusSchema.optional(),
    description: z.string().trim().max(2000).optional(),
    parentId: z.number().int().positive().optional(),
    reason: ReasonSchema,
  })
  .strict();
export type UpdatePlantNode = z.input<typeof UpdatePlantNodeSchema>;

export const DeletePlantNodeSchema = z.object({ reason: ReasonSchema });
