import {
  CourseHistorySchema,
  CourseListSchema,
  CourseSchema,
  CreateCourseSchema,
  CreateRecordSchema,
  DeleteRecordSchema,
  IdParamsSchema,
  IdSchema,
  MatrixQuerySchema,
  MatrixSchema,
  MyTrainingSchema,
  NeedListSchema,
  NeedsQuerySchema,
  OkSchema,
  PlanNeedSchema,
  RecordExportQuerySchema,
  RecordImportResultSchema,
  RecordImportSchema,
  RecordListQuerySchema,
  RecordPageSchema,
  RequirementListSchema,
  SetRequirementSchema,
  TrainingRecordSchema,
  UpdateCourseSchema,
  UpdateRecordSchema,
} from '@aegis/shared';
import ExcelJS from 'exceljs';
import { z } from 'zod';
import type { App } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';
import { toCsv } from '../../lib/csv.js';
import type { Services } from '../../services.js';
import { recordsCsv, recordsXlsx, recordToRow } from './tabular.js';

const tags = ['training'];
const base = '/api/training';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Training matrix per post, training records with expiry reminders, needs derived from what happened. */
export async function trainingRoutes(app: App, { training }: Pick<Services, 'training'>) {
  // --- courses ---
  app.get(
    `${base}/courses`,
    {
      config: { permission: 'training.read' },
      schema: {
        tags,
        summary: 'Training courses (培训课程)',
        response: { 200: CourseListSchema, ...errorResponses },
      },
    },
    (req) => training.courses(req.ctx),
  );
  app.get(
    `${base}/courses/:id/history`,
    {
      config: { permission: 'training.read' },
      schema: {
        tags,
        summary: 'The versions of a course, each with who changed it and why',
        params: IdParamsSchema,
        response: { 200: CourseHistorySchema, ...errorResponses },
      },
    },
    (req) => training.courseHistory(req.ctx, req.params.id),
  );
  app.post(
    `${base}/courses`,
    {
      config: { permission: 'training.manage' },
      schema: {
        tags,
        summary: 'Create a course (reason required; needs an enterprise-wide grant)',
        body: CreateCourseSchema,
        response: { 201: CourseSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await training.createCourse(req.ctx, req.body)),
  );
  app.put(
    `${base}/courses/:id`,
    {
      config: { permission: 'training.manage' },
      schema: {
        tags,
        summary: 'Change a course: a new version with the reason',
        params: IdParamsSchema,
        body: UpdateCourseSchema,
        response: { 200: CourseSchema, ...errorResponses },
      },
    },
    (req) => training.updateCourse(req.ctx, req.params.id, req.body),
  );

  // --- matrix ---
  app.get(
    `${base}/requirements`,
    {
      config: { permission: 'training.read' },
      schema: {
        tags,
        summary: 'The courses each post requires or recommends',
        querystring: z.object({ postId: IdSchema.optional() }),
        response: { 200: RequirementListSchema, ...errorResponses },
      },
    },
    (req) => training.requirements(req.ctx, req.query.postId),
  );
  app.put(
    `${base}/requirements`,
    {
      config: { permission: 'training.manage' },
      schema: {
        tags,
        summary: 'Require, recommend or remove a course for a post (reason required)',
        body: SetRequirementSchema,
        response: { 200: RequirementListSchema, ...errorResponses },
      },
    },
    (req) => training.setRequirement(req.ctx, req.body),
  );
  app.get(
    `${base}/matrix`,
    {
      config: { permission: 'training.read' },
      schema: {
        tags,
        summary:
          'The training matrix (岗位培训矩阵): per post, its people × courses, valid/expiring/expired/missing',
        querystring: MatrixQuerySchema,
        response: { 200: MatrixSchema, ...errorResponses },
      },
    },
    (req) => training.matrix(req.ctx, req.query),
  );

  // --- records ---
  app.get(
    `${base}/mine`,
    {
      config: { authenticated: true },
      schema: {
        tags,
        summary: "The caller's own training: required courses with expiry, and records",
        response: { 200: MyTrainingSchema, ...errorResponses },
      },
    },
    (req) => training.mine(req.ctx),
  );
  app.get(
    `${base}/records`,
    {
      config: { permission: 'training.read' },
      schema: {
        tags,
        summary: 'Training records of the people in your scope',
        querystring: RecordListQuerySchema,
        response: { 200: RecordPageSchema, ...errorResponses },
      },
    },
    (req) => training.records(req.ctx, req.query),
  );
  app.get(
    `${base}/records/export`,
    {
      config: { permission: 'training.read' },
      schema: {
        tags,
        summary: 'Training records as CSV or XLSX (the file the import takes)',
        querystring: RecordExportQuerySchema,
      },
    },
    async (req, reply) => {
      const rows = (await training.exportRecords(req.ctx, req.query)).map(recordToRow);
      const csv = req.query.format === 'csv';
      return reply
        .header('content-type', csv ? 'text/csv; charset=utf-8' : XLSX)
        .header('content-disposition', `attachment; filename="aegis-training-records.${req.query.format}"`)
        .send(csv ? recordsCsv(rows) : await recordsXlsx(rows));
    },
  );
  app.post(
    `${base}/records/import`,
    {
      config: { permission: 'training.manage' },
      bodyLimit: 15 * 1024 * 1024,
      schema: {
        tags,
        summary: 'Add records from a CSV/XLSX file (base64); all rows or none, with per-row errors',
        body: RecordImportSchema,
        response: { 200: RecordImportResultSchema, ...errorResponses },
      },
    },
    (req) => training.importRecords(req.ctx, req.body),
  );
  app.get(
    `${base}/records/:id`,
    {
      config: { permission: 'training.read' },
      schema: { tags, params: IdParamsSchema, response: { 200: TrainingRecordSchema, ...errorResponses } },
    },
    (req) => training.record(req.ctx, req.params.id),
  );
  app.post(
    `${base}/records`,
    {
      config: { permission: 'training.manage' },
      schema: {
        tags,
        summary: 'Add a training record or a planned training (reason required)',
        body: CreateRecordSchema,
        response: { 201: TrainingRecordSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await training.createRecord(req.ctx, req.body)),
  );
  app.put(
    `${base}/records/:id`,
    {
      config: { permission: 'training.manage' },
      schema: {
        tags,
        summary: 'Change a training record (reason required)',
        params: IdParamsSchema,
        body: UpdateRecordSchema,
        response: { 200: TrainingRecordSchema, ...errorResponses },
      },
    },
    (req) => training.updateRecord(req.ctx, req.params.id, req.body),
  );
  app.delete(
    `${base}/records/:id`,
    {
      config: { permission: 'training.manage' },
      schema: {
        tags,
        summary: 'Delete a training record entered by mistake (reason required)',
        params: IdParamsSchema,
        body: DeleteRecordSchema,
        response: { 200: OkSchema, ...errorResponses },
      },
    },
    (req) => training.deleteRecord(req.ctx, req.params.id, req.body.reason),
  );

  // --- needs ---
  app.get(
    `${base}/needs`,
    {
      config: { permission: 'training.read' },
      schema: {
        tags,
        summary:
          'Suggested trainings (培训需求) with the evidence: missing/expired courses, skipped SOP steps, missed inspections, refused permits, behaviour hazards',
        querystring: NeedsQuerySchema,
      },
    },
    async (req, reply) => {
      const list = await training.needs(req.ctx, req.query);
      if (req.query.format === 'json') return NeedListSchema.parse(list);
      const header = ['原因', '对象', '岗位', '建议课程', '分值', '说明', '依据'];
      const rows = list.items.map((n) => [
        n.reason,
        n.subject.name,
        n.subject.kind === 'person' ? (n.subject.postName ?? '') : '',
        n.course ? `${n.course.code} ${n.course.nameZh}` : '',
        n.score,
        n.summary.zh,
        n.evidence.map((e) => `${e.at.slice(0, 10)} ${e.label}`).join('\n'),
      ]);
      if (req.query.format === 'csv')
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="aegis-training-needs.csv"')
          .send(toCsv(header, rows));
      const wb = new ExcelJS.Workbook();
      wb.creator = 'Aegis';
      const ws = wb.addWorksheet('培训需求');
      ws.addRow(header).font = { bold: true };
      for (const r of rows) ws.addRow(r);
      ws.columns.forEach((c, i) => {
        c.width = [14, 12, 12, 24, 8, 60, 80][i];
      });
      return reply
        .header('content-type', XLSX)
        .header('content-disposition', 'attachment; filename="aegis-training-needs.xlsx"')
        .send(Buffer.from(await wb.xlsx.writeBuffer()));
    },
  );
  app.post(
    `${base}/needs/plan`,
    {
      config: { permission: 'training.manage' },
      schema: {
        tags,
        summary: "Turn a person's training need into a planned training (reason required)",
        body: PlanNeedSchema,
        response: { 201: TrainingRecordSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await training.planNeed(req.ctx, req.body)),
  );
}
