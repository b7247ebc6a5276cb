import { z } from 'zod';
import { CodeSchema, NameSchema, ReasonSchema } from './common.js';
import { PERMISSION_KEYS, type Permission } from './permissions.js';

export const PermissionSchema = z.enum(PERMISSION_KEYS as [Permission, ...Permission[]]);

export const RoleSchema = z.object({
  id: z.number().int(),
  code: z.string(),
  nameZh: z.string(),
  nameEn: z.string(),
  builtin: z.boolean(),
  permissions: z.array(PermissionSchema),
});
export type Role = z.infer<typeof RoleSchema>;

export const CreateRoleSchema = z.object({
  code: CodeSchema,
  nameZh: NameSchema,
  nameEn: NameSchema,
  permissions: z.array(PermissionSchema).min(1),
  reason: ReasonSchema,
});
export const UpdateRoleSchema = z
  .object({
    nameZh: NameSchema.optional(),
    nameEn: NameSchema.optional(),
    permissions: z.array(PermissionSchema).min(1).optional(),
    reason: ReasonSchema,
  })
  .strict();

export const RoleAssignmentSchema = z.object({
  id: z.number().int(),
  userId: z.number().int(),
  roleId: z.number().int(),
  roleCode: z.string(),
  /** null: the whole enterprise. */
  nodeId: z.number().int().nullable(),
  createdAt: z.string(),
});
export const CreateRoleAssignmentSchema = z.object({
  roleId: z.number().int().positive(),
  nodeId: z.number().int().positive().nullable(),
  reason: ReasonSchema,
});
export const DeleteWithReasonSchema = z.object({ reason: ReasonSchema });
