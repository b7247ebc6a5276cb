import {
  BoardQuerySchema,
  BoardSchema,
  CheckpointListQuerySchema,
  CheckpointSchema,
  CheckpointTokenSchema,
  CreateCheckpointSchema,
  CreatePlanSchema,
  CreateRouteSchema,
  CreateTemplateSchema,
  GenerateResultSchema,
  IdParamsSchema,
  LabelsQuerySchema,
  MyTasksQuerySchema,
  OkSchema,
  PlanDraftPreviewSchema,
  PlanListQuerySchema,
  PlanPreviewQuerySchema,
  PlanPreviewSchema,
  PlanSchema,
  ReasonBodySchema,
  ReassignTaskSchema,
  RotateTokenSchema,
  RouteListQuerySchema,
  RouteSchema,
  ScanResultSchema,
  ScanSchema,
  StartTaskSchema,
  SubmitTaskSchema,
  TaskDetailSchema,
  TaskListQuerySchema,
  TaskPageSchema,
  TaskSchema,
  TemplateListQuerySchema,
  TemplateSchema,
  TemplateVersionSchema,
  UpdateCheckpointSchema,
  UpdatePlanSchema,
  UpdateRouteSchema,
  UpdateTemplateSchema,
} from '@aegis/shared';
import { z } from 'zod';
import type { App } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';
import { renderLabelSheet } from '../../lib/qr-labels.js';
import { CSV_TYPE, XLSX_TYPE } from '../../lib/register-export.js';
import { registerCsv, registerXlsx } from './register.js';
import type { InspectionService } from './service.js';

const tags = ['inspection'];
const base = '/api/inspection';
const VersionParamsSchema = z.object({ id: IdParamsSchema.shape.id, version: IdParamsSchema.shape.id });

