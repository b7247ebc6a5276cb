import { AlarmKpiQuerySchema, AlarmKpiReportSchema, RationalisationSheetSchema } from '@aegis/shared';
import type { App } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';
import type { Services } from '../../services.js';
import { kpiXlsx } from './xlsx.js';

const tags = ['kpi'];
const base = '/api/kpi/alarms';

/** Alarm-management KPIs (ISA-18.2 / EEMUA 191) and the rationalisation worksheet. */
export async function kpiRoutes(app: App, { kpi, config }: Pick<Services, 'kpi' | 'config'>) {
  app.get(
    base,
    {
      config: { permission: 'report.read' },
      schema: {
        tags,
        summary:
          'Alarm-performance KPIs (EEMUA 191 / ISA-18.2) of an area and period, from the alarm journal',
        querystring: AlarmKpiQuerySchema,
        response: { 200: AlarmKpiReportSchema, ...errorResponses },
      },
    },
    (req) => kpi.alarmPerformance(req.ctx, req.query),
  );
  app.get(
    `${base}/rationalisation`,
    {
      config: { permission: 'report.read' },
      schema: {
        tags,
        summary:
          'Rationalisation worksheet of the 10 most frequent alarms: settings and suggestions measured on their history',
        querystring: AlarmKpiQuerySchema,
        response: { 200: RationalisationSheetSchema, ...errorResponses },
      },
    },
    (req) => kpi.rationalisation(req.ctx, req.query),
  );
  app.get(
    `${base}/export.xlsx`,
    {
      config: { permission: 'report.read' },
      schema: {
        tags,
        summary: 'The alarm KPIs and the rationalisation worksheet as XLSX',
        querystring: AlarmKpiQuerySchema,
      },
    },
    async (req, reply) => {
      const [report, sheet] = await Promise.all([
        kpi.alarmPerformance(req.ctx, req.query),
        kpi.rationalisation(req.ctx, req.query),
      ]);
      const body = await kpiXlsx(report, sheet, config.timezone);
      return reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', 'attachment; filename="aegis-alarm-kpi.xlsx"')
        .send(body);
    },
  );
}
