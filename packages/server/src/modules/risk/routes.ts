import {
  CreateRiskUnitSchema,
  DeleteRiskUnitSchema,
  IdParamsSchema,
  OkSchema,
  RiskExportQuerySchema,
  RiskMapSchema,
  RiskMeasureListQuerySchema,
  RiskMeasureRefSchema,
  RiskUnitListQuerySchema,
  RiskUnitListSchema,
  RiskUnitSchema,
  UpdateRiskUnitSchema,
} from '@aegis/shared';
import { z } from 'zod';
import type { App } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';
import type { RiskService } from './service.js';

const tags = ['risk'];

// 风险分级管控 risk register: units → events → control measures, the 4-colour map, the export.
export async function riskRoutes(app: App, { risk }: { risk: RiskService }) {
  app.get(
    '/api/risk/units',
    {
      config: { permission: 'risk.read' },
      schema: {
        tags,
        summary: 'Risk units (风险分析单元) in your scope with their events and measures, worst first',
        querystring: RiskUnitListQuerySchema,
        response: { 200: RiskUnitListSchema, ...errorResponses },
      },
    },
    (req) => risk.list(req.ctx, req.query),
  );
  app.get(
    '/api/risk/units/:id',
    {
      config: { permission: 'risk.read' },
      schema: { tags, params: IdParamsSchema, response: { 200: RiskUnitSchema, ...errorResponses } },
    },
    (req) => risk.get(req.ctx, req.params.id),
  );
  app.post(
    '/api/risk/units',
    {
      config: { permission: 'risk.manage' },
      schema: {
        tags,
        summary: 'Add a risk unit with its events (scored by LEC or risk matrix) and control measures',
        description:
          "The unit's level is the worst of its events' levels. LEC: D = L×E×C, D > 320 major (重大), " +
          '160–320 significant (较大), 70–159 general (一般), < 70 low (低). Matrix: R = likelihood×severity (1–5 each), ' +
          '≥ 20 major, 15–16 significant, 9–12 general, ≤ 8 low. overrideLevel raises the level (never lowers it) and needs overrideReason.',
        body: CreateRiskUnitSchema,
        response: { 201: RiskUnitSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await risk.create(req.ctx, req.body)),
  );
  app.put(
    '/api/risk/units/:id',
    {
      config: { permission: 'risk.manage' },
      schema: {
        tags,
        summary:
          'Replace a risk unit (reason required): events and measures with an id are kept, others added, missing removed',
        params: IdParamsSchema,
        body: UpdateRiskUnitSchema,
        response: { 200: RiskUnitSchema, ...errorResponses },
      },
    },
    (req) => risk.update(req.ctx, req.params.id, req.body),
  );
  app.delete(
    '/api/risk/units/:id',
    {
      config: { permission: 'risk.manage' },
      schema: {
        tags,
        summary: 'Delete a risk unit with its events and measures (reason required)',
        params: IdParamsSchema,
        body: DeleteRiskUnitSchema,
        response: { 200: OkSchema, ...errorResponses },
      },
    },
    async (req) => {
      await risk.remove(req.ctx, req.params.id, req.body.reason);
      return { ok: true as const };
    },
  );
  app.get(
    '/api/risk/measures',
    {
      config: { permission: 'risk.read' },
      schema: {
        tags,
        summary:
          'Control measures (管控措施) in your scope, for a picker; withCycle=true: only those checked at a cycle',
        querystring: RiskMeasureListQuerySchema,
        response: { 200: z.array(RiskMeasureRefSchema), ...errorResponses },
      },
    },
    (req) => risk.measures(req.ctx, req.query),
  );
  app.get(
    '/api/risk/map',
    {
      config: { permission: 'risk.read' },
      schema: {
        tags,
        summary:
          '风险四色图: each plant node you may read with its units by level and the worst level of its subtree',
        response: { 200: RiskMapSchema, ...errorResponses },
      },
    },
    (req) => risk.map(req.ctx),
  );
  app.get(
    '/api/risk/export',
    {
      config: { permission: 'risk.read' },
      schema: {
        tags,
        summary:
          'Download the register (same filters as the list) as XLSX or CSV, one row per control measure',
        querystring: RiskExportQuerySchema.extend({ format: z.enum(['xlsx', 'csv']).default('xlsx') }),
      },
    },
    async (req, reply) => {
      const { format, ...q } = req.query;
      const body = await risk.export(req.ctx, q, format);
      const stamp = new Date().toISOString().slice(0, 10);
      return reply
        .header(
          'content-type',
          format === 'csv'
            ? 'text/csv; charset=utf-8'
            : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        )
        .header('content-disposition', `attachment; filename="aegis-risk-register-${stamp}.${format}"`)
        .send(body);
    },
  );
}
