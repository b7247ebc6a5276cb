import {
  ApprovePermitSchema,
  CompletePermitSchema,
  ConfirmMeasuresSchema,
  CreatePermitHolidaySchema,
  GasTagCandidateSchema,
  GasTagCandidatesQuerySchema,
  IdParamsSchema,
  OkSchema,
  type Permission,
  type PermitAction,
  PermitBoardQuerySchema,
  PermitBoardSchema,
  PermitDetailSchema,
  PermitDraftSchema,
  PermitGasSchema,
  PermitGradeSchema,
  PermitHolidaySchema,
  PermitListQuerySchema,
  PermitPageSchema,
  PermitPreviewSchema,
  PermitReasonBodySchema,
  PermitRuleSchema,
  PermitRulesSchema,
  PermitSignOnlySchema,
  PermitTypeSchema,
  PermitVerifySchema,
  RecordAnalysisSchema,
  StopPermitSchema,
  SubmitPermitSchema,
  UpdatePermitRuleSchema,
  UpsertPermitGasSchema,
} from '@aegis/shared';
import { z } from 'zod';
import type { App } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';
import { CSV_TYPE, XLSX_TYPE } from '../../lib/register-export.js';
import { permitRegisterCsv, permitRegisterXlsx } from './register.js';
import type { PermitService } from './service.js';

const tags = ['permit'];
const base = '/api/permits';

/**
 * The action routes: path, the permission the route needs somewhere (the service checks it at the
 * permit's place and who the caller is on the permit), the body schema.
 */
const ACTIONS: {
  path: string;
  action: PermitAction;
  permission: Permission;
  body: z.ZodType;
  summary: string;
}[] = [
  {
    path: 'submit',
    action: 'submit',
    permission: 'permit.request',
    body: SubmitPermitSchema,
    summary: 'Submit (✍ apply): the content is frozen',
  },
  {
    path: 'measures/confirm',
    action: 'confirm_measures',
    permission: 'permit.request',
    body: ConfirmMeasuresSchema,
    summary: 'Confirm the safety measures that apply (✍ confirm; person in charge or watcher)',
  },
  {
    path: 'brief',
    action: 'brief',
    permission: 'permit.request',
    body: PermitSignOnlySchema,
    summary: 'Safety briefing given (✍ brief; the briefer)',
  },
  {
    path: 'brief_receive',
    action: 'brief_receive',
    permission: 'permit.request',
    body: PermitSignOnlySchema,
    summary: 'Briefing received (✍ brief_receive; a worker or the person in charge)',
  },
  {
    path: 'watch',
    action: 'watch',
    permission: 'permit.supervise',
    body: PermitSignOnlySchema,
    summary: 'The watcher takes up the watch (✍ watch)',
  },
  {
    path: 'approve',
    action: 'approve',
    permission: 'permit.approve',
    body: ApprovePermitSchema,
    summary: 'Approve the current level (✍ approve)',
  },
  {
    path: 'reject',
    action: 'reject',
    permission: 'permit.approve',
    body: PermitReasonBodySchema,
    summary: 'Reject: the permit is cancelled',
  },
  {
    path: 'activate',
    action: 'activate',
    permission: 'permit.supervise',
    body: PermitSignOnlySchema,
    summary: 'Check on site and start the work (✍ check, 验票)',
  },
  {
    path: 'stop',
    action: 'stop',
    permission: 'permit.supervise',
    body: StopPermitSchema,
    summary: 'The watcher stops the work (✍ stop) → suspended',
  },
  {
    path: 'interrupt',
    action: 'interrupt',
    permission: 'permit.request',
    body: PermitReasonBodySchema,
    summary: 'Work break (person in charge) → suspended',
  },
  {
    path: 'resume',
    action: 'resume',
    permission: 'permit.supervise',
    body: PermitSignOnlySchema,
    summary: 'Resume (✍ resume; the watcher); a fresh analysis when the rules need one',
  },
  {
    path: 'complete',
    action: 'complete',
    permission: 'permit.supervise',
    body: CompletePermitSchema,
    summary: 'Accept at completion (✍ accept, 验收; the acceptor)',
  },
  {
    path: 'cancel',
    action: 'cancel',
    permission: 'permit.request',
    body: PermitReasonBodySchema,
    summary: 'Cancel (the applicant, before work starts)',
  },
  {
    path: 'revise',
    action: 'revise',
    permission: 'permit.request',
    body: PermitReasonBodySchema,
    summary: 'Revise: a new draft with the content, superseding this permit',
  },
];

