import type { IncomingMessage } from 'node:http';
import {
  ErrorBodySchema,
  EvidenceListQuerySchema,
  EvidencePhotoSchema,
  EvidenceReviewSchema,
  EvidenceUploadQuerySchema,
  IdParamsSchema,
  type Permission,
} from '@aegis/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import type { App } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';
import { canAnywhere } from '../access/index.js';
import type { AuditService } from '../audit/index.js';
import type { EvidenceService } from './service.js';

const tags = ['evidence'];

/**
 * The raw photo bytes of an upload, or why they were not read (too large). Wrapped so that generic
 * body walkers (the NUL check) see no enumerable bytes — a Buffer would be walked index by index.
 */
class UploadBody {
  readonly #bytes: Buffer;
  constructor(
    bytes: Buffer,
    readonly refusal: AppError | null = null,
  ) {
    this.#bytes = bytes;
  }
  get bytes() {
    return this.#bytes;
  }
}

/** The body as the OpenAPI document shows it: the photo's bytes. */
const PhotoBodySchema = z
  .custom<UploadBody>((v) => v instanceof UploadBody, {
    message:
      'Send the photo itself as the body, with Content-Type image/jpeg (or another image type) or application/octet-stream',
  })
  .meta({ type: 'string', format: 'binary', description: 'the photo file, unchanged' });

const tooLarge = (maxBytes: number, bytes: number | null) =>
  new AppError(
    'payload_too_large',
    `${bytes === null ? 'The photo is' : `The photo is ${(bytes / 1024 / 1024).toFixed(1)} MB,`} larger than the ${(maxBytes / 1024 / 1024).toFixed(0)} MB accepted: take it again at a lower resolution or let the app compress it`,
    { maxBytes, ...(bytes === null ? {} : { bytes }) },
  );

/** A refused body is read on and thrown away up to this many times the limit; then the connection is cut. */
const DISCARD_FACTOR = 8;

/**
 * Reads the body up to maxBytes. A larger one (by Content-Length, or once the limit is passed) is
 * refused at once without being kept: the 413 goes out while the rest is read and thrown away, so
 * the client sees the answer — closing the connection under a client still sending shows it a
 * network error instead (fastify's own limit does that).
 */
