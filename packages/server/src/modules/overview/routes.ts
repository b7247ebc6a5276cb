import { OverviewSchema } from '@aegis/shared';
import type { App } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';
import type { OverviewService } from './service.js';

export async function overviewRoutes(app: App, { overview }: { overview: OverviewService }) {
  app.get(
    '/api/overview',
    {
      // Any signed-in user: each section is filled by what the caller may read.
      config: { authenticated: true },
      schema: {
        tags: ['overview'],
        summary:
          'The landing page: alarms by area and priority, connector health, active interlocks and faults, in your scope',
        response: { 200: OverviewSchema, ...errorResponses },
      },
    },
    (req) => overview.get(req.ctx),
  );
}
