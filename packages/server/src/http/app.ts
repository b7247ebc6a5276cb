import { existsSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type { Permission } from '@aegis/shared';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { RequestContext } from '../context.js';
import { AppError } from '../errors.js';
import { canAnywhere } from '../modules/access/index.js';
import { processFaults } from '../process-guard.js';
import type { Services } from '../services.js';
import { errorHandler, toProblem } from './errors.js';
import { registerRoutes } from './routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    ctx: RequestContext;
  }
  interface FastifyContextConfig {
    /** The permission a route needs somewhere in the plant; services then check the record's scope. */
    permission?: Permission;
    /** Reachable without signing in (login, health). */
    public?: boolean;
    /** Any signed-in user (own profile, own password, logout). */
    authenticated?: boolean;
    /** false: a successful call leaves no audit entry (machine traffic that is counted instead, e.g. ingest). */
    audit?: boolean;
  }
}

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export const SESSION_COOKIE = 'aegis_session';
/** A big-screen kiosk's read-only session (modules/screen); a person's session cookie wins over it. */
export const KIOSK_COOKIE = 'aegis_kiosk';
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

export interface HttpOptions {
  logger?: FastifyServerOptions['logger'] | false;
  loggerInstance?: FastifyServerOptions['loggerInstance'];
}

