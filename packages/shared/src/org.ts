import { z } from 'zod';
import { CodeSchema, LocaleSchema, NameSchema, ReasonSchema } from './common.js';

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

// 排班 shift roster: per workshop (plant node), day and shift, the team on duty and the on-call
// person (值班人员). A shift crossing midnight belongs to the roster day on which it starts.

/** A calendar day in the plant's time zone, YYYY-MM-DD. */
export const RosterDaySchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date YYYY-MM-DD')
  .refine((d) => {
    const t = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(t.getTime()) && t.toISOString().startsWith(d);
  }, 'Not a calendar date');
const dayNumber = (d: string) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;
const PositiveId = z.coerce.number().int().positive();
/** The longest range read or generated at once. */
export const ROSTER_MAX_DAYS = 366;

export const RosterEntrySchema = z.object({
  nodeId: z.number().int(),
  day: z.string(),
  shiftId: z.number().int(),
  teamId: z.number().int(),
  teamName: z.string(),
  onCallUserId: z.number().int().nullable(),
  onCallName: z.string().nullable(),
});
export type RosterEntry = z.infer<typeof RosterEntrySchema>;

export const RosterQuerySchema = z
  .object({ nodeId: PositiveId, from: RosterDaySchema, to: RosterDaySchema })
  .refine((q) => dayNumber(q.to) >= dayNumber(q.from), { message: 'to is before from', path: ['to'] })
  .refine((q) => dayNumber(q.to) - dayNumber(q.from) < ROSTER_MAX_DAYS, {
    message: `At most ${ROSTER_MAX_DAYS} days at once`,
    path: ['to'],
  });
export const RosterSchema = z.object({
  nodeId: z.number().int(),
  from: z.string(),
  to: z.string(),
  entries: z.array(RosterEntrySchema),
});

/** Sets (teamId given) or clears (teamId null) single roster slots of one workshop. */
export const SetRosterSchema = z.object({
  nodeId: z.number().int().positive(),
  entries: z
    .array(
      z
        .object({
          day: RosterDaySchema,
          shiftId: z.number().int().positive(),
          teamId: z.number().int().positive().nullable(),
          onCallUserId: z.number().int().positive().nullable().default(null),
        })
        .refine((e) => e.teamId !== null || e.onCallUserId === null, {
          message: 'An on-call person needs a team on duty',
          path: ['onCallUserId'],
        }),
    )
    .min(1)
    .max(1000)
    .refine((es) => new Set(es.map((e) => `${e.day}/${e.shiftId}`)).size === es.length, {
      message: 'A day and shift appear twice',
    }),
  reason: ReasonSchema,
});
export const SetRosterResultSchema = z.object({ set: z.number().int(), cleared: z.number().int() });

const rotationBase = {
  nodeId: z.number().int().positive(),
  from: RosterDaySchema,
  days: z.number().int().min(1).max(ROSTER_MAX_DAYS),
  /** The shifts in the order the rotation walks them (e.g. day, night). */
  shiftIds: z
    .array(z.number().int().positive())
    .min(1)
    .max(8)
    .refine((ids) => new Set(ids).size === ids.length, 'A shift appears twice'),
  /** leader: each slot's on-call person is the leader of the team on duty; none: nobody. */
  onCall: z.enum(['leader', 'none']).default('leader'),
  reason: ReasonSchema,
};
/**
 * Fills a workshop's roster from `from` for `days` days, replacing every entry of those days.
 * rotate: team i works shift number (⌊d / blockDays⌋ + i) mod teams on day d and rests when that
 * is past the last shift (4 teams, day/night, blockDays 1 → 白夜休休; 4 teams, 3 shifts,
 * blockDays 2 → 早早中中夜夜休休, 四班三倒). cycle: cycle[j][k] is the team on shift k on day j of
 * a cycle that repeats (null: nobody).
 */
export const RotateRosterSchema = z.discriminatedUnion('pattern', [
  z
    .object({
      ...rotationBase,
      pattern: z.literal('rotate'),
      teamIds: z
        .array(z.number().int().positive())
        .min(1)
        .max(16)
        .refine((ids) => new Set(ids).size === ids.length, 'A team appears twice'),
      blockDays: z.number().int().min(1).max(31).default(1),
    })
    .refine((r) => r.teamIds.length >= r.shiftIds.length, {
      message: 'A rotation needs at least as many teams as shifts',
      path: ['teamIds'],
    }),
  z
    .object({
      ...rotationBase,
      pattern: z.literal('cycle'),
      cycle: z.array(z.array(z.number().int().positive().nullable())).min(1).max(62),
    })
    .refine((r) => r.cycle.every((day) => day.length === r.shiftIds.length), {
      message: 'Each day of the cycle names one team (or null) per shift',
      path: ['cycle'],
    }),
]);
export const RotateRosterResultSchema = z.object({
  nodeId: z.number().int(),
  from: z.string(),
  to: z.string(),
  written: z.number().int(),
});

export const OnDutyQuerySchema = z.object({
  nodeId: PositiveId,
  /** An instant (ISO 8601 with offset); now when absent. */
  at: z.iso.datetime({ offset: true }).optional(),
});
export const OnDutyPersonSchema = z.object({
  id: z.number().int(),
  displayName: z.string(),
  /** Only for callers who may read people at the node. */
  phone: z.string().nullable(),
});
export const OnDutySchema = z.object({
  day: z.string(),
  shiftId: z.number().int(),
  shiftName: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  /** The roster node that answered: the deepest one on the path with an entry for the shift. */
  nodeId: z.number().int(),
  teamId: z.number().int(),
  teamName: z.string(),
  leader: OnDutyPersonSchema.nullable(),
  onCall: OnDutyPersonSchema.nullable(),
  members: z.array(OnDutyPersonSchema),
});
export type OnDuty = z.infer<typeof OnDutySchema>;
export const OnDutyResponseSchema = z.object({ at: z.string(), onDuty: OnDutySchema.nullable() });
