import {
  CreatedKioskTokenSchema,
  CreateKioskTokenSchema,
  CreateScreenSchema,
  DeleteScreenSchema,
  IdParamsSchema,
  KioskScreenSchema,
  KioskSessionRequestSchema,
  KioskSessionSchema,
  KioskTokenSchema,
  OkSchema,
  RecordSafeSinceSchema,
  RevokeKioskTokenSchema,
  ScreenDataSchema,
  ScreenSchema,
  UpdateScreenSchema,
} from '@aegis/shared';
import { z } from 'zod';
import { type App, KIOSK_COOKIE } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';
import type { ScreenService } from './service.js';

const tags = ['screens'];
const base = '/api/screens';
const TokenParamsSchema = z.object({
  id: z.coerce.number().int().positive(),
  tokenId: z.coerce.number().int().positive(),
});

/** Control-room big screens (大屏): layouts, their live data, kiosk tokens and the kiosk's session. */
export async function screenRoutes(
  app: App,
  { screens, config }: { screens: ScreenService; config: { cookieSecure: boolean } },
) {
  app.get(
    base,
    {
      config: { permission: 'screen.read' },
      schema: {
        tags,
        summary: 'Big screens in your scope',
        response: { 200: z.array(ScreenSchema), ...errorResponses },
      },
    },
    (req) => screens.list(req.ctx),
  );
  app.get(
    `${base}/:id`,
    {
      config: { permission: 'screen.read' },
      schema: { tags, params: IdParamsSchema, response: { 200: ScreenSchema, ...errorResponses } },
    },
    (req) => screens.get(req.ctx, req.params.id),
  );
  app.get(
    `${base}/:id/versions`,
    {
      config: { permission: 'screen.read' },
      schema: {
        tags,
        summary: "A screen's saved layouts: when, who, why",
        params: IdParamsSchema,
        response: {
          200: z.array(
            z.object({
              version: z.number(),
              name: z.string(),
              savedAt: z.string(),
              savedBy: z.string().nullable(),
              reason: z.string(),
            }),
          ),
          ...errorResponses,
        },
      },
    },
    (req) => screens.versions(req.ctx, req.params.id),
  );
  app.get(
    `${base}/:id/data`,
    {
      config: { permission: 'screen.read' },
      schema: {
        tags,
        summary: "What the screen's widgets show now, for the screen's plant node",
        params: IdParamsSchema,
        response: { 200: ScreenDataSchema, ...errorResponses },
      },
    },
    (req) => screens.data(req.ctx, req.params.id),
  );
  app.post(
    base,
    {
      config: { permission: 'screen.manage' },
      schema: {
        tags,
        summary: 'A new big screen at a plant node (layout checked: grid, overlaps, tags inside the node)',
        body: CreateScreenSchema,
        response: { 201: ScreenSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await screens.create(req.ctx, req.body)),
  );
  app.put(
    `${base}/:id`,
    {
      config: { permission: 'screen.manage' },
      schema: {
        tags,
        summary: 'Saves a new version of the layout (with the version it was edited from and a reason)',
        params: IdParamsSchema,
        body: UpdateScreenSchema,
        response: { 200: ScreenSchema, ...errorResponses },
      },
    },
    (req) => screens.update(req.ctx, req.params.id, req.body),
  );
  app.delete(
    `${base}/:id`,
    {
      config: { permission: 'screen.manage' },
      schema: {
        tags,
        summary: 'Deletes a screen; its kiosk tokens are revoked',
        params: IdParamsSchema,
        body: DeleteScreenSchema,
        response: { 200: OkSchema, ...errorResponses },
      },
    },
    async (req) => {
      await screens.remove(req.ctx, req.params.id, req.body.reason);
      return { ok: true as const };
    },
  );
  app.get(
    `${base}/:id/tokens`,
    {
      config: { permission: 'screen.manage' },
      schema: {
        tags,
        summary: "The screen's kiosk tokens (never their secrets)",
        params: IdParamsSchema,
        response: { 200: z.array(KioskTokenSchema), ...errorResponses },
      },
    },
    (req) => screens.tokens(req.ctx, req.params.id),
  );
  app.post(
    `${base}/:id/tokens`,
    {
      config: { permission: 'screen.manage' },
      schema: {
        tags,
        summary:
          'A kiosk token for the screen; the secret is shown in this answer only (open /kiosk#<secret>)',
        params: IdParamsSchema,
        body: CreateKioskTokenSchema,
        response: { 201: CreatedKioskTokenSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await screens.createToken(req.ctx, req.params.id, req.body)),
  );
  app.post(
    `${base}/:id/tokens/:tokenId/revoke`,
    {
      config: { permission: 'screen.manage' },
      schema: {
        tags,
        summary: 'Revokes a kiosk token: its screens stop at once',
        params: TokenParamsSchema,
        body: RevokeKioskTokenSchema,
        response: { 200: OkSchema, ...errorResponses },
      },
    },
    async (req) => {
      await screens.revokeToken(req.ctx, req.params.id, req.params.tokenId, req.body.reason);
      return { ok: true as const };
    },
  );
  app.put(
    `${base}/safe-since`,
    {
      config: { permission: 'screen.manage' },
      schema: {
        tags,
        summary:
          "Records the day of a node's last recordable incident (days without an incident count from it)",
        body: RecordSafeSinceSchema,
        response: { 200: OkSchema, ...errorResponses },
      },
    },
    async (req) => {
      await screens.recordSafeSince(req.ctx, req.body);
      return { ok: true as const };
    },
  );

  // The kiosk: no sign-in. The token travels in the body (from the link's #fragment), never in a URL.
  app.post(
    '/api/kiosk/session',
    {
      config: { public: true, rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags,
        summary: "Exchanges a kiosk token for a read-only session cookie at its screen's node",
        security: [],
        body: KioskSessionRequestSchema,
        response: { 200: KioskSessionSchema, ...errorResponses, 429: errorResponses[400] },
      },
    },
    async (req, reply) => {
      const { session, screenId, expiresAt } = await screens.openKioskSession(req.ctx, req.body.token);
      reply.setCookie(KIOSK_COOKIE, session, {
        httpOnly: true,
        sameSite: 'strict',
        secure: config.cookieSecure,
        path: '/',
        expires: expiresAt,
      });
      return { screenId, expiresAt: expiresAt.toISOString() };
    },
  );
  app.get(
    '/api/kiosk/screen',
    {
      config: { permission: 'screen.read' },
      schema: {
        tags,
        summary: "A kiosk session's own screen and its data",
        response: { 200: KioskScreenSchema, ...errorResponses },
      },
    },
    (req) => screens.kioskScreen(req.ctx),
  );
}
