import { PermitPeopleQuerySchema, type PermitPerson, PermitPersonSchema } from '@aegis/shared';
import { z } from 'zod';
import { systemContext } from '../../context.js';
import type { App } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';
import type { UsersService } from '../users/index.js';

/**
 * GET /api/permits/people: the application form names people (person in charge, watcher, briefer,
 * acceptor, analyst, workers) though an applicant seldom holds user.read — so this answers only
 * active people's id, name and username, to anyone who may apply for a permit.
 */
export async function permitPeopleRoute(app: App, { users }: { users: UsersService }) {
  app.get(
    '/api/permits/people',
    {
      config: { permission: 'permit.request' },
      schema: {
        tags: ['permit'],
        summary: 'People a permit may name (id, name, username), by name, username or employee number',
        querystring: PermitPeopleQuerySchema,
        response: { 200: z.array(PermitPersonSchema), ...errorResponses },
      },
    },
    async (req): Promise<PermitPerson[]> => {
      const ctx = systemContext('permit-people');
      const found = req.query.ids?.length
        ? await Promise.all(req.query.ids.slice(0, 50).map((id) => users.get(ctx, id).catch(() => null)))
        : (await users.list(ctx, { q: req.query.q, limit: req.query.limit, offset: 0 })).items;
      return found
        .filter((u): u is NonNullable<typeof u> => !!u && u.kind === 'person' && u.active)
        .map((u) => ({ id: u.id, name: u.displayName, username: u.username }));
    },
  );
}
