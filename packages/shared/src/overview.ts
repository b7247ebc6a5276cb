import { z } from 'zod';
import { AlarmPrioritySchema, TagValueSchema } from './alarms.js';
import { ConnectorKindSchema } from './connectors.js';

const PriorityCountsSchema = z.object({
  critical: z.number().int(),
  high: z.number().int(),
  medium: z.number().int(),
  low: z.number().int(),
});

/** The landing page: what needs attention in the caller's part of the plant. A section the caller may not read is null. */
export const OverviewSchema = z.object({
  alarms: z
    .object({
      /** Alarms active or not yet acknowledged, by priority. */
      total: PriorityCountsSchema,
      unacknowledged: z.number().int(),
      byArea: z.array(
        z.object({
          areaId: z.number().int().nullable(),
          nameZh: z.string().nullable(),
          nameEn: z.string().nullable(),
          counts: PriorityCountsSchema,
          unacknowledged: z.number().int(),
        }),
      ),
    })
    .nullable(),
  /** Interlocks whose alarm is still active (the latest command per alarm and target tag). */
  interlocks: z
    .array(
      z.object({
        id: z.number().int(),
        at: z.string(),
        alarmKey: z.string(),
        tagId: z.number().int(),
        value: TagValueSchema.nullable(),
        status: z.string(),
        equipmentId: z.number().int(),
        priority: AlarmPrioritySchema,
      }),
    )
    .nullable(),
  connectors: z
    .array(
      z.object({
        id: z.number().int().nullable(),
        code: z.string(),
        name: z.string(),
        kind: ConnectorKindSchema,
        enabled: z.boolean(),
        state: z.string(),
        errors: z.number().int(),
        lastMessageAt: z.string().nullable(),
      }),
    )
    .nullable(),
  /** Simulated equipment faults running now (demo only), on equipment in scope. */
  faults: z.array(
    z.object({
      equipmentId: z.number().int(),
      code: z.string(),
      nameZh: z.string(),
      nameEn: z.string(),
      fault: z.string(),
      manual: z.boolean(),
    }),
  ),
});
export type Overview = z.infer<typeof OverviewSchema>;