function readLimited(req: IncomingMessage, maxBytes: number): Promise<UploadBody> {
  const discard = () => {
    let thrownAway = 0;
    req.on('data', (chunk: Buffer) => {
      thrownAway += chunk.length;
      if (thrownAway > DISCARD_FACTOR * maxBytes) req.socket.destroy();
    });
    req.resume();
  };
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    discard();
    return Promise.resolve(new UploadBody(Buffer.alloc(0), tooLarge(maxBytes, declared)));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const cleanup = () => {
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('error', onError);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) {
        cleanup();
        chunks.length = 0;
        discard();
        resolve(new UploadBody(Buffer.alloc(0), tooLarge(maxBytes, null)));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(new UploadBody(Buffer.concat(chunks, total)));
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

const contentDisposition = (fileName: string) => {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `inline; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
};

/**
 * Refuses, before the body is read, a caller who holds none of the permissions anywhere (the
 * owner module then checks the record's place); the denial is audited like a route permission's.
 */
function requireAnyOf(audit: AuditService, permissions: Permission[]) {
  return async (req: FastifyRequest) => {
    const actor = req.ctx.actor;
    if (actor && permissions.some((p) => canAnywhere(actor, p))) return;
    await audit.record(req.ctx, {
      action: 'access.denied',
      outcome: 'denied',
      targetType: 'route',
      targetId: `${req.method} ${req.routeOptions.url}`,
      after: { permission: permissions.join(' | ') },
    });
    throw new AppError('forbidden', `This needs one of the permissions ${permissions.join(', ')}`);
  };
}

export async function evidenceRoutes(
  app: App,
  {
    evidence,
    audit,
    config,
  }: { evidence: EvidenceService; audit: AuditService; config: { evidenceMaxBytes: number } },
) {
  const maxBytes = config.evidenceMaxBytes;
  // A scope of its own: the raw-body parser exists only for these routes.
  await app.register(async (scoped: App) => {
    const parse = async (req: { raw: IncomingMessage }) => readLimited(req.raw, maxBytes);
    scoped.addContentTypeParser('application/octet-stream', parse);
    scoped.addContentTypeParser(/^image\/[\w.+-]+$/, parse);

    scoped.post(
      '/api/evidence',
      {
        config: { authenticated: true },
        // whoever may add to an inspection or a hazard somewhere (reporter, rectifier's "after" photo, verifier)
        onRequest: requireAnyOf(audit, [
          'inspection.perform',
          'hazard.report',
          'hazard.rectify',
          'hazard.verify',
          'hazard.manage',
        ]),
        bodyLimit: maxBytes,
        schema: {
          tags,
          summary:
            'Upload one photo as the raw body (image/* or application/octet-stream); checked by content, size, capture time and reuse. The same clientId again returns the first record (200).',
          querystring: EvidenceUploadQuerySchema,
          consumes: ['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'application/octet-stream'],
          body: PhotoBodySchema,
          response: {
            200: EvidencePhotoSchema,
            201: EvidencePhotoSchema,
            ...errorResponses,
            413: ErrorBodySchema,
            415: ErrorBodySchema,
            422: ErrorBodySchema,
          },
        },
      },
      async (req, reply) => {
        if (req.body.refusal) throw req.body.refusal;
        const q = req.query;
        const { photo, created } = await evidence.upload(req.ctx, {
          ownerKind: q.ownerKind,
          ownerId: q.ownerId,
          clientId: q.clientId ?? null,
          fileName: q.fileName ?? '',
          bytes: req.body.bytes,
        });
        return reply.code(created ? 201 : 200).send(photo);
      },
    );
  });

  app.get(
    '/api/evidence',
    {
      config: { authenticated: true },
      schema: {
        tags,
        summary: "A record's photos, with their flags and reviews",
        querystring: EvidenceListQuerySchema,
        response: { 200: z.array(EvidencePhotoSchema), ...errorResponses },
      },
    },
    (req) => evidence.listFor(req.ctx, req.query.ownerKind, req.query.ownerId),
  );

  app.get(
    '/api/evidence/:id',
    {
      config: { authenticated: true },
      schema: {
        tags,
        summary: "A photo's metadata, flags and review",
        params: IdParamsSchema,
        response: { 200: EvidencePhotoSchema, ...errorResponses },
      },
    },
    (req) => evidence.get(req.ctx, req.params.id),
  );

  for (const [suffix, which] of [
    ['file', 'original'],
    ['thumb', 'thumbnail'],
  ] as const) {
    app.get(
      `/api/evidence/:id/${suffix}`,
      {
        config: { authenticated: true },
        schema: {
          tags,
          summary:
            which === 'original'
              ? 'The photo exactly as uploaded'
              : 'A small JPEG preview of the photo (at most 320 px)',
          params: IdParamsSchema,
          response: errorResponses,
        },
      },
      async (req, reply) => {
        const { photo, bytes } = await evidence.file(req.ctx, req.params.id, which);
        const name =
          which === 'original' ? photo.fileName : `${photo.fileName.replace(/\.[^.]*$/, '')}-thumb.jpg`;
        // a binary answer: the schema documents only the errors
        return (reply as FastifyReply)
          .header('content-type', which === 'original' ? photo.mime : 'image/jpeg')
          .header('content-disposition', contentDisposition(name))
          .header('x-content-type-options', 'nosniff')
          .send(bytes);
      },
    );
  }

  app.post(
    '/api/evidence/:id/review',
    {
      config: { authenticated: true },
      onRequest: requireAnyOf(audit, ['inspection.manage', 'hazard.manage']),
      schema: {
        tags,
        summary: 'Accept or reject a photo, with a reason (inspection.manage / hazard.manage at its place)',
        params: IdParamsSchema,
        body: EvidenceReviewSchema,
        response: { 200: EvidencePhotoSchema, ...errorResponses },
      },
    },
    (req) => evidence.review(req.ctx, req.params.id, req.body),
  );
}
