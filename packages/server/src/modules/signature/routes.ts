import { IdParamsSchema } from '@aegis/shared';
import type { FastifyReply } from 'fastify';
import type { App } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';
import type { Services } from '../../services.js';

const tags = ['signatures'];

/**
 * Electronic signatures (21 CFR Part 11). Signing happens through the owner modules' action routes;
 * here only the drawn image is served, to whoever may read the signed record (the owner decides).
 */
export async function signatureRoutes(app: App, { signatures }: Services) {
  app.get(
    '/api/signatures/:id/image',
    {
      // who may read depends on the record kind: the owner module's readable() decides (404 otherwise)
      config: { authenticated: true },
      schema: {
        tags,
        summary: "A signature's drawn image (PNG), for those who may read the signed record",
        params: IdParamsSchema,
        response: errorResponses,
      },
    },
    async (req, reply) => {
      const bytes = await signatures.imageFor(req.ctx, req.params.id);
      // a binary answer: the schema documents only the errors
      return (reply as FastifyReply)
        .header('content-type', 'image/png')
        .header('content-disposition', `inline; filename="signature-${req.params.id}.png"`)
        .header('cache-control', 'private, max-age=3600')
        .header('x-content-type-options', 'nosniff')
        .send(bytes);
    },
  );
}
