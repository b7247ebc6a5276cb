import {
  CreateHazardSchema,
  HAZARD_ACTION_BODIES,
  HAZARD_ACTIONS,
  HazardCountsQuerySchema,
  HazardCountsSchema,
  HazardDetailSchema,
  HazardListQuerySchema,
  HazardPageSchema,
  IdParamsSchema,
  type Permission,
} from '@aegis/shared';
import type { App } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';
import { CSV_TYPE, XLSX_TYPE } from '../../lib/register-export.js';
import { registerCsv, registerXlsx } from './register.js';
import type { HazardService } from './service.js';

const tags = ['hazard'];
const base = '/api/hazards';

export async function hazardRoutes(
  app: App,
  { hazard, config }: { hazard: HazardService; config: { timezone: string } },
) {
  app.get(
    base,
    {
      config: { permission: 'hazard.read' },
      schema: {
        tags,
        summary: 'Hidden dangers (隐患) in your scope, open and major first',
        querystring: HazardListQuerySchema,
        response: { 200: HazardPageSchema, ...errorResponses },
      },
    },
    (req) => hazard.list(req.ctx, req.query),
  );
  app.get(
    `${base}/export.xlsx`,
    {
      config: { permission: 'hazard.read' },
      schema: { tags, summary: 'The hazard register (隐患台账) as XLSX', querystring: HazardListQuerySchema },
    },
    async (req, reply) => {
      const body = await registerXlsx(await hazard.register(req.ctx, req.query), config.timezone);
      return reply
        .header('content-type', XLSX_TYPE)
        .header('content-disposition', 'attachment; filename="aegis-hazard-register.xlsx"')
        .send(body);
    },
  );
  app.get(
    `${base}/export.csv`,
    {
      config: { permission: 'hazard.read' },
      schema: {
        tags,
        summary: 'The hazard register (隐患台账) as CSV (UTF-8 with BOM, for Excel)',
        querystring: HazardListQuerySchema,
      },
    },
    async (req, reply) => {
      const body = registerCsv(await hazard.register(req.ctx, req.query), config.timezone);
      return reply
        .header('content-type', CSV_TYPE)
        .header('content-disposition', 'attachment; filename="aegis-hazard-register.csv"')
        .send(body);
    },
  );
  app.get(
    `${base}/counts`,
    {
      config: { permission: 'hazard.read' },
      schema: {
        tags,
        summary: 'Open hazards by grade, overdue and closed',
        querystring: HazardCountsQuerySchema,
        response: { 200: HazardCountsSchema, ...errorResponses },
      },
    },
    (req) => hazard.counts(req.ctx, req.query),
  );
  app.get(
    `${base}/:id`,
    {
      config: { permission: 'hazard.read' },
      schema: { tags, params: IdParamsSchema, response: { 200: HazardDetailSchema, ...errorResponses } },
    },
    (req) => hazard.get(req.ctx, req.params.id),
  );
  app.post(
    base,
    {
      config: { permission: 'hazard.report' },
      schema: {
        tags,
        summary: 'Report a hidden danger (随手拍); photos follow to /api/evidence?ownerKind=hazard',
        body: CreateHazardSchema,
        response: { 201: HazardDetailSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await hazard.create(req.ctx, req.body)),
  );
  for (const action of HAZARD_ACTIONS) {
    const permission = hazard.machine.transitions[action].permission as Permission;
    app.post(
      `${base}/:id/actions/${action}`,
      {
        config: { permission },
        schema: {
          tags,
          summary: `Hazard workflow: ${action}`,
          params: IdParamsSchema,
          body: HAZARD_ACTION_BODIES[action],
          response: { 200: HazardDetailSchema, ...errorResponses },
        },
      },
      // the body was parsed by this action's own schema
      (req) => hazard.act(req.ctx, req.params.id, action, req.body as never),
    );
  }
}
