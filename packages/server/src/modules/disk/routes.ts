import { DiskStatusSchema } from '@aegis/shared';
import type { App } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';
import type { DiskWatch } from './watch.js';

export async function diskRoutes(app: App, { disk }: { disk: DiskWatch }) {
  app.get(
    '/api/system/disk',
    {
      // Paths of the server's disks: for those who keep the data flowing (as the ingest statistics).
      config: { permission: 'connector.manage' },
      schema: {
        tags: ['system'],
        summary:
          'Free disk space of the data directory and the other watched paths: level (ok, warning, alarm, full), free bytes and percent; at full new values are refused',
        response: { 200: DiskStatusSchema, ...errorResponses },
      },
    },
    async () => disk.status(),
  );
}
