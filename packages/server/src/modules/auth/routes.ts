import {
  ApiTokenSchema,
  ChangePasswordSchema,
  CreateApiTokenSchema,
  CreatedApiTokenSchema,
  IdParamsSchema,
  LoginResultSchema,
  LoginSchema,
  MeSchema,
  OkSchema,
  SessionSchema,
} from '@aegis/shared';
import { z } from 'zod';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { type App, SESSION_COOKIE } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';
import type { AuthService } from './service.js';

const tags = ['auth'];

export async function authRoutes(app: App, { auth, config }: { auth: AuthService; config: Config }) {
  app.post(
    '/api/auth/login',
    {
      config: { public: true, rateLimit: { max: config.loginRateLimitPerMinute, timeWindow: '1 minute' } },
      schema: {
        tags,
        summary: 'Sign in with username and password; sets an httpOnly session cookie',
        security: [],
        body: LoginSchema,
        response: {
          200: LoginResultSchema,
          // A locked account answers 401 like an unknown one (no 423 that would confirm it exists).
          ...errorResponses,
          429: errorResponses[400],
        },
      },
    },
    async (req, reply) => {
      const { token, actor, expiresAt } = await auth.login(req.ctx, {
        ...req.body,
        userAgent: req.headers['user-agent']?.slice(0, 300) ?? null,
      });
      reply.setCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'lax',
        secure: config.cookieSecure,
        path: '/',
        expires: expiresAt,
      });
      return { status: 'ok' as const, user: await auth.me(actor) };
    },
  );
  app.post(
    '/api/auth/logout',
    { config: { authenticated: true }, schema: { tags, response: { 200: OkSchema, ...errorResponses } } },
    async (req, reply) => {
      await auth.logout(req.ctx);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true as const };
    },
  );
  app.get(
    '/api/auth/me',
    {
      config: { authenticated: true },
      schema: {
        tags,
        summary: 'Who you are and what you may do where',
        response: { 200: MeSchema, ...errorResponses },
      },
    },
    (req) => auth.me(req.ctx.actor!),
  );
  app.post(
    '/api/auth/password',
    {
      config: { authenticated: true },
      schema: {
        tags,
        summary: 'Change your own password; ends your other sessions',
        body: ChangePasswordSchema,
        response: { 200: OkSchema, ...errorResponses },
      },
    },
    async (req) => {
      await auth.changePassword(req.ctx, req.body.currentPassword, req.body.newPassword);
      return { ok: true as const };
    },
  );
  app.get(
    '/api/auth/sessions',
    {
      config: { authenticated: true },
      schema: {
        tags,
        summary: 'Active sessions of a user (yours by default)',
        querystring: z.object({ userId: z.coerce.number().int().positive().optional() }),
        response: { 200: z.array(SessionSchema), ...errorResponses },
      },
    },
    (req) => auth.sessions(req.ctx, req.query.userId ?? req.ctx.actor!.userId!),
  );
  app.delete(
    '/api/auth/sessions/:id',
    {
      config: { authenticated: true },
      schema: {
        tags,
        summary: 'End a session',
        params: IdParamsSchema,
        response: { 200: OkSchema, ...errorResponses },
      },
    },
    async (req) => {
      await auth.revokeSession(req.ctx, req.params.id);
      return { ok: true as const };
    },
  );
  app.get(
    '/api/auth/tokens',
    {
      config: { permission: 'token.manage' },
      schema: { tags, response: { 200: z.array(ApiTokenSchema), ...errorResponses } },
    },
    async (req) => {
      requireGlobal(req.ctx.actor?.grants);
      return auth.listTokens();
    },
  );
  app.post(
    '/api/auth/tokens',
    {
      config: { permission: 'token.manage' },
      schema: {
        tags,
        summary: 'Issue an API token for a (machine) user; the secret is shown once',
        body: CreateApiTokenSchema,
        response: { 201: CreatedApiTokenSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      requireGlobal(req.ctx.actor?.grants);
      return reply.code(201).send(await auth.createToken(req.ctx, req.body));
    },
  );
  app.delete(
    '/api/auth/tokens/:id',
    {
      config: { permission: 'token.manage' },
      schema: { tags, params: IdParamsSchema, response: { 200: OkSchema, ...errorResponses } },
    },
    async (req) => {
      requireGlobal(req.ctx.actor?.grants);
      await auth.revokeToken(req.ctx, req.params.id);
      return { ok: true as const };
    },
  );
}

/** API tokens act across the plant, so managing them needs an enterprise-wide grant. */
function requireGlobal(grants: { permission: string; path: string | null }[] | undefined) {
  if (!grants?.some((g) => (g.permission === 'token.manage' || g.permission === '*') && g.path === null)) {
    throw new AppError('forbidden', 'Managing API tokens needs an enterprise-wide grant');
  }
}
