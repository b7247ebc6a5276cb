import {
  CreateUserSchema,
  IdParamsSchema,
  OkSchema,
  ResetPasswordSchema,
  UpdateUserSchema,
  UserListQuerySchema,
  UserSchema,
} from '@aegis/shared';
import { z } from 'zod';
import type { App } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';
import type { UsersService } from './service.js';

const tags = ['users'];

export async function userRoutes(app: App, { users }: { users: UsersService }) {
  app.get(
    '/api/users',
    {
      config: { permission: 'user.read' },
      schema: {
        tags,
        summary: 'People and machine accounts in your scope',
        querystring: UserListQuerySchema,
        response: {
          200: z.object({ items: z.array(UserSchema), total: z.number().int() }),
          ...errorResponses,
        },
      },
    },
    (req) => users.list(req.ctx, req.query),
  );
  app.get(
    '/api/users/:id',
    {
      config: { permission: 'user.read' },
      schema: { tags, params: IdParamsSchema, response: { 200: UserSchema, ...errorResponses } },
    },
    (req) => users.get(req.ctx, req.params.id),
  );
  app.post(
    '/api/users',
    {
      config: { permission: 'user.write' },
      schema: {
        tags,
        summary: 'Create a user (must change the password at first sign-in)',
        body: CreateUserSchema,
        response: { 201: UserSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await users.create(req.ctx, req.body)),
  );
  app.patch(
    '/api/users/:id',
    {
      config: { permission: 'user.write' },
      schema: {
        tags,
        params: IdParamsSchema,
        body: UpdateUserSchema,
        response: { 200: UserSchema, ...errorResponses },
      },
    },
    (req) => users.update(req.ctx, req.params.id, req.body),
  );
  app.post(
    '/api/users/:id/password',
    {
      config: { permission: 'user.write' },
      schema: {
        tags,
        summary: 'Set a new password and unlock the account',
        params: IdParamsSchema,
        body: ResetPasswordSchema,
        response: { 200: OkSchema, ...errorResponses },
      },
    },
    async (req) => {
      await users.resetPassword(req.ctx, req.params.id, req.body.password);
      return { ok: true as const };
    },
  );
}
