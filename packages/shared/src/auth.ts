import { z } from 'zod';
import { PermissionSchema } from './access.js';
import { LocaleSchema } from './common.js';
import { PERMISSION_KEYS } from './permissions.js';

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

/**
 * An API token acts with its own permissions at its own plant nodes, always cut down to what its
 * owner holds at the moment of use. `fullAccess` (all of the owner's power, e.g. an
 * administrator's) must be asked for explicitly, with a reason that goes to the audit trail.
 */
export const ApiTokenSchema = z.object({
  id: z.number().int(),
  userId: z.number().int(),
  name: z.string(),
  prefix: z.string(),
  permissions: z.array(z.string()),
  /** null: wherever the owner holds the permissions. */
  nodeIds: z.array(z.number().int()).nullable(),
  fullAccess: z.boolean(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiToken = z.infer<typeof ApiTokenSchema>;
export const CreateApiTokenSchema = z.object({
  userId: z.number().int().positive(),
  name: z.string().trim().min(1).max(100),
  expiresInDays: z.number().int().min(1).max(3650).nullable().default(365),
  /** Required unless fullAccess: the permissions the token may use (a subset of its owner's). */
  permissions: z.array(PermissionSchema).max(PERMISSION_KEYS.length).optional(),
  /** Plant nodes whose subtrees the token is limited to (within the owner's scope); omitted: no further limit. */
  nodeIds: z.array(z.number().int().positive()).min(1).max(100).nullable().optional(),
  /** All of the owner's power, following the owner's grants; needs a reason. */
  fullAccess: z.boolean().default(false),
  reason: z.string().trim().max(500).optional(),
});
export const CreatedApiTokenSchema = z.object({ token: ApiTokenSchema, secret: z.string() });