const RuleParamsSchema = z.object({ type: PermitTypeSchema, grade: PermitGradeSchema });
const GasParamsSchema = z.object({ code: z.string().min(1).max(16) });
const DateParamsSchema = z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) });

export async function permitRoutes(
  app: App,
  { permit, config }: { permit: PermitService; config: { timezone: string } },
) {
  app.get(
    base,
    {
      config: { permission: 'permit.read' },
      schema: {
        tags,
        summary: 'Work permits (作业票) in your scope, open first',
        querystring: PermitListQuerySchema,
        response: { 200: PermitPageSchema, ...errorResponses },
      },
    },
    (req) => permit.list(req.ctx, req.query),
  );
  app.get(
    `${base}/board`,
    {
      config: { permission: 'permit.read' },
      schema: {
        tags,
        summary: 'Permits by area and state, with the live gas values of active and suspended ones',
        querystring: PermitBoardQuerySchema,
        response: { 200: PermitBoardSchema, ...errorResponses },
      },
    },
    (req) => permit.board(req.ctx, req.query),
  );
  app.get(
    `${base}/rules`,
    {
      config: { permission: 'permit.read' },
      schema: {
        tags,
        summary: 'Permit rules, gas limits and holidays',
        response: { 200: PermitRulesSchema, ...errorResponses },
      },
    },
    () => permit.rules(),
  );
  app.put(
    `${base}/rules/:type/:grade`,
    {
      config: { permission: 'permit.manage' },
      schema: {
        tags,
        summary: 'Change the rule of a type and grade (enterprise-wide permit.manage; audited)',
        params: RuleParamsSchema,
        body: UpdatePermitRuleSchema,
        response: { 200: PermitRuleSchema, ...errorResponses },
      },
    },
    (req) => permit.updateRule(req.ctx, req.params.type, req.params.grade, req.body),
  );
  app.put(
    `${base}/gases/:code`,
    {
      config: { permission: 'permit.manage' },
      schema: {
        tags,
        summary: 'Add or change a gas limit (audited)',
        params: GasParamsSchema,
        body: UpsertPermitGasSchema,
        response: { 200: PermitGasSchema, ...errorResponses },
      },
    },
    (req) => permit.upsertGas(req.ctx, req.params.code, req.body),
  );
  app.post(
    `${base}/holidays`,
    {
      config: { permission: 'permit.manage' },
      schema: {
        tags,
        summary: 'Add a holiday (permits touching it are raised one grade)',
        body: CreatePermitHolidaySchema,
        response: { 201: PermitHolidaySchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await permit.addHoliday(req.ctx, req.body)),
  );
  app.delete(
    `${base}/holidays/:date`,
    {
      config: { permission: 'permit.manage' },
      schema: {
        tags,
        summary: 'Remove a holiday',
        params: DateParamsSchema,
        body: PermitReasonBodySchema,
        response: { 200: OkSchema, ...errorResponses },
      },
    },
    (req) => permit.deleteHoliday(req.ctx, req.params.date, req.body.reason),
  );
  app.get(
    `${base}/gas-tag-candidates`,
    {
      config: { permission: 'permit.read' },
      schema: {
        tags,
        summary: 'Gas tags under the location’s area that a permit can bind',
        querystring: GasTagCandidatesQuerySchema,
        response: { 200: z.array(GasTagCandidateSchema), ...errorResponses },
      },
    },
    (req) => permit.gasTagCandidates(req.ctx, req.query.locationId),
  );
  app.post(
    `${base}/preview`,
    {
      config: { permission: 'permit.request' },
      schema: {
        tags,
        summary: 'What submit would compute and refuse for this application (nothing stored)',
        body: PermitDraftSchema,
        response: { 200: PermitPreviewSchema, ...errorResponses },
      },
    },
    (req) => permit.preview(req.ctx, req.body),
  );
  app.post(
    base,
    {
      config: { permission: 'permit.request' },
      schema: {
        tags,
        summary: 'Apply for a permit (a draft; submit freezes it)',
        body: PermitDraftSchema,
        response: { 201: PermitDetailSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await permit.create(req.ctx, req.body)),
  );
  app.get(
    `${base}/:id`,
    {
      config: { permission: 'permit.read' },
      schema: { tags, params: IdParamsSchema, response: { 200: PermitDetailSchema, ...errorResponses } },
    },
    (req) => permit.get(req.ctx, req.params.id),
  );
  app.put(
    `${base}/:id`,
    {
      config: { permission: 'permit.request' },
      schema: {
        tags,
        summary: 'Edit a draft (the applicant)',
        params: IdParamsSchema,
        body: PermitDraftSchema,
        response: { 200: PermitDetailSchema, ...errorResponses },
      },
    },
    (req) => permit.update(req.ctx, req.params.id, req.body),
  );
  app.delete(
    `${base}/:id`,
    {
      config: { permission: 'permit.request' },
      schema: {
        tags,
        summary: 'Delete a draft, or (permit.manage) an ended permit past its retention',
        params: IdParamsSchema,
        body: PermitReasonBodySchema,
        response: { 200: OkSchema, ...errorResponses },
      },
    },
    (req) => permit.remove(req.ctx, req.params.id, req.body.reason),
  );
  app.get(
    `${base}/:id/pdf`,
    {
      config: { permission: 'permit.read' },
      schema: {
        tags,
        summary: 'The permit as the standard’s form (PDF); an ended permit’s archived copy',
        params: IdParamsSchema,
      },
    },
    async (req, reply) => {
      const { code, bytes } = await permit.pdf(req.ctx, req.params.id);
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `attachment; filename="${encodeURIComponent(code)}.pdf"`)
        .send(bytes);
    },
  );
  app.post(
    `${base}/:id/analyses`,
    {
      config: { permission: 'permit.analyze' },
      schema: {
        tags,
        summary: 'Record a gas analysis (✍ analyze); the verdict is the server’s',
        params: IdParamsSchema,
        body: RecordAnalysisSchema,
        response: { 200: PermitDetailSchema, ...errorResponses },
      },
    },
    (req) => permit.recordAnalysis(req.ctx, req.params.id, req.body),
  );
  for (const a of ACTIONS) {
    app.post(
      `${base}/:id/${a.path}`,
      {
        config: { permission: a.permission },
        schema: {
          tags,
          summary: a.summary,
          params: IdParamsSchema,
          body: a.body,
          response: { 200: PermitDetailSchema, ...errorResponses },
        },
      },
      // the body was parsed by this action's own schema
      (req) => permit.act(req.ctx, req.params.id, a.action, req.body as never),
    );
  }
  app.get(
    `${base}/export.xlsx`,
    {
      config: { permission: 'permit.read' },
      schema: {
        tags,
        summary: 'The permit register (作业票台账) as XLSX',
        querystring: PermitListQuerySchema,
      },
    },
    async (req, reply) => {
      const body = await permitRegisterXlsx(await permit.register(req.ctx, req.query), config.timezone);
      return reply
        .header('content-type', XLSX_TYPE)
        .header('content-disposition', 'attachment; filename="aegis-permit-register.xlsx"')
        .send(body);
    },
  );
  app.get(
    `${base}/export.csv`,
    {
      config: { permission: 'permit.read' },
      schema: {
        tags,
        summary: 'The permit register (作业票台账) as CSV (UTF-8 with BOM, for Excel)',
        querystring: PermitListQuerySchema,
      },
    },
    async (req, reply) => {
      const body = permitRegisterCsv(await permit.register(req.ctx, req.query), config.timezone);
      return reply
        .header('content-type', CSV_TYPE)
        .header('content-disposition', 'attachment; filename="aegis-permit-register.csv"')
        .send(body);
    },
  );
  app.get(
    `${base}/:id/verify`,
    {
      config: { permission: 'permit.read' },
      schema: {
        tags,
        summary: 'Check the permit: signatures against content and record, signed steps, audit entries',
        params: IdParamsSchema,
        response: { 200: PermitVerifySchema, ...errorResponses },
      },
    },
    (req) => permit.verify(req.ctx, req.params.id),
  );
}
