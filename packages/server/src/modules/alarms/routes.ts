import { Readable } from 'node:stream';
import {
  AcknowledgeAlarmSchema,
  AlarmHealthSchema,
  AlarmHistoryQuerySchema,
  AlarmJournalEntrySchema,
  AlarmRuleRecordSchema,
  AlarmViewSchema,
  BulkAcknowledgeSchema,
  BulkResultSchema,
  CommentAlarmSchema,
  CreateAlarmRuleSchema,
  DeleteWithReasonSchema,
  IdParamsSchema,
  InterlockCommandSchema,
  OkSchema,
  SetOutOfServiceSchema,
  ShelveAlarmSchema,
  UnshelveAlarmSchema,
  UpdateAlarmRuleSchema,
} from '@aegis/shared';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import type { App } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';
import { registerXlsx, XLSX_TYPE } from '../../lib/register-export.js';
import type { AlarmService } from './service.js';

const tags = ['alarms'];
const KeyParams = z.object({ key: z.string().regex(/^\d+:[A-Za-z0-9_]+$/, 'an alarm key such as 12:HH') });

/** A single-alarm action answers like a normal request: 404/403/409 with the engine's reason. */
function single(result: { done: string[]; refused: Array<{ key: string; code: string; message: string }> }) {
  const refused = result.refused[0];
  if (!refused) return { ok: true as const };
  if (refused.code === 'not_found') throw new AppError('not_found', refused.message);
  if (refused.code === 'forbidden') throw new AppError('forbidden', refused.message);
  throw new AppError(
    refused.code === 'reason_required' ||
      refused.code.startsWith('shelve') ||
      refused.code === 'comment_required'
      ? 'validation_failed'
      : 'conflict',
    refused.message,
    { code: refused.code },
  );
}

