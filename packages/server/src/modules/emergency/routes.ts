import {
  ActivateEmergencySchema,
  CloseEmergencyRunSchema,
  CreateEmergencyPlanSchema,
  EmergencyPlanListQuerySchema,
  EmergencyPlanSchema,
  EmergencyPlanVersionSchema,
  EmergencyRunDetailSchema,
  EmergencyRunListQuerySchema,
  EmergencyRunPageSchema,
  EmergencyStepDoneSchema,
  EmergencyStepParamsSchema,
  EmergencyStepSkipSchema,
  IdParamsSchema,
  UpdateEmergencyPlanSchema,
} from '@aegis/shared';
import { z } from 'zod';
import type { App } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';
import { runReportPdf, runReportXlsx } from './report.js';
import type { EmergencyService } from './service.js';

const tags = ['emergency'];
const base = '/api/emergency';

/** Emergency plans (应急预案) as executable checklists, and drills. */
export async function emergencyRoutes(
  app: App,
  { emergency, config }: { emergency: EmergencyService; config: { timezone: string } },
) {
  app.get(
    `${base}/plans`,
    {
      config: { permission: 'emergency.read' },
      schema: {
        tags,
        summary: 'Emergency plans (应急预案) in your scope',
        querystring: EmergencyPlanListQuerySchema,
        response: { 200: z.array(EmergencyPlanSchema), ...errorResponses },
      },
    },
    (req) => emergency.listPlans(req.ctx, req.query),
  );
  app.get(
    `${base}/plans/:id`,
    {
      config: { permission: 'emergency.read' },
      schema: { tags, params: IdParamsSchema, response: { 200: EmergencyPlanSchema, ...errorResponses } },
    },
    (req) => emergency.getPlan(req.ctx, req.params.id),
  );
  app.get(
    `${base}/plans/:id/versions`,
    {
      config: { permission: 'emergency.read' },
      schema: {
        tags,
        summary: "A plan's saved versions, newest first, with who changed it and why",
        params: IdParamsSchema,
        response: { 200: z.array(EmergencyPlanVersionSchema), ...errorResponses },
      },
    },
    (req) => emergency.planVersions(req.ctx, req.params.id),
  );
  app.post(
    `${base}/plans`,
    {
      config: { permission: 'emergency.manage' },
      schema: {
        tags,
        summary: 'A new emergency plan at a plant node (emergency.manage there)',
        body: CreateEmergencyPlanSchema,
        response: { 201: EmergencyPlanSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await emergency.createPlan(req.ctx, req.body)),
  );
  app.put(
    `${base}/plans/:id`,
    {
      config: { permission: 'emergency.manage' },
      schema: {
        tags,
        summary: 'A new version of the plan (reason required; open runs keep the version they copied)',
        params: IdParamsSchema,
        body: UpdateEmergencyPlanSchema,
        response: { 200: EmergencyPlanSchema, ...errorResponses },
      },
    },
    (req) => emergency.updatePlan(req.ctx, req.params.id, req.body),
  );
  app.post(
    `${base}/plans/:id/activate`,
    {
      config: { permission: 'emergency.activate' },
      schema: {
        tags,
        summary: 'Start the plan: a real response (启动) or a drill (演练), with the reason',
        params: IdParamsSchema,
        body: ActivateEmergencySchema,
        response: { 201: EmergencyRunDetailSchema, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await emergency.activate(req.ctx, req.params.id, req.body.mode, req.body.reason)),
  );
  app.get(
    `${base}/runs`,
    {
      config: { permission: 'emergency.read' },
      schema: {
        tags,
        summary: 'Emergency responses and drills, open real ones first',
        querystring: EmergencyRunListQuerySchema,
        response: { 200: EmergencyRunPageSchema, ...errorResponses },
      },
    },
    (req) => emergency.listRuns(req.ctx, req.query),
  );
  app.get(
    `${base}/runs/:id`,
    {
      config: { permission: 'emergency.read' },
      schema: {
        tags,
        params: IdParamsSchema,
        response: { 200: EmergencyRunDetailSchema, ...errorResponses },
      },
    },
    (req) => emergency.getRun(req.ctx, req.params.id),
  );
  app.post(
    `${base}/runs/:id/steps/:seq/done`,
    {
      config: { permission: 'emergency.respond' },
      schema: {
        tags,
        summary:
          'Check a step off (its assignee or the incident commander), in order; photos first to /api/evidence',
        params: EmergencyStepParamsSchema,
        body: EmergencyStepDoneSchema,
        response: { 200: EmergencyRunDetailSchema, ...errorResponses },
      },
    },
    (req) => emergency.checkStep(req.ctx, req.params.id, req.params.seq, req.body),
  );
  app.post(
    `${base}/runs/:id/steps/:seq/skip`,
    {
      config: { permission: 'emergency.activate' },
      schema: {
        tags,
        summary: 'Skip a step with the reason (the incident commander)',
        params: EmergencyStepParamsSchema,
        body: EmergencyStepSkipSchema,
        response: { 200: EmergencyRunDetailSchema, ...errorResponses },
      },
    },
    (req) => emergency.skipStep(req.ctx, req.params.id, req.params.seq, req.body.reason),
  );
  app.post(
    `${base}/runs/:id/close`,
    {
      config: { permission: 'emergency.activate' },
      schema: {
        tags,
        summary: 'End the response or drill with a summary (every step done or skipped)',
        params: IdParamsSchema,
        body: CloseEmergencyRunSchema,
        response: { 200: EmergencyRunDetailSchema, ...errorResponses },
      },
    },
    (req) => emergency.close(req.ctx, req.params.id, req.body),
  );
  app.get(
    `${base}/runs/:id/report.pdf`,
    {
      config: { permission: 'emergency.read' },
      schema: { tags, summary: 'The timed report of a run (演练报告) as PDF', params: IdParamsSchema },
    },
    async (req, reply) => {
      const { run, now } = await emergency.report(req.ctx, req.params.id);
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `attachment; filename="aegis-emergency-${run.code}.pdf"`)
        .send(await runReportPdf(run, config.timezone, now));
    },
  );
  app.get(
    `${base}/runs/:id/report.xlsx`,
    {
      config: { permission: 'emergency.read' },
      schema: { tags, summary: 'The timed report of a run as XLSX', params: IdParamsSchema },
    },
    async (req, reply) => {
      const { run, now } = await emergency.report(req.ctx, req.params.id);
      return reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="aegis-emergency-${run.code}.xlsx"`)
        .send(await runReportXlsx(run, config.timezone, now));
    },
  );
}
