import { IngestBatchSchema, IngestResultSchema } from '@aegis/shared';
import { z } from 'zod';
import type { Clock } from '../../clock.js';
import type { App } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';
import type { AccessGuard } from '../access/guard.js';
import type { Directory } from '../tags/index.js';
import type { IngestPipeline } from './pipeline.js';
import type { Point } from './types.js';

export async function ingestRoutes(
  app: App,
  {
    ingest,
    directory,
    guard,
    clock,
  }: { ingest: IngestPipeline; directory: Directory; guard: AccessGuard; clock: Clock },
) {
  app.post(
    '/api/ingest',
    {
      // Ingest is counted (ingest statistics), not audited call by call: gateways call it many times a second.
      config: { permission: 'data.ingest', audit: false },
      bodyLimit: 32 * 1024 * 1024,
      schema: {
        tags: ['ingest'],
        summary:
          'Write a batch of values (tag code EQUIPMENT.TAG or id, value, source time, quality); answers once they are stored',
        body: IngestBatchSchema,
        response: { 200: IngestResultSchema, ...errorResponses },
      },
    },
    async (req) => {
      const points: Point[] = [];
      const indexOf: number[] = [];
      const refused: Array<{ index: number; reason: string }> = [];
      const arrival = clock.now().getTime();
      req.body.points.forEach((p, index) => {
        const tag = typeof p.tag === 'number' ? directory.get(p.tag) : directory.byRef(p.tag);
        // A tag outside the caller's scope is reported exactly like a missing one.
        if (!tag || !guard.can(req.ctx, 'data.ingest', tag.path)) {
          refused.push({ index, reason: `unknown tag ${p.tag}` });
          return;
        }
        if (p.ts === undefined) {
          points.push({ tagId: tag.id, ts: arrival, value: p.value, quality: p.quality, arrival: true });
        } else {
          // An unreadable or absurd time is refused by the pipeline for this point alone.
          const ts = typeof p.ts === 'number' ? p.ts : Date.parse(p.ts);
          points.push({ tagId: tag.id, ts, value: p.value, quality: p.quality });
        }
        indexOf.push(index);
      });
      const result = points.length
        ? await ingest.submit(points, { source: 'http' })
        : { accepted: 0, rejected: [], duplicates: 0, late: 0 };
      return {
        accepted: result.accepted,
        duplicates: result.duplicates,
        late: result.late ?? 0,
        rejected: [
          ...refused,
          ...result.rejected.map((r) => ({ index: indexOf[r.index]!, reason: r.reason })),
        ].sort((a, b) => a.index - b.index),
      };
    },
  );

  const SourceStatsSchema = z.object({
    points: z.number().int(),
    accepted: z.number().int(),
    duplicates: z.number().int(),
    rejected: z.number().int(),
    late: z
      .number()
      .int()
      .describe('"late, not evaluated": stored as history, not handed to the alarm rules'),
    failedBatches: z.number().int(),
    lastError: z.string().nullable(),
    lastSubmitAt: z.string().nullable(),
    lastStoredAt: z.string().nullable(),
    stalledSince: z.string().nullable(),
  });
  app.get(
    '/api/ingest/stats',
    {
      // Refusal reasons name tags of every workshop: for those who maintain the connectors.
      config: { permission: 'connector.manage' },
      schema: {
        tags: ['ingest'],
        summary:
          'What the ingest pipeline stored, refused, recognised as replays and kept as late history, in total and per source (connector, http)',
        response: {
          200: z.object({
            submitted: z.number().int(),
            stored: z.number().int(),
            skippedByDeadband: z.number().int(),
            duplicates: z.number().int(),
            rejected: z.number().int(),
            markedBad: z.number().int(),
            late: z.number().int(),
            failedBatches: z.number().int(),
            listenerErrors: z.number().int(),
            queued: z.number().int(),
            sources: z.record(z.string(), SourceStatsSchema),
            stalled: z.array(
              z.object({ source: z.string(), since: z.string(), lastError: z.string().nullable() }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async () => ({ ...ingest.stats(), stalled: ingest.stalled() }),
  );
}
