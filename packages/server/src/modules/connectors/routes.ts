import {
  CertificateDecisionSchema,
  ConnectorSchema,
  CreateConnectorSchema,
  DeleteWithReasonSchema,
  IdParamsSchema,
  OkSchema,
  ReasonSchema,
  UpdateConnectorSchema,
} from '@aegis/shared';
import { z } from 'zod';
import type { App } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';
import type { ConnectorService } from './service.js';

const tags = ['connectors'];

/**
 * Connectors: anyone who may see live data sees the connections and their health; settings
 * (without passwords) and changes need connector.manage.
 */
export async function connectorRoutes(app: App, { connectors }: { connectors: ConnectorService }) {
  app.get(
    '/api/connectors',
    {
      config: { permission: 'tag.read' },
      schema: {
        tags,
        summary: 'Every connector with its health (the built-in MQTT connection first, id null)',
        response: { 200: z.array(ConnectorSchema), ...errorResponses },
      },
    },
    (req) => connectors.list(req.ctx),
  );
  app.get(
    '/api/connectors/:id',
    {
      config: { permission: 'tag.read' },
      schema: { tags, params: IdParamsSchema, response: { 200: ConnectorSchema, ...errorResponses } },
    },
    (req) => connectors.get(req.ctx, req.params.id),
  );
  app.post(
    '/api/connectors',
    {
      config: { permission: 'connector.manage' },
      schema: {
        tags,
        summary: 'Add a connector (reason required); it starts at once when enabled',
        body: CreateConnectorSchema,
        response: { 201: ConnectorSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await connectors.create(req.ctx, req.body)),
  );
  app.patch(
    '/api/connectors/:id',
    {
      config: { permission: 'connector.manage' },
      schema: {
        tags,
        summary: 'Change a connector (reason required); it reconnects with the new settings',
        params: IdParamsSchema,
        body: UpdateConnectorSchema,
        response: { 200: ConnectorSchema, ...errorResponses },
      },
    },
    (req) => connectors.update(req.ctx, req.params.id, req.body),
  );
  app.delete(
    '/api/connectors/:id',
    {
      config: { permission: 'connector.manage' },
      schema: {
        tags,
        summary: 'Delete a connector no tag reads from (reason required)',
        params: IdParamsSchema,
        body: DeleteWithReasonSchema,
        response: { 200: OkSchema, ...errorResponses },
      },
    },
    async (req) => {
      await connectors.remove(req.ctx, req.params.id, req.body.reason);
      return { ok: true as const };
    },
  );
  app.post(
    '/api/connectors/:id/restart',
    {
      config: { permission: 'connector.manage' },
      schema: {
        tags,
        summary: 'Drop the connection and connect afresh',
        params: IdParamsSchema,
        body: z.object({ reason: ReasonSchema.optional() }).optional(),
        response: { 200: ConnectorSchema, ...errorResponses },
      },
    },
    (req) => connectors.restart(req.ctx, req.params.id, req.body?.reason),
  );
  app.post(
    '/api/connectors/:id/certificates/approve',
    {
      config: { permission: 'connector.manage' },
      schema: {
        tags,
        summary:
          'Trust the OPC UA server certificate with this fingerprint (reason required); the connector reconnects',
        params: IdParamsSchema,
        body: CertificateDecisionSchema,
        response: { 200: ConnectorSchema, ...errorResponses },
      },
    },
    (req) => connectors.approveCertificate(req.ctx, req.params.id, req.body),
  );
  app.post(
    '/api/connectors/:id/certificates/reject',
    {
      config: { permission: 'connector.manage' },
      schema: {
        tags,
        summary: 'Refuse the OPC UA server certificate with this fingerprint (reason required)',
        params: IdParamsSchema,
        body: CertificateDecisionSchema,
        response: { 200: ConnectorSchema, ...errorResponses },
      },
    },
    (req) => connectors.rejectCertificate(req.ctx, req.params.id, req.body),
  );
}
