import { z } from 'zod';
import { AlarmTextSchema } from './alarm-text.js';
import { AlarmEventSchema, AlarmRuleSchema, AlarmStateSchema, TagValueSchema } from './alarms.js';
import { ReasonSchema } from './common.js';

/** An interlock: when the rule's alarm activates, write a value to a tag (e.g. stop the press). */
export const InterlockSchema = z.object({
  tagId: z.number().int().positive(),
  value: TagValueSchema,
  /** Only for these conditions (e.g. ['HH']); empty: any condition of the rule. */
  conditions: z.array(z.string().trim().min(1).max(16)).max(16).default([]),
  /** How long to wait for the equipment to confirm the write. */
  confirmTimeoutMs: z.number().int().min(100).max(120_000).default(5000),
});
export type Interlock = z.infer<typeof InterlockSchema>;

export const AlarmRuleRecordSchema = z.object({
  id: z.number().int(),
  tagId: z.number().int(),
  enabled: z.boolean(),
  rule: AlarmRuleSchema,
  interlock: InterlockSchema.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type AlarmRuleRecord = z.infer<typeof AlarmRuleRecordSchema>;

/** Alarm limits are regulated records: every change needs a reason. */
export const CreateAlarmRuleSchema = z.object({
  tagId: z.number().int().positive(),
  enabled: z.boolean().default(true),
  rule: AlarmRuleSchema,
  interlock: InterlockSchema.nullable().default(null),
  reason: ReasonSchema,
});
export const UpdateAlarmRuleSchema = z
  .object({
    enabled: z.boolean().optional(),
    rule: AlarmRuleSchema.optional(),
    interlock: InterlockSchema.nullable().optional(),
    reason: ReasonSchema,
  })
  .strict();

/** An alarm as the UI shows it: the engine's state plus where it is in the plant. */
export const AlarmViewSchema = AlarmStateSchema.extend({
  ruleRecordId: z.number().int(),
  tagId: z.number().int(),
  equipmentId: z.number().int(),
  areaId: z.number().int().nullable(),
  updatedAt: z.string(),
  /** What the text is made of (names, units, limit); render with renderAlarmText. Absent on old rows. */
  text: AlarmTextSchema.nullable().optional(),
});
export type AlarmView = z.infer<typeof AlarmViewSchema>;

export const AlarmJournalEntrySchema = AlarmEventSchema.extend({
  id: z.number().int(),
  tagId: z.number().int(),
  equipmentId: z.number().int(),
  /** The alarm's text as it was when the entry was written (names, units, limit). */
  text: AlarmTextSchema.nullable().optional(),
});
export type AlarmJournalEntry = z.infer<typeof AlarmJournalEntrySchema>;

export const AlarmHistoryQuerySchema = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  tagId: z.coerce.number().int().positive().optional(),
  equipmentId: z.coerce.number().int().positive().optional(),
  priority: z.enum(['critical', 'high', 'medium', 'low']).optional(),
  type: z.string().trim().max(40).optional(),
  key: z.string().trim().max(100).optional(),
  /** Entries made by this user (acknowledge, shelve, comment…). */
  user: z.string().trim().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export const BulkAcknowledgeSchema = z.object({
  keys: z.array(z.string().trim().min(1).max(100)).min(1).max(1000),
  comment: z.string().trim().max(1000).optional(),
});
export const BulkResultSchema = z.object({
  done: z.array(z.string()),
  refused: z.array(z.object({ key: z.string(), code: z.string(), message: z.string() })),
});

export const InterlockCommandSchema = z.object({
  id: z.number().int(),
  at: z.string(),
  ruleId: z.number().int(),
  alarmKey: z.string(),
  tagId: z.number().int(),
  value: TagValueSchema,
  status: z.enum(['sent', 'confirmed', 'failed', 'unconfirmed']),
  detail: z.string().nullable(),
  confirmedAt: z.string().nullable(),
  /** The text of the alarm that tripped the interlock, and the names of the tag it wrote. */
  alarmText: AlarmTextSchema.nullable().optional(),
  target: z
    .object({
      equipment: z.object({ zh: z.string(), en: z.string() }),
      tag: z.object({ zh: z.string(), en: z.string() }),
    })
    .nullable()
    .optional(),
});

/** Flood and chattering status per area, for the alarm list banner. */
export const AlarmHealthSchema = z.object({
  floods: z.array(z.object({ areaId: z.number().int(), since: z.string(), count: z.number().int() })),
  chattering: z.array(z.string()),
});
