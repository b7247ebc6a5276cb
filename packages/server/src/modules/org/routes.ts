import {
  CreateDepartmentSchema,
  CreatePostSchema,
  CreateShiftSchema,
  CreateTeamSchema,
  DepartmentSchema,
  IdParamsSchema,
  OkSchema,
  OnDutyQuerySchema,
  OnDutyResponseSchema,
  PostSchema,
  RosterQuerySchema,
  RosterSchema,
  RotateRosterResultSchema,
  RotateRosterSchema,
  SetRosterResultSchema,
  SetRosterSchema,
  ShiftSchema,
  TeamSchema,
  UpdateDepartmentSchema,
  UpdatePostSchema,
  UpdateShiftSchema,
  UpdateTeamSchema,
} from '@aegis/shared';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { RequestContext } from '../../context.js';
import type { App } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';
import type { OrgService } from './service.js';

const tags = ['organisation'];

/** The same five routes for each kind of org record; the service keeps the rules that differ. */
function crud<C extends z.ZodType, U extends z.ZodType, R extends z.ZodType>(
  app: App,
  base: string,
  s: { create: C; update: U; record: R },
  ops: {
    list: (ctx: RequestContext) => Promise<unknown>;
    create: (ctx: RequestContext, input: z.output<C>) => Promise<unknown>;
    update: (ctx: RequestContext, id: number, input: z.output<U>) => Promise<unknown>;
    remove: (ctx: RequestContext, id: number) => Promise<void>;
  },
) {
  // Generic over the record kind, so the handlers work on the plain instance; the schemas still validate.
  const plain = app as unknown as FastifyInstance;
  plain.get(
    base,
    {
      config: { permission: 'org.read' },
      schema: { tags, response: { 200: z.array(s.record), ...errorResponses } },
    },
    (req) => ops.list(req.ctx),
  );
  plain.post(
    base,
    {
      config: { permission: 'org.write' },
      schema: { tags, body: s.create, response: { 201: s.record, ...errorResponses } },
    },
    async (req, reply) => {
      const created = await ops.create(req.ctx, req.body as z.output<C>);
      return reply.code(201).send(created);
    },
  );
  plain.patch(
    `${base}/:id`,
    {
      config: { permission: 'org.write' },
      schema: {
        tags,
        params: IdParamsSchema,
        body: s.update,
        response: { 200: s.record, ...errorResponses },
      },
    },
    (req) => ops.update(req.ctx, (req.params as { id: number }).id, req.body as z.output<U>),
  );
  plain.delete(
    `${base}/:id`,
    {
      config: { permission: 'org.write' },
      schema: { tags, params: IdParamsSchema, response: { 200: OkSchema, ...errorResponses } },
    },
    async (req) => {
      await ops.remove(req.ctx, (req.params as { id: number }).id);
      return { ok: true as const };
    },
  );
}

export async function orgRoutes(app: App, { org }: { org: OrgService }) {
  crud(
    app,
    '/api/org/departments',
    { create: CreateDepartmentSchema, update: UpdateDepartmentSchema, record: DepartmentSchema },
    {
      list: org.listDepartments,
      create: org.createDepartment,
      update: org.updateDepartment,
      remove: org.deleteDepartment,
    },
  );
  crud(
    app,
    '/api/org/teams',
    { create: CreateTeamSchema, update: UpdateTeamSchema, record: TeamSchema },
    {
      list: org.listTeams,
      create: org.createTeam,
      update: org.updateTeam,
      remove: org.deleteTeam,
    },
  );
  crud(
    app,
    '/api/org/posts',
    { create: CreatePostSchema, update: UpdatePostSchema, record: PostSchema },
    {
      list: () => org.listPosts(),
      create: org.createPost,
      update: org.updatePost,
      remove: org.deletePost,
    },
  );
  crud(
    app,
    '/api/org/shifts',
    { create: CreateShiftSchema, update: UpdateShiftSchema, record: ShiftSchema },
    {
      list: () => org.listShifts(),
      create: org.createShift,
      update: org.updateShift,
      remove: org.deleteShift,
    },
  );

  // 排班 shift roster and "who is on duty"
  app.get(
    '/api/org/roster',
    {
      config: { permission: 'org.read' },
      schema: {
        tags,
        summary: "A workshop's roster (排班) for a range of days: team and on-call person per day and shift",
        querystring: RosterQuerySchema,
        response: { 200: RosterSchema, ...errorResponses },
      },
    },
    (req) => org.getRoster(req.ctx, req.query),
  );
  app.put(
    '/api/org/roster',
    {
      config: { permission: 'org.write' },
      schema: {
        tags,
        summary: 'Sets (teamId) or clears (teamId null) roster slots of one workshop, with a reason',
        body: SetRosterSchema,
        response: { 200: SetRosterResultSchema, ...errorResponses },
      },
    },
    (req) => org.setRoster(req.ctx, req.body),
  );
  app.post(
    '/api/org/roster/rotate',
    {
      config: { permission: 'org.write' },
      schema: {
        tags,
        summary:
          "Generates a rotation (倒班) and replaces the workshop's roster of those days, all or nothing",
        description:
          'rotate: on day d team i works shift number (floor(d / blockDays) + i) mod teams, resting when that is past ' +
          'the last shift (4 teams on day/night with blockDays 1: day-night-rest-rest; 4 teams on 3 shifts with ' +
          'blockDays 2: 四班三倒). cycle: cycle[j][k] is the team on shift k on day j of a repeating cycle. ' +
          "onCall 'leader' puts each team's leader on call.",
        body: RotateRosterSchema,
        response: { 200: RotateRosterResultSchema, ...errorResponses },
      },
    },
    (req) => org.rotateRoster(req.ctx, req.body),
  );
  app.get(
    '/api/org/on-duty',
    {
      config: { permission: 'org.read' },
      schema: {
        tags,
        summary:
          'Who is on duty at a plant node now (or at `at`): shift, team, leader, on-call person, members',
        description:
          'The deepest roster node on the path of nodeId with an entry for a running shift answers; shift times are read in the plant time zone.',
        querystring: OnDutyQuerySchema,
        response: { 200: OnDutyResponseSchema, ...errorResponses },
      },
    },
    (req) => org.onDuty(req.ctx, req.query),
  );
}
