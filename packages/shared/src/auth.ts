import { z } from 'zod';
import { LocaleSchema } from './common.js';

export const LoginSchema = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(256),
});

export const GrantSchema = z.object({
  permission: z.string(),
  /** null: everywhere; otherwise the plant node whose subtree the grant covers. */
  nodeId: z.number().int().nullable(),
});

export const MeSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  displayName: z.string(),
  locale: LocaleSchema,
  kind: z.enum(['person', 'machine']),
  roles: z.array(z.object({ role: z.string(), nodeId: z.number().int().nullable() })),
  grants: z.array(GrantSchema),
  passwordChangeRequired: z.boolean(),
});
export type Me = z.infer<typeof MeSchema>;

/** Login answers `ok` now; `mfa_required` is reserved for the MFA step that comes later. */
export const LoginResultSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok'), user: MeSchema }),
  z.object({ status: z.literal('mfa_required'), challengeId: z.string(), methods: z.array(z.string()) }),
]);

export const SessionSchema = z.object({
  id: z.number().int(),
  userId: z.number().int(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  expiresAt: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  current: z.boolean(),
});

export const ChangePasswordSchema = z.object({
  currentPassword: z.string().min(1).max(256),
  newPassword: z.string().min(1).max(256),
});

export const ApiTokenSchema = z.object({
  id: z.number().int(),
  userId: z.number().int(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export const CreateApiTokenSchema = z.object({
  userId: z.number().int().positive(),
  name: z.string().trim().min(1).max(100),
  expiresInDays: z.number().int().min(1).max(3650).nullable().default(365),
});
export const CreatedApiTokenSchema = z.object({ token: ApiTokenSchema, secret: z.string() });