export async function alarmRoutes(
  app: App,
  { alarms, config }: { alarms: AlarmService; config: { timezone: string } },
) {
  const { timezone } = config;
  app.get(
    '/api/alarms',
    {
      config: { permission: 'alarm.read' },
      schema: {
        tags,
        summary: 'Alarms needing attention (active, unacknowledged, shelved or out of service) in your scope',
        querystring: z.object({
          includeNormal: z.stringbool().default(false),
          equipmentId: z.coerce.number().int().positive().optional(),
        }),
        response: { 200: z.array(AlarmViewSchema), ...errorResponses },
      },
    },
    (req) => alarms.list(req.ctx, req.query),
  );
  app.get(
    '/api/alarms/history',
    {
      config: { permission: 'alarm.read' },
      schema: {
        tags,
        summary: 'The alarm journal, newest first',
        querystring: AlarmHistoryQuerySchema,
        response: {
          200: z.object({ items: z.array(AlarmJournalEntrySchema), total: z.number().int() }),
          ...errorResponses,
        },
      },
    },
    (req) => alarms.history(req.ctx, req.query),
  );
  app.get(
    '/api/alarms/history/export.csv',
    {
      config: { permission: 'alarm.read' },
      schema: {
        tags,
        summary: 'The filtered alarm journal as CSV (UTF-8 with BOM, for Excel); the export is audited',
        querystring: AlarmHistoryQuerySchema.omit({ limit: true, offset: true }),
      },
    },
    async (req, reply) => {
      const lang = String(req.headers['accept-language'] ?? '');
      const { rows } = await alarms.exportHistory(
        req.ctx,
        req.query,
        lang.startsWith('en') ? 'en-US' : 'zh-CN',
      );
      const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="aegis-alarm-journal-${stamp}.csv"`);
      return reply.send(Readable.from(rows));
    },
  );
  app.get(
    '/api/alarms/history/export.xlsx',
    {
      config: { permission: 'alarm.read' },
      schema: {
        tags,
        summary:
          'The filtered alarm journal as XLSX (plant-time dates, numbers as numbers); the export is audited',
        querystring: AlarmHistoryQuerySchema.omit({ limit: true, offset: true }),
      },
    },
    async (req, reply) => {
      const lang = String(req.headers['accept-language'] ?? '');
      const table = await alarms.exportHistoryTable(
        req.ctx,
        req.query,
        lang.startsWith('en') ? 'en-US' : 'zh-CN',
      );
      const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
      return reply
        .header('content-type', XLSX_TYPE)
        .header('content-disposition', `attachment; filename="aegis-alarm-journal-${stamp}.xlsx"`)
        .send(await registerXlsx(table, timezone));
    },
  );
  app.get(
    '/api/alarms/health',
    {
      config: { permission: 'alarm.read' },
      schema: {
        tags,
        summary: 'Alarm floods and chattering alarms',
        response: { 200: AlarmHealthSchema, ...errorResponses },
      },
    },
    async (req) => alarms.health(req.ctx),
  );
  app.get(
    '/api/alarms/interlocks',
    {
      config: { permission: 'alarm.read' },
      schema: {
        tags,
        summary: 'Interlock commands and whether the equipment confirmed them',
        response: { 200: z.array(InterlockCommandSchema), ...errorResponses },
      },
    },
    (req) => alarms.interlocks(req.ctx),
  );
  app.get(
    '/api/alarms/:key',
    {
      config: { permission: 'alarm.read' },
      schema: { tags, params: KeyParams, response: { 200: AlarmViewSchema, ...errorResponses } },
    },
    (req) => alarms.get(req.ctx, req.params.key),
  );
  app.post(
    '/api/alarms/acknowledge',
    {
      config: { permission: 'alarm.ack' },
      schema: {
        tags,
        summary: 'Acknowledge many alarms; answers which were done and why others were not',
        body: BulkAcknowledgeSchema,
        response: { 200: BulkResultSchema, ...errorResponses },
      },
    },
    (req) => alarms.acknowledge(req.ctx, req.body.keys, req.body.comment),
  );
  app.post(
    '/api/alarms/:key/acknowledge',
    {
      config: { permission: 'alarm.ack' },
      schema: {
        tags,
        params: KeyParams,
        body: AcknowledgeAlarmSchema,
        response: { 200: OkSchema, ...errorResponses },
      },
    },
    async (req) => single(await alarms.acknowledge(req.ctx, [req.params.key], req.body.comment)),
  );
  app.post(
    '/api/alarms/:key/shelve',
    {
      config: { permission: 'alarm.shelve' },
      schema: {
        tags,
        summary: 'Shelve until a time (epoch ms), with a reason',
        params: KeyParams,
        body: ShelveAlarmSchema,
        response: { 200: OkSchema, ...errorResponses },
      },
    },
    async (req) => single(await alarms.shelve(req.ctx, req.params.key, req.body.until, req.body.reason)),
  );
  app.post(
    '/api/alarms/:key/unshelve',
    {
      config: { permission: 'alarm.shelve' },
      schema: {
        tags,
        params: KeyParams,
        body: UnshelveAlarmSchema,
        response: { 200: OkSchema, ...errorResponses },
      },
    },
    async (req) => single(await alarms.unshelve(req.ctx, req.params.key, req.body.comment)),
  );
  app.post(
    '/api/alarms/:key/comment',
    {
      // A comment is written into the regulated journal: a write permission, not alarm.read.
      config: { permission: 'alarm.ack' },
      schema: {
        tags,
        params: KeyParams,
        body: CommentAlarmSchema,
        response: { 200: OkSchema, ...errorResponses },
      },
    },
    async (req) => single(await alarms.comment(req.ctx, req.params.key, req.body.text)),
  );
  app.post(
    '/api/alarms/:key/out-of-service',
    {
      config: { permission: 'tag.manage' },
      schema: {
        tags,
        summary: 'Remove an alarm from service, or return it',
        params: KeyParams,
        body: SetOutOfServiceSchema,
        response: { 200: OkSchema, ...errorResponses },
      },
    },
    async (req) =>
      single(await alarms.setOutOfService(req.ctx, req.params.key, req.body.outOfService, req.body.reason)),
  );

  app.get(
    '/api/tags/:id/alarm-rules',
    {
      config: { permission: 'tag.read' },
      schema: {
        tags,
        params: IdParamsSchema,
        response: { 200: z.array(AlarmRuleRecordSchema), ...errorResponses },
      },
    },
    (req) => alarms.rulesOfTag(req.ctx, req.params.id),
  );
  app.post(
    '/api/alarm-rules',
    {
      config: { permission: 'tag.manage' },
      schema: {
        tags,
        summary: 'Add an alarm rule to a tag (reason required)',
        body: CreateAlarmRuleSchema,
        response: { 201: AlarmRuleRecordSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await alarms.createRule(req.ctx, req.body)),
  );
  app.patch(
    '/api/alarm-rules/:id',
    {
      config: { permission: 'tag.manage' },
      schema: {
        tags,
        params: IdParamsSchema,
        body: UpdateAlarmRuleSchema,
        response: { 200: AlarmRuleRecordSchema, ...errorResponses },
      },
    },
    (req) => alarms.updateRule(req.ctx, req.params.id, req.body),
  );
  app.delete(
    '/api/alarm-rules/:id',
    {
      config: { permission: 'tag.manage' },
      schema: {
        tags,
        params: IdParamsSchema,
        body: DeleteWithReasonSchema,
        response: { 200: OkSchema, ...errorResponses },
      },
    },
    async (req) => {
      await alarms.deleteRule(req.ctx, req.params.id, req.body.reason);
      return { ok: true as const };
    },
  );
}
