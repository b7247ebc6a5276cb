import {
  CreateTagSchema,
  IdParamsSchema,
  OkSchema,
  ReasonSchema,
  TagExportQuerySchema,
  TagImportResultSchema,
  TagImportSchema,
  TagListQuerySchema,
  TagListSchema,
  TagViewSchema,
  UpdateTagSchema,
} from '@aegis/shared';
import { z } from 'zod';
import type { App } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';
import type { TagService } from './service.js';

const openapiTags = ['tags'];

export async function tagRoutes(app: App, { tags }: { tags: TagService }) {
  app.get(
    '/api/tags',
    {
      config: { permission: 'tag.read' },
      schema: {
        tags: openapiTags,
        summary: 'Tags in your scope, filtered by equipment, plant node, text or source kind',
        querystring: TagListQuerySchema,
        response: { 200: TagListSchema, ...errorResponses },
      },
    },
    (req) => tags.list(req.ctx, req.query),
  );
  app.get(
    '/api/tags/export',
    {
      config: { permission: 'tag.read' },
      schema: {
        tags: openapiTags,
        summary: 'Download the tags in your scope as CSV or XLSX (the file the import takes)',
        querystring: TagExportQuerySchema,
      },
    },
    async (req, reply) => {
      const body = await tags.export(req.ctx, req.query.format, req.query.nodeId);
      const stamp = new Date().toISOString().slice(0, 10);
      return reply
        .header(
          'content-type',
          req.query.format === 'csv'
            ? 'text/csv; charset=utf-8'
            : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        )
        .header('content-disposition', `attachment; filename="aegis-tags-${stamp}.${req.query.format}"`)
        .send(body);
    },
  );
  app.post(
    '/api/tags/import',
    {
      config: { permission: 'tag.manage' },
      bodyLimit: 15 * 1024 * 1024,
      schema: {
        tags: openapiTags,
        summary: 'Create or update tags from a CSV/XLSX file (base64); all rows or none, with per-row errors',
        body: TagImportSchema,
        response: { 200: TagImportResultSchema, ...errorResponses },
      },
    },
    (req) => tags.import(req.ctx, req.body),
  );
  app.get(
    '/api/tags/:id',
    {
      config: { permission: 'tag.read' },
      schema: {
        tags: openapiTags,
        params: IdParamsSchema,
        response: { 200: TagViewSchema, ...errorResponses },
      },
    },
    (req) => tags.get(req.ctx, req.params.id),
  );
  app.post(
    '/api/tags',
    {
      config: { permission: 'tag.manage' },
      schema: {
        tags: openapiTags,
        summary: 'Add a tag to an equipment item (reason required)',
        body: CreateTagSchema,
        response: { 201: TagViewSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await tags.create(req.ctx, req.body)),
  );
  app.patch(
    '/api/tags/:id',
    {
      config: { permission: 'tag.manage' },
      schema: {
        tags: openapiTags,
        summary: 'Change a tag (reason required)',
        params: IdParamsSchema,
        body: UpdateTagSchema,
        response: { 200: TagViewSchema, ...errorResponses },
      },
    },
    (req) => tags.update(req.ctx, req.params.id, req.body),
  );
  app.delete(
    '/api/tags/:id',
    {
      config: { permission: 'tag.manage' },
      schema: {
        tags: openapiTags,
        summary: 'Delete a tag and its history (reason required; its alarm rules must be deleted first)',
        params: IdParamsSchema,
        body: z.object({ reason: ReasonSchema }),
        response: { 200: OkSchema, ...errorResponses },
      },
    },
    async (req) => {
      await tags.remove(req.ctx, req.params.id, req.body.reason);
      return { ok: true as const };
    },
  );
}
