import { Readable } from 'node:stream';
import {
  CurrentValueSchema,
  CurrentValuesQuerySchema,
  RawExportQuerySchema,
  TrendQuerySchema,
  TrendResultSchema,
} from '@aegis/shared';
import { z } from 'zod';
import type { App } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';
import type { TimeseriesService } from './service.js';

export async function timeseriesRoutes(app: App, { timeseries }: { timeseries: TimeseriesService }) {
  app.get(
    '/api/values/current',
    {
      config: { permission: 'tag.read' },
      schema: {
        tags: ['values'],
        summary: 'Latest value of tags (by ids or every tag under a plant node) in your scope',
        querystring: CurrentValuesQuerySchema,
        response: { 200: z.object({ items: z.array(CurrentValueSchema) }), ...errorResponses },
      },
    },
    (req) => timeseries.current(req.ctx, req.query),
  );
  app.get(
    '/api/trends',
    {
      config: { permission: 'tag.read' },
      schema: {
        tags: ['values'],
        summary:
          'History of up to 20 tags; raw values when they fit in maxPoints, else average/min/max per bucket from rollups',
        querystring: TrendQuerySchema,
        response: { 200: TrendResultSchema, ...errorResponses },
      },
    },
    (req) => timeseries.trends(req.ctx, req.query),
  );
  app.get(
    '/api/values/raw.csv',
    {
      config: { permission: 'tag.read' },
      schema: {
        tags: ['values'],
        summary:
          'Every stored value of one tag in [from, to) as CSV (UTF-8 with BOM; time in UTC with microseconds), streamed; at most 31 days',
        querystring: RawExportQuerySchema,
      },
    },
    async (req, reply) => {
      const { tag, lines } = timeseries.rawExport(req.ctx, req.query);
      const day = req.query.from.slice(0, 10);
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="aegis-${tag.equipmentCode}.${tag.code}-${day}.csv"`,
        );
      return reply.send(Readable.from(lines));
    },
  );
}