export async function inspectionRoutes(
  app: App,
  {
    inspection,
    config,
    clock,
  }: { inspection: InspectionService; config: { timezone: string }; clock: { now(): Date } },
) {
  const { templates, checkpoints, routes, plans, tasks } = inspection;

  // ---------------------------------------------------------------- templates (点检表)
  app.get(
    `${base}/templates`,
    {
      config: { permission: 'inspection.read' },
      schema: {
        tags,
        summary: 'Inspection templates (点检表) in your scope, latest version',
        querystring: TemplateListQuerySchema,
        response: { 200: z.array(TemplateSchema), ...errorResponses },
      },
    },
    (req) => templates.list(req.ctx, req.query),
  );
  app.get(
    `${base}/templates/:id`,
    {
      config: { permission: 'inspection.read' },
      schema: { tags, params: IdParamsSchema, response: { 200: TemplateSchema, ...errorResponses } },
    },
    (req) => templates.get(req.ctx, req.params.id),
  );
  app.get(
    `${base}/templates/:id/versions`,
    {
      config: { permission: 'inspection.read' },
      schema: {
        tags,
        params: IdParamsSchema,
        response: { 200: z.array(TemplateVersionSchema), ...errorResponses },
      },
    },
    (req) => templates.versions(req.ctx, req.params.id),
  );
  app.get(
    `${base}/templates/:id/versions/:version`,
    {
      config: { permission: 'inspection.read' },
      schema: {
        tags,
        params: VersionParamsSchema,
        response: { 200: TemplateVersionSchema, ...errorResponses },
      },
    },
    (req) => templates.version(req.ctx, req.params.id, req.params.version),
  );
  app.post(
    `${base}/templates`,
    {
      config: { permission: 'inspection.manage' },
      schema: { tags, body: CreateTemplateSchema, response: { 201: TemplateSchema, ...errorResponses } },
    },
    async (req, reply) => reply.code(201).send(await templates.create(req.ctx, req.body)),
  );
  app.put(
    `${base}/templates/:id`,
    {
      config: { permission: 'inspection.manage' },
      schema: {
        tags,
        summary:
          'Edit a template: a new version when name, description or items change; issued tasks keep theirs',
        params: IdParamsSchema,
        body: UpdateTemplateSchema,
        response: { 200: TemplateSchema, ...errorResponses },
      },
    },
    (req) => templates.update(req.ctx, req.params.id, req.body),
  );

  // ---------------------------------------------------------------- checkpoints (巡检点)
  app.get(
    `${base}/checkpoints`,
    {
      config: { permission: 'inspection.read' },
      schema: {
        tags,
        querystring: CheckpointListQuerySchema,
        response: { 200: z.array(CheckpointSchema), ...errorResponses },
      },
    },
    (req) => checkpoints.list(req.ctx, req.query),
  );
  app.get(
    `${base}/checkpoints/labels.pdf`,
    {
      config: { permission: 'inspection.manage' },
      schema: {
        tags,
        summary: 'Printable QR label sheet (PDF) of the checkpoints; each label carries the signed token',
        querystring: LabelsQuerySchema,
      },
    },
    async (req, reply) => {
      const labels = await checkpoints.labels(req.ctx, req.query.ids);
      const pdf = await renderLabelSheet(
        labels.map((c) => ({ title: c.name, subtitle: c.nodeName, code: c.code, qrText: c.token })),
        {
          heading: '巡检点二维码标签 Checkpoint labels',
          footer: '扫码签到 · 标签重新打印后旧标签失效',
          now: clock.now(),
          timeZone: config.timezone,
        },
      );
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', 'attachment; filename="aegis-checkpoint-labels.pdf"')
        .send(pdf);
    },
  );
  app.get(
    `${base}/checkpoints/:id`,
    {
      config: { permission: 'inspection.read' },
      schema: { tags, params: IdParamsSchema, response: { 200: CheckpointSchema, ...errorResponses } },
    },
    (req) => checkpoints.get(req.ctx, req.params.id),
  );
  app.post(
    `${base}/checkpoints`,
    {
      config: { permission: 'inspection.manage' },
      schema: { tags, body: CreateCheckpointSchema, response: { 201: CheckpointSchema, ...errorResponses } },
    },
    async (req, reply) => reply.code(201).send(await checkpoints.create(req.ctx, req.body)),
  );
  app.patch(
    `${base}/checkpoints/:id`,
    {
      config: { permission: 'inspection.manage' },
      schema: {
        tags,
        params: IdParamsSchema,
        body: UpdateCheckpointSchema,
        response: { 200: CheckpointSchema, ...errorResponses },
      },
    },
    (req) => checkpoints.update(req.ctx, req.params.id, req.body),
  );
  app.post(
    `${base}/checkpoints/:id/rotate`,
    {
      config: { permission: 'inspection.manage' },
      schema: {
        tags,
        summary: 'Reprint: a new token version; every label printed before is refused from now on',
        params: IdParamsSchema,
        body: RotateTokenSchema,
        response: { 200: CheckpointTokenSchema, ...errorResponses },
      },
    },
    (req) => checkpoints.rotate(req.ctx, req.params.id, req.body.reason),
  );
  app.get(
    `${base}/checkpoints/:id/token`,
    {
      config: { permission: 'inspection.manage' },
      schema: { tags, params: IdParamsSchema, response: { 200: CheckpointTokenSchema, ...errorResponses } },
    },
    (req) => checkpoints.token(req.ctx, req.params.id),
  );

  // ---------------------------------------------------------------- routes (巡检路线)
  app.get(
    `${base}/routes`,
    {
      config: { permission: 'inspection.read' },
      schema: {
        tags,
        querystring: RouteListQuerySchema,
        response: { 200: z.array(RouteSchema), ...errorResponses },
      },
    },
    (req) => routes.list(req.ctx, req.query),
  );
  app.get(
    `${base}/routes/:id`,
    {
      config: { permission: 'inspection.read' },
      schema: { tags, params: IdParamsSchema, response: { 200: RouteSchema, ...errorResponses } },
    },
    (req) => routes.get(req.ctx, req.params.id),
  );
  app.post(
    `${base}/routes`,
    {
      config: { permission: 'inspection.manage' },
      schema: { tags, body: CreateRouteSchema, response: { 201: RouteSchema, ...errorResponses } },
    },
    async (req, reply) => reply.code(201).send(await routes.create(req.ctx, req.body)),
  );
  app.patch(
    `${base}/routes/:id`,
    {
      config: { permission: 'inspection.manage' },
      schema: {
        tags,
        params: IdParamsSchema,
        body: UpdateRouteSchema,
        response: { 200: RouteSchema, ...errorResponses },
      },
    },
    (req) => routes.update(req.ctx, req.params.id, req.body),
  );
  app.delete(
    `${base}/routes/:id`,
    {
      config: { permission: 'inspection.manage' },
      schema: {
        tags,
        params: IdParamsSchema,
        body: ReasonBodySchema,
        response: { 200: OkSchema, ...errorResponses },
      },
    },
    async (req) => {
      await routes.remove(req.ctx, req.params.id, req.body.reason);
      return { ok: true as const };
    },
  );

  // ---------------------------------------------------------------- plans
  app.get(
    `${base}/plans`,
    {
      config: { permission: 'inspection.read' },
      schema: {
        tags,
        querystring: PlanListQuerySchema,
        response: { 200: z.array(PlanSchema), ...errorResponses },
      },
    },
    (req) => plans.list(req.ctx, req.query),
  );
  app.get(
    `${base}/plans/:id`,
    {
      config: { permission: 'inspection.read' },
      schema: { tags, params: IdParamsSchema, response: { 200: PlanSchema, ...errorResponses } },
    },
    (req) => plans.get(req.ctx, req.params.id),
  );
  app.get(
    `${base}/plans/:id/preview`,
    {
      config: { permission: 'inspection.read' },
      schema: {
        tags,
        summary: 'The next occurrences of the plan with their windows (plant time zone)',
        params: IdParamsSchema,
        querystring: PlanPreviewQuerySchema,
        response: { 200: PlanPreviewSchema, ...errorResponses },
      },
    },
    (req) => plans.preview(req.ctx, req.params.id, req.query),
  );
  app.post(
    `${base}/plans/preview`,
    {
      config: { permission: 'inspection.manage' },
      schema: {
        tags,
        summary: 'The next occurrences of an unsaved plan (the editor, while the schedule is edited)',
        body: PlanDraftPreviewSchema,
        response: { 200: PlanPreviewSchema, ...errorResponses },
      },
    },
    (req) => plans.previewDraft(req.ctx, req.body),
  );
  app.post(
    `${base}/plans`,
    {
      config: { permission: 'inspection.manage' },
      schema: { tags, body: CreatePlanSchema, response: { 201: PlanSchema, ...errorResponses } },
    },
    async (req, reply) => reply.code(201).send(await plans.create(req.ctx, req.body)),
  );
  app.patch(
    `${base}/plans/:id`,
    {
      config: { permission: 'inspection.manage' },
      schema: {
        tags,
        params: IdParamsSchema,
        body: UpdatePlanSchema,
        response: { 200: PlanSchema, ...errorResponses },
      },
    },
    (req) => plans.update(req.ctx, req.params.id, req.body),
  );
  app.post(
    `${base}/generate`,
    {
      config: { permission: 'inspection.manage' },
      schema: {
        tags,
        summary: 'Run the task generator now (it also runs every minute): the next 24 h, once per occurrence',
        response: { 200: GenerateResultSchema, ...errorResponses },
      },
    },
    () => inspection.generate(),
  );

  // ---------------------------------------------------------------- tasks
  app.get(
    `${base}/my-tasks`,
    {
      config: { permission: 'inspection.perform' },
      schema: {
        tags,
        summary: "The day's tasks assigned to me (person, post, team, shift on duty), in route order",
        querystring: MyTasksQuerySchema,
        response: { 200: z.array(TaskSchema), ...errorResponses },
      },
    },
    (req) => tasks.myTasks(req.ctx, req.query.date),
  );
  app.get(
    `${base}/tasks`,
    {
      config: { permission: 'inspection.read' },
      schema: {
        tags,
        querystring: TaskListQuerySchema,
        response: { 200: TaskPageSchema, ...errorResponses },
      },
    },
    (req) => tasks.list(req.ctx, req.query),
  );
  app.get(
    `${base}/tasks/export.xlsx`,
    {
      config: { permission: 'inspection.read' },
      schema: {
        tags,
        summary: 'The inspection register (排查记录) as XLSX',
        querystring: TaskListQuerySchema,
      },
    },
    async (req, reply) => {
      const body = await registerXlsx(await tasks.register(req.ctx, req.query), config.timezone);
      return reply
        .header('content-type', XLSX_TYPE)
        .header('content-disposition', 'attachment; filename="aegis-inspection-register.xlsx"')
        .send(body);
    },
  );
  app.get(
    `${base}/tasks/export.csv`,
    {
      config: { permission: 'inspection.read' },
      schema: {
        tags,
        summary: 'The inspection register (排查记录) as CSV (UTF-8 with BOM, for Excel)',
        querystring: TaskListQuerySchema,
      },
    },
    async (req, reply) => {
      const body = registerCsv(await tasks.register(req.ctx, req.query), config.timezone);
      return reply
        .header('content-type', CSV_TYPE)
        .header('content-disposition', 'attachment; filename="aegis-inspection-register.csv"')
        .send(body);
    },
  );
  app.get(
    `${base}/tasks/:id`,
    {
      config: { permission: 'inspection.read' },
      schema: { tags, params: IdParamsSchema, response: { 200: TaskDetailSchema, ...errorResponses } },
    },
    (req) => tasks.get(req.ctx, req.params.id),
  );
  app.post(
    `${base}/tasks/:id/start`,
    {
      config: { permission: 'inspection.perform' },
      schema: {
        tags,
        params: IdParamsSchema,
        body: StartTaskSchema,
        response: { 200: TaskDetailSchema, ...errorResponses },
      },
    },
    (req) => tasks.start(req.ctx, req.params.id),
  );
  app.post(
    `${base}/tasks/:id/scan`,
    {
      config: { permission: 'inspection.perform' },
      schema: {
        tags,
        summary:
          "Proof of presence: the checkpoint's signed QR token (422 evidence_refused otherwise), optional GPS",
        params: IdParamsSchema,
        body: ScanSchema,
        response: { 200: ScanResultSchema, 422: errorResponses[400], ...errorResponses },
      },
    },
    (req) => tasks.scan(req.ctx, req.params.id, req.body),
  );
  app.post(
    `${base}/tasks/:id/submit`,
    {
      config: { permission: 'inspection.perform' },
      schema: {
        tags,
        summary:
          'Submit the checklist: idempotent per clientSubmissionId; 409 sync_conflict when the task changed since baseRevision',
        params: IdParamsSchema,
        body: SubmitTaskSchema,
        response: { 200: TaskDetailSchema, 422: errorResponses[400], ...errorResponses },
      },
    },
    (req) => tasks.submit(req.ctx, req.params.id, req.body),
  );
  app.post(
    `${base}/tasks/:id/cancel`,
    {
      config: { permission: 'inspection.manage' },
      schema: {
        tags,
        params: IdParamsSchema,
        body: ReasonBodySchema,
        response: { 200: TaskDetailSchema, ...errorResponses },
      },
    },
    (req) => tasks.cancel(req.ctx, req.params.id, req.body.reason),
  );
  app.post(
    `${base}/tasks/:id/reassign`,
    {
      config: { permission: 'inspection.manage' },
      schema: {
        tags,
        params: IdParamsSchema,
        body: ReassignTaskSchema,
        response: { 200: TaskDetailSchema, ...errorResponses },
      },
    },
    (req) => tasks.reassign(req.ctx, req.params.id, req.body),
  );

  // ---------------------------------------------------------------- registers
  app.get(
    `${base}/board`,
    {
      config: { permission: 'inspection.read' },
      schema: {
        tags,
        summary: 'Calendar/board: per day × workshop × shift, planned / done / overdue / missed',
        querystring: BoardQuerySchema,
        response: { 200: BoardSchema, ...errorResponses },
      },
    },
    (req) => tasks.board(req.ctx, req.query),
  );
}
