import {
  CreateReportScheduleSchema,
  DeleteReportScheduleSchema,
  GenerateReportSchema,
  IdParamsSchema,
  OkSchema,
  ReportDownloadParamsSchema,
  ReportRunListQuerySchema,
  ReportRunSchema,
  ReportScheduleSchema,
  UpdateReportScheduleSchema,
} from '@aegis/shared';
import { z } from 'zod';
import type { App } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';
import type { Services } from '../../services.js';

const tags = ['reports'];

/** attachment; the name in ASCII for old clients and in UTF-8 (RFC 5987) for the Chinese title. */
const disposition = (name: string) =>
  `attachment; filename="${name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`;

/** Compliance reports (PDF/XLSX): on demand with progress, on schedules by e-mail, archived with a hash. */
export async function reportRoutes(app: App, { reports }: Pick<Services, 'reports'>) {
  app.post(
    '/api/reports',
    {
      config: { permission: 'report.generate' },
      schema: {
        tags,
        summary: 'Generate a report (PDF and XLSX) in the background; answers the queued run at once',
        body: GenerateReportSchema,
        response: { 202: ReportRunSchema, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.code(202).send(await reports.generate(req.ctx, req.body.kind, req.body.params)),
  );
  app.get(
    '/api/reports',
    {
      config: { permission: 'report.read' },
      schema: {
        tags,
        summary: 'The report archive in your scope, newest first',
        querystring: ReportRunListQuerySchema,
        response: {
          200: z.object({ items: z.array(ReportRunSchema), total: z.number().int() }),
          ...errorResponses,
        },
      },
    },
    (req) => reports.list(req.ctx, req.query),
  );
  app.get(
    '/api/reports/schedules',
    {
      config: { permission: 'report.read' },
      schema: {
        tags,
        summary: 'Report schedules (定时报表) in your scope',
        response: { 200: z.array(ReportScheduleSchema), ...errorResponses },
      },
    },
    (req) => reports.listSchedules(req.ctx),
  );
  app.post(
    '/api/reports/schedules',
    {
      config: { permission: 'report.manage' },
      schema: {
        tags,
        summary: 'Create a report schedule (cron in the plant time zone, recipients; reason required)',
        body: CreateReportScheduleSchema,
        response: { 200: ReportScheduleSchema, ...errorResponses },
      },
    },
    (req) => reports.createSchedule(req.ctx, req.body),
  );
  app.put(
    '/api/reports/schedules/:id',
    {
      config: { permission: 'report.manage' },
      schema: {
        tags,
        summary: 'Change a report schedule (reason required)',
        params: IdParamsSchema,
        body: UpdateReportScheduleSchema,
        response: { 200: ReportScheduleSchema, ...errorResponses },
      },
    },
    (req) => reports.updateSchedule(req.ctx, req.params.id, req.body),
  );
  app.delete(
    '/api/reports/schedules/:id',
    {
      config: { permission: 'report.manage' },
      schema: {
        tags,
        summary: 'Delete a report schedule (reason required); its archived reports stay',
        params: IdParamsSchema,
        body: DeleteReportScheduleSchema,
        response: { 200: OkSchema, ...errorResponses },
      },
    },
    async (req) => {
      await reports.deleteSchedule(req.ctx, req.params.id, req.body.reason);
      return { ok: true as const };
    },
  );
  app.get(
    '/api/reports/:id',
    {
      config: { permission: 'report.read' },
      schema: {
        tags,
        summary: 'One report run: status, progress, files with SHA-256',
        params: IdParamsSchema,
        response: { 200: ReportRunSchema, ...errorResponses },
      },
    },
    (req) => reports.get(req.ctx, req.params.id),
  );
  app.get(
    '/api/reports/:id/files/:format',
    {
      config: { permission: 'report.read' },
      schema: {
        tags,
        summary: 'Download an archived report file (checked against its SHA-256; audited)',
        params: ReportDownloadParamsSchema,
      },
    },
    async (req, reply) => {
      const f = await reports.download(req.ctx, req.params.id, req.params.format);
      return reply
        .header('content-type', f.contentType)
        .header('content-disposition', disposition(f.name))
        .header('cache-control', 'no-store')
        .send(f.bytes);
    },
  );
}
