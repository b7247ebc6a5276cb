import {
  CreateRoleAssignmentSchema,
  CreateRoleSchema,
  DeleteWithReasonSchema,
  IdParamsSchema,
  IdSchema,
  OkSchema,
  PERMISSIONS,
  RoleAssignmentSchema,
  RoleSchema,
  UpdateRoleSchema,
} from '@aegis/shared';
import { z } from 'zod';
import type { App } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';
import type { AccessService } from './service.js';

const tags = ['access'];

export async function accessRoutes(app: App, { access }: { access: AccessService }) {
  app.get(
    '/api/access/permissions',
    {
      config: { permission: 'role.read' },
      schema: {
        tags,
        summary: 'The permission catalogue',
        response: {
          200: z.array(z.object({ key: z.string(), zh: z.string(), en: z.string() })),
          ...errorResponses,
        },
      },
    },
    async () => Object.entries(PERMISSIONS).map(([key, v]) => ({ key, zh: v.zh, en: v.en })),
  );
  app.get(
    '/api/access/roles',
    {
      config: { permission: 'role.read' },
      schema: { tags, response: { 200: z.array(RoleSchema), ...errorResponses } },
    },
    (req) => access.listRoles(req.ctx),
  );
  app.post(
    '/api/access/roles',
    {
      config: { permission: 'role.write' },
      schema: {
        tags,
        summary: 'Create a custom role (reason required)',
        body: CreateRoleSchema,
        response: { 201: RoleSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await access.createRole(req.ctx, req.body)),
  );
  app.patch(
    '/api/access/roles/:id',
    {
      config: { permission: 'role.write' },
      schema: {
        tags,
        params: IdParamsSchema,
        body: UpdateRoleSchema,
        response: { 200: RoleSchema, ...errorResponses },
      },
    },
    (req) => access.updateRole(req.ctx, req.params.id, req.body),
  );
  app.delete(
    '/api/access/roles/:id',
    {
      config: { permission: 'role.write' },
      schema: {
        tags,
        params: IdParamsSchema,
        body: DeleteWithReasonSchema,
        response: { 200: OkSchema, ...errorResponses },
      },
    },
    async (req) => {
      await access.deleteRole(req.ctx, req.params.id, req.body.reason);
      return { ok: true as const };
    },
  );
  app.get(
    '/api/users/:id/roles',
    {
      config: { permission: 'role.read' },
      schema: {
        tags,
        summary: "A user's role grants",
        params: IdParamsSchema,
        response: { 200: z.array(RoleAssignmentSchema), ...errorResponses },
      },
    },
    (req) => access.assignmentsOf(req.ctx, req.params.id),
  );
  app.post(
    '/api/users/:id/roles',
    {
      config: { permission: 'role.write' },
      schema: {
        tags,
        summary: 'Grant a role at a plant node, or everywhere with nodeId null (reason required)',
        params: IdParamsSchema,
        body: CreateRoleAssignmentSchema,
        response: { 201: RoleAssignmentSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await access.assign(req.ctx, req.params.id, req.body)),
  );
  app.delete(
    '/api/users/:id/roles/:assignmentId',
    {
      config: { permission: 'role.write' },
      schema: {
        tags,
        summary: 'Revoke a grant (reason required)',
        params: z.object({ id: IdSchema, assignmentId: IdSchema }),
        body: DeleteWithReasonSchema,
        response: { 200: OkSchema, ...errorResponses },
      },
    },
    async (req) => {
      await access.unassign(req.ctx, req.params.id, req.params.assignmentId, req.body.reason);
      return { ok: true as const };
    },
  );
}
