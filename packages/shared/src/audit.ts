import { z } from 'zod';

export const AUDIT_OUTCOMES = ['success', 'failure', 'denied'] as const;

export const AuditEntrySchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  actorId: z.number().int().nullable(),
  /** The username (or the name tried, for a failed sign-in). */
  actorName: z.string(),
  /** The actor's display name, as it was when the entry was written ("张三"); null for older entries without one. */
  actorDisplayName: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  /** What people call the target ("GD-207.H2S 硫化氢", "张三 (zhangsan)"), captured at write time. */
  targetLabel: z.string().nullable(),
  nodeId: z.number().int().nullable(),
  outcome: z.enum(AUDIT_OUTCOMES),
  reason: z.string().nullable(),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
  requestId: z.string().nullable(),
  ip: z.string().nullable(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const AuditQuerySchema = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  actor: z.string().trim().max(64).optional(),
  action: z.string().trim().max(100).optional(),
  targetType: z.string().trim().max(64).optional(),
  targetId: z.string().trim().max(64).optional(),
  outcome: z.enum(AUDIT_OUTCOMES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type AuditQuery = z.infer<typeof AuditQuerySchema>;

export const AuditVerifyResultSchema = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  headSeq: z.number().int().nullable(),
  firstBrokenSeq: z.number().int().nullable(),
  problem: z.string().nullable(),
  /** The latest signed head record outside the database the chain was checked against; null when none yet. */
  anchor: z.object({ seq: z.number().int(), at: z.string() }).nullable(),
});
export type AuditVerifyResult = z.infer<typeof AuditVerifyResultSchema>;
