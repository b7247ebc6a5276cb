import { Readable } from 'node:stream';
import { AuditEntrySchema, AuditQuerySchema, AuditVerifyResultSchema } from '@aegis/shared';
import { z } from 'zod';
import type { App } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';
import { registerXlsx, XLSX_TYPE } from '../../lib/register-export.js';
import { accessGuard } from '../access/index.js';
import { presentEntry } from './repo.js';
import { type AuditService, auditTable, csvHeader, csvRow } from './service.js';

const tags = ['audit'];

export async function auditRoutes(
  app: App,
  { audit, config }: { audit: AuditService; config: { timezone: string } },
) {
  app.get(
    '/api/audit',
    {
      config: { permission: 'audit.read' },
      schema: {
        tags,
        summary: 'Search the audit trail (newest first)',
        querystring: AuditQuerySchema,
        response: {
          200: z.object({ items: z.array(AuditEntrySchema), total: z.number().int() }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      await accessGuard.requireGlobal(null, req.ctx, 'audit.read', 'audit_log');
      const { items, total } = await audit.search(req.query);
      return { items: items.map(presentEntry), total };
    },
  );

  app.get(
    '/api/audit/verify',
    {
      config: { permission: 'audit.read' },
      schema: {
        tags,
        summary: 'Walk the hash chain and name the first broken entry',
        response: { 200: AuditVerifyResultSchema, ...errorResponses },
      },
    },
    async (req) => {
      await accessGuard.requireGlobal(null, req.ctx, 'audit.read', 'audit_log');
      return audit.verify();
    },
  );

  app.get(
    '/api/audit/export.csv',
    {
      config: { permission: 'audit.export' },
      schema: {
        tags,
        summary:
          'Export the matching entries as CSV (UTF-8 with BOM, for Excel); the export itself is audited',
        querystring: AuditQuerySchema.omit({ limit: true, offset: true }),
      },
    },
    async (req, reply) => {
      await accessGuard.requireGlobal(null, req.ctx, 'audit.export', 'audit_log');
      const total = await audit.count(req.query);
      await audit.record(req.ctx, {
        action: 'audit.export',
        targetType: 'audit_log',
        after: { filter: req.query, rows: total },
      });
      const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="aegis-audit-${stamp}.csv"`);
      async function* body() {
        yield `\uFEFF${csvHeader()}`;
        for await (const page of audit.entries(req.query)) yield page.map(csvRow).join('');
      }
      return reply.send(Readable.from(body()));
    },
  );

  app.get(
    '/api/audit/export.xlsx',
    {
      config: { permission: 'audit.export' },
      schema: {
        tags,
        summary:
          'Export the matching entries as XLSX (seq as a number, time in plant time); the export itself is audited',
        querystring: AuditQuerySchema.omit({ limit: true, offset: true }),
      },
    },
    async (req, reply) => {
      await accessGuard.requireGlobal(null, req.ctx, 'audit.export', 'audit_log');
      const total = await audit.count(req.query);
      await audit.record(req.ctx, {
        action: 'audit.export',
        targetType: 'audit_log',
        after: { filter: req.query, rows: total, format: 'xlsx' },
      });
      const entries = [];
      for await (const page of audit.entries(req.query)) entries.push(...page);
      const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
      return reply
        .header('content-type', XLSX_TYPE)
        .header('content-disposition', `attachment; filename="aegis-audit-${stamp}.xlsx"`)
        .send(await registerXlsx(auditTable(entries), config.timezone));
    },
  );
}
