import {
  CreateDepartmentSchema,
  CreatePostSchema,
  CreateShiftSchema,
  CreateTeamSchema,
  DepartmentSchema,
  IdParamsSchema,
  OkSchema,
  PostSchema,
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
}