export async function buildHttpApp(services: Services, opts: HttpOptions = {}): Promise<App> {
  const { config, auth, audit } = services;
  const app = Fastify({
    ...(opts.loggerInstance ? { loggerInstance: opts.loggerInstance } : { logger: opts.logger ?? false }),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : crypto.randomUUID();
    },
    bodyLimit: 5 * 1024 * 1024,
    // Off by default: otherwise any client's X-Forwarded-For would choose its own rate-limit key
    // and the address written to the audit trail. Set AEGIS_TRUST_PROXY behind a reverse proxy.
    trustProxy:
      typeof config.trustProxy === 'number'
        ? (_addr: string, hop: number) => hop < (config.trustProxy as number)
        : config.trustProxy,
    // One debug line per request (onResponse below) instead of two info lines: at info level the
    // console says what the plant does, not every poll of the UI.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { ignoreTrailingSlash: true },
    // Requests the HTTP parser refuses before Fastify sees them still get the error body.
    clientErrorHandler: clientError,
    // Bad percent-encoding and over-long path parameters, refused by the router: same error body.
    frameworkErrors: (err, req, rawReply) => {
      const problem = toProblem(err);
      const reply = rawReply as FastifyReply;
      return reply
        .code(problem.status)
        .header('cache-control', 'no-store')
        .send({ error: { code: problem.code, message: problem.message, requestId: req.id } });
    },
  }).withTypeProvider<ZodTypeProvider>() as unknown as App;

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler(audit));
  // Bodies are JSON. A text/plain body is what a cross-site form can send without a preflight:
  // refused with 415 even where a browser sends no Origin.
  app.removeContentTypeParser('text/plain');

  // Every API route must say who may call it; a route that forgets fails at start-up, not in production.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/') || route.url.startsWith('/api/docs')) return;
    const c = route.config as { permission?: string; public?: boolean; authenticated?: boolean } | undefined;
    if (!c?.permission && !c?.public && !c?.authenticated) {
      throw new Error(
        `Route ${route.method} ${route.url} declares no permission (config.permission/public/authenticated)`,
      );
    }
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        upgradeInsecureRequests: null,
      },
    },
    hsts: config.cookieSecure,
  });
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Aegis MES API',
        version: '0.1.0',
        description:
          'Production-safety MES. Sign in with POST /api/auth/login (session cookie) or send `Authorization: Bearer aegis_pat_…`.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  const allowedOrigins = new Set(config.allowedOrigins);
  app.addHook('onRequest', async (req, reply) => {
    req.ctx = { actor: null, requestId: req.id, ip: req.ip };
    reply.header('x-request-id', req.id);
    const routeConfig = req.routeOptions.config ?? {};
    if (!req.url.startsWith('/api/') || req.url.startsWith('/api/docs')) return;
    // API answers carry personal data and live values: no browser or proxy cache keeps them.
    reply.header('cache-control', 'no-store');

    const bearer = req.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
    // CSRF: a browser attaches the session cookie to requests another site makes it send, but it
    // also says where they come from. A bearer token is never attached by a browser on its own.
    const upgrade = req.headers.upgrade?.toLowerCase() === 'websocket';
    if ((MUTATING.has(req.method) && !bearer) || upgrade) {
      const foreign = crossOrigin(req, allowedOrigins);
      if (foreign) {
        req.log.warn({ origin: foreign, method: req.method, url: req.url }, 'cross-origin request refused');
        throw new AppError(
          'cross_origin',
          `Requests from ${foreign} are not accepted; open Aegis at its own address (or list that origin in AEGIS_ALLOWED_ORIGINS)`,
        );
      }
    }
    const cookieToken = req.cookies[SESSION_COOKIE];
    if (bearer) req.ctx.actor = await auth.authenticateToken(bearer);
    else if (cookieToken) req.ctx.actor = await auth.authenticateSession(cookieToken);
    // The kiosk's own routes take its cookie even where a person is signed in in the same browser.
    const kioskCookie = req.cookies[KIOSK_COOKIE];
    if (!bearer && kioskCookie && (!req.ctx.actor || req.url.startsWith('/api/kiosk/'))) {
      const kiosk = await services.screens.authenticateKiosk(kioskCookie);
      if (kiosk || !req.ctx.actor) req.ctx.actor = kiosk;
    }

    if (routeConfig.public) return;
    if (!req.ctx.actor) {
      throw new AppError(
        'unauthenticated',
        bearer ? 'The API token is invalid, expired or revoked' : 'Sign in first',
      );
    }
    if (req.ctx.actor.passwordChangeRequired && req.ctx.actor.sessionId && !routeConfig.authenticated) {
      throw new AppError('password_change_required', 'Change your password before continuing');
    }
    const permission = routeConfig.permission;
    // A kiosk only reads: no state-changing call, and no own-account route (it has no account).
    if (
      req.ctx.actor.kiosk &&
      (MUTATING.has(req.method) || (!permission && req.routeOptions.url !== '/api/live'))
    ) {
      await audit.record(req.ctx, {
        action: 'access.denied',
        outcome: 'denied',
        targetType: 'route',
        targetId: `${req.method} ${req.routeOptions.url}`,
        after: { kiosk: true },
      });
      throw new AppError('forbidden', 'A big-screen kiosk may only read its screen');
    }
    if (permission && !canAnywhere(req.ctx.actor, permission)) {
      await audit.record(req.ctx, {
        action: 'access.denied',
        outcome: 'denied',
        targetType: 'route',
        targetId: `${req.method} ${req.routeOptions.url}`,
        after: { permission },
      });
      throw new AppError('forbidden', `This needs the permission ${permission}`);
    }
  });

  // PostgreSQL text cannot hold NUL: refuse it at the edge, in the URL and anywhere in a JSON body,
  // instead of failing deep in a query with a 500.
  app.addHook('preValidation', async (req) => {
    if (!req.url.startsWith('/api/')) return;
    if (req.url.includes('%00') || req.url.includes('\u0000') || hasNul(req.body, 0)) {
      throw new AppError('validation_failed', 'Text may not contain the NUL character (\\u0000)');
    }
  });

  app.addHook('onResponse', async (req, reply) => {
    // A refused WebSocket upgrade (401, 403) was answered on the raw socket, which the HTTP server
    // no longer manages: close it, or it stays open (and holds up the server's close).
    if (req.headers.upgrade?.toLowerCase() === 'websocket' && !req.raw.socket.destroyed)
      req.raw.socket.destroy();
    req.log.debug(
      { method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });

  // Safety net: a state-changing request that succeeded without an audit entry still leaves one.
  app.addHook('onResponse', async (req, reply) => {
    if (!MUTATING.has(req.method) || reply.statusCode >= 400 || req.ctx?.audited) return;
    if (req.routeOptions.config?.audit === false) return;
    if (!req.url.startsWith('/api/')) return;
    await audit
      .record(req.ctx, {
        action: `http.${req.method.toLowerCase()}`,
        targetType: 'route',
        targetId: req.routeOptions.url ?? req.url,
      })
      .catch((e) => req.log.error({ err: e }, 'audit safety net failed'));
  });

  // processFaults: errors that escaped every catch (logged as BUG); the process survived them.
  // disk: the disk-space level (ok, warning, alarm, full: new values refused); details at /api/system/disk.
  app.get('/healthz', { config: { public: true }, schema: { hide: true } }, async () => ({
    status: 'ok',
    processFaults: processFaults(),
    disk: services.disk.status().level,
  }));
  app.get('/readyz', { config: { public: true }, schema: { hide: true } }, async (_req, reply) => {
    try {
      await services.db.query('SELECT 1');
      // A connector that receives values but stores none of them (every point refused, storage failing).
      const stalled = services.ingest.stalled();
      if (stalled.length) return reply.code(503).send({ status: 'not ready', ingest: { stalled } });
      return { status: 'ready' };
    } catch (e) {
      return reply.code(503).send({ status: 'not ready', error: (e as Error).message });
    }
  });

  await registerRoutes(app, services);

  const webDir = config.webDir ?? defaultWebDir();
  if (webDir && existsSync(path.join(webDir, 'index.html'))) {
    await app.register(fastifyStatic, { root: webDir, wildcard: false, index: 'index.html' });
  }
  app.setNotFoundHandler((req, reply) => {
    if (
      req.method === 'GET' &&
      !req.url.startsWith('/api/') &&
      webDir &&
      existsSync(path.join(webDir, 'index.html'))
    ) {
      return reply.type('text/html').sendFile('index.html');
    }
    return reply.code(404).send({
      error: {
        code: 'not_found',
        message: `No route ${req.method} ${req.url.split('?')[0]}`,
        requestId: req.id,
      },
    });
  });

  return app;
}

function hasNul(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (typeof value !== 'object' || value === null || depth > 64) return false;
  for (const [k, v] of Object.entries(value)) if (k.includes('\u0000') || hasNul(v, depth + 1)) return true;
  return false;
}

/**
 * The other site behind a request, or null when it comes from our own origin, an allowed one, or
 * a non-browser client (no Origin and no Sec-Fetch-Site: curl, gateways, scripts).
 */
function crossOrigin(req: FastifyRequest, allowed: Set<string>): string | null {
  const origin = req.headers.origin;
  if (origin !== undefined) {
    if (allowed.has(origin)) return null;
    // Same origin: the page was served by the host the browser is talking to (Host, or
    // X-Forwarded-Host from a trusted proxy); URL drops the scheme's default port on both sides.
    try {
      const from = new URL(origin);
      if (from.host === new URL(`${from.protocol}//${req.host}`).host) return null;
    } catch {}
    return origin.slice(0, 200);
  }
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `a ${site} page`;
  return null;
}

/** 414, 431 and malformed requests, refused by Node's HTTP parser, answered with the error body. */
function clientError(err: Error & { code?: string }, socket: Duplex) {
  if (!socket.writable) return socket.destroy(err);
  const [status, code, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers_too_large', 'The request headers are too large']
      : err.code === 'HPE_URI_TOO_LONG' || err.code === 'FST_ERR_URI_TOO_LONG'
        ? [414, 'uri_too_long', 'The request URL is too long']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'validation_failed', 'The request took too long to arrive']
          : [400, 'validation_failed', 'The request is malformed'];
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function defaultWebDir() {
  // packages/server/{src,dist}/http → packages/web/dist
  const candidate = path.resolve(import.meta.dirname, '../../../web/dist');
  return existsSync(candidate) ? candidate : null;
}
