import {
  CurrentValueSchema,
  CurrentValuesQuerySchema,
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
}
