import { z } from 'zod';
import { CodeSchema, LocaleSchema, NameSchema } from './common.js';

// Organisation: departments, teams (班组), posts (岗位), shifts and the people in them.

/**
 * A PATCH body: absent means unchanged. Zod 4 fills a `.default()` even inside `.partial()`, so
 * `{active: false}` would reset every defaulted field (home node, team, locale…): drop them.
 */
function noDefaults<T extends z.ZodObject>(schema: T): T {
  const shape: Record<string, z.ZodType> = {};
  for (const [k, v] of Object.entries(schema.shape)) {
    const inner = v instanceof z.ZodOptional ? v.unwrap() : v;
    if (inner instanceof z.ZodDefault) shape[k] = (inner.unwrap() as z.ZodType).optional();
  }
  return schema.extend(shape) as unknown as T;
}

export const DepartmentSchema = z.object({
  id: z.number().int(),
  code: z.string(),
  name: z.string(),
  nodeId: z.number().int().nullable(),
  parentId: z.number().int().nullable(),
});
export const CreateDepartmentSchema = z.object({
  code: CodeSchema,
  name: NameSchema,
  nodeId: z.number().int().positive().nullable().default(null),
  parentId: z.number().int().positive().nullable().default(null),
});
export const UpdateDepartmentSchema = noDefaults(CreateDepartmentSchema.partial().strict());

/** 班组 production team, bound to the workshop (plant node) it works in. */
export const TeamSchema = z.object({
  id: z.number().int(),
  code: z.string(),
  name: z.string(),
  departmentId: z.number().int().nullable(),
  nodeId: z.number().int(),
  leaderId: z.number().int().nullable(),
});
export const CreateTeamSchema = z.object({
  code: CodeSchema,
  name: NameSchema,
  departmentId: z.number().int().positive().nullable().default(null),
  nodeId: z.number().int().positive(),
  leaderId: z.number().int().positive().nullable().default(null),
});
export const UpdateTeamSchema = noDefaults(CreateTeamSchema.partial().strict());

/** 岗位 post (job position). */
export const PostSchema = z.object({
  id: z.number().int(),
  code: z.string(),
  name: z.string(),
  description: z.string(),
});
export const CreatePostSchema = z.object({
  code: CodeSchema,
  name: NameSchema,
  description: z.string().trim().max(2000).default(''),
});
export const UpdatePostSchema = noDefaults(CreatePostSchema.partial().strict());

const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Use HH:MM (24-hour)');
export const ShiftSchema = z.object({
  id: z.number().int(),
  code: z.string(),
  name: z.string(),
  startTime: z.string(),
  endTime: z.string(),
});
export const CreateShiftSchema = z
  .object({ code: CodeSchema, name: NameSchema, startTime: TimeOfDay, endTime: TimeOfDay })
  .refine((s) => s.startTime !== s.endTime, {
    message: 'A shift cannot start and end at the same time',
    path: ['endTime'],
  });
export const UpdateShiftSchema = z
  .object({ code: CodeSchema, name: NameSchema, startTime: TimeOfDay, endTime: TimeOfDay })
  .partial()
  .strict();

export const UserSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  employeeNo: z.string().nullable(),
  displayName: z.string(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  postId: z.number().int().nullable(),
  teamId: z.number().int().nullable(),
  departmentId: z.number().int().nullable(),
  /** The workshop/plant node the person belongs to; decides who may see them. */
  homeNodeId: z.number().int().nullable(),
  kind: z.enum(['person', 'machine']),
  active: z.boolean(),
  locked: z.boolean(),
  locale: LocaleSchema,
  lastLoginAt: z.string().nullable(),
  createdAt: z.string(),
});
export type User = z.infer<typeof UserSchema>;

export const UsernameSchema = z
  .string()
  .trim()
  .min(2)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]*$/, 'Use letters, digits, ".", "_", "-" or "@"');

const Phone = z
  .string()
  .trim()
  .regex(/^\+?[0-9 -]{5,20}$/, 'Not a phone number');

export const CreateUserSchema = z.object({
  username: UsernameSchema,
  employeeNo: z.string().trim().max(64).nullable().default(null),
  displayName: NameSchema,
  phone: Phone.nullable().default(null),
  email: z.email().nullable().default(null),
  postId: z.number().int().positive().nullable().default(null),
  teamId: z.number().int().positive().nullable().default(null),
  departmentId: z.number().int().positive().nullable().default(null),
  homeNodeId: z.number().int().positive().nullable().default(null),
  kind: z.enum(['person', 'machine']).default('person'),
  locale: LocaleSchema.default('zh-CN'),
  password: z.string().min(1).max(256),
});
export const UpdateUserSchema = noDefaults(
  CreateUserSchema.omit({ password: true, username: true, kind: true })
    .partial()
    .extend({ active: z.boolean().optional() })
    .strict(),
);
export const ResetPasswordSchema = z.object({ password: z.string().min(1).max(256) });
export const UserListQuerySchema = z.object({
  q: z.string().trim().max(100).optional(),
  teamId: z.coerce.number().int().positive().optional(),
  nodeId: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  offset: z.coerce.number().int().min(0).default(0),
});
