import {
  ChannelSchema,
  CreateChannelSchema,
  CreatePolicySchema,
  DeleteWithReasonSchema,
  DeliveryDetailSchema,
  DeliveryQuerySchema,
  DeliverySchema,
  IdParamsSchema,
  MarkReadSchema,
  NotificationListSchema,
  NotificationQuerySchema,
  NotifyHealthSchema,
  NotifyProfileSchema,
  OkSchema,
  PolicySchema,
  PreviewRequestSchema,
  PreviewResultSchema,
  TestChannelResultSchema,
  TestChannelSchema,
  UpdateChannelSchema,
  UpdateNotifyProfileSchema,
  UpdatePolicySchema,
} from '@aegis/shared';
import { z } from 'zod';
import type { App } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';
import type { NotifyService } from './service.js';

const tags = ['notifications'];

export async function notifyRoutes(app: App, { notify }: { notify: NotifyService }) {
  // ---- channels
  app.get(
    '/api/notify/channels',
    {
      config: { permission: 'notify.read' },
      schema: {
        tags,
        summary: 'Notification channels (secrets are never returned, only which are set)',
        response: { 200: z.array(ChannelSchema), ...errorResponses },
      },
    },
    (req) => notify.listChannels(req.ctx),
  );
  app.post(
    '/api/notify/channels',
    {
      config: { permission: 'notify.manage' },
      schema: {
        tags,
        summary: 'Add a channel: e-mail (SMTP), WeCom/DingTalk/Feishu robot, webhook, SMS gateway or in-app',
        body: CreateChannelSchema,
        response: { 201: ChannelSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await notify.createChannel(req.ctx, req.body)),
  );
  app.patch(
    '/api/notify/channels/:id',
    {
      config: { permission: 'notify.manage' },
      schema: {
        tags,
        summary: 'Change a channel; secrets: omitted keep, null deletes',
        params: IdParamsSchema,
        body: UpdateChannelSchema,
        response: { 200: ChannelSchema, ...errorResponses },
      },
    },
    (req) => notify.updateChannel(req.ctx, req.params.id, req.body),
  );
  app.delete(
    '/api/notify/channels/:id',
    {
      config: { permission: 'notify.manage' },
      schema: {
        tags,
        summary: 'Remove a channel no policy uses',
        params: IdParamsSchema,
        body: DeleteWithReasonSchema,
        response: { 200: OkSchema, ...errorResponses },
      },
    },
    async (req) => {
      await notify.deleteChannel(req.ctx, req.params.id, req.body.reason);
      return { ok: true as const };
    },
  );
  app.post(
    '/api/notify/channels/:id/test',
    {
      config: { permission: 'notify.manage' },
      schema: {
        tags,
        summary: 'Send a test message now (to a person for e-mail/SMS, to the group for robots and webhooks)',
        params: IdParamsSchema,
        body: TestChannelSchema,
        response: { 200: TestChannelResultSchema, ...errorResponses },
      },
    },
    (req) => notify.testChannel(req.ctx, req.params.id, req.body),
  );

  // ---- policies
  app.get(
    '/api/notify/policies',
    {
      config: { permission: 'notify.read' },
      schema: {
        tags,
        summary: 'Escalation policies',
        response: { 200: z.array(PolicySchema), ...errorResponses },
      },
    },
    (req) => notify.listPolicies(req.ctx),
  );
  app.post(
    '/api/notify/policies',
    {
      config: { permission: 'notify.manage' },
      schema: {
        tags,
        summary: 'Add an escalation policy',
        body: CreatePolicySchema,
        response: { 201: PolicySchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.code(201).send(await notify.createPolicy(req.ctx, req.body)),
  );
  app.patch(
    '/api/notify/policies/:id',
    {
      config: { permission: 'notify.manage' },
      schema: {
        tags,
        summary: 'Change an escalation policy',
        params: IdParamsSchema,
        body: UpdatePolicySchema,
        response: { 200: PolicySchema, ...errorResponses },
      },
    },
    (req) => notify.updatePolicy(req.ctx, req.params.id, req.body),
  );
  app.delete(
    '/api/notify/policies/:id',
    {
      config: { permission: 'notify.manage' },
      schema: {
        tags,
        summary: 'Remove an escalation policy (its pending escalations end)',
        params: IdParamsSchema,
        body: DeleteWithReasonSchema,
        response: { 200: OkSchema, ...errorResponses },
      },
    },
    async (req) => {
      await notify.deletePolicy(req.ctx, req.params.id, req.body.reason);
      return { ok: true as const };
    },
  );
  app.post(
    '/api/notify/preview',
    {
      config: { permission: 'notify.manage' },
      schema: {
        tags,
        summary:
          'What would happen: a sample event through the policies (or one being edited) and the roster',
        body: PreviewRequestSchema,
        response: { 200: PreviewResultSchema, ...errorResponses },
      },
    },
    (req) => notify.preview(req.ctx, req.body),
  );

  // ---- the delivery log
  app.get(
    '/api/notify/deliveries',
    {
      config: { permission: 'notify.read' },
      schema: {
        tags,
        summary:
          'The delivery log: every message, its recipient, channel, attempts, status, error and latency',
        querystring: DeliveryQuerySchema,
        response: {
          200: z.object({ items: z.array(DeliverySchema), total: z.number().int() }),
          ...errorResponses,
        },
      },
    },
    (req) => notify.deliveries(req.ctx, req.query),
  );
  app.get(
    '/api/notify/deliveries/:id',
    {
      config: { permission: 'notify.read' },
      schema: {
        tags,
        summary: 'One delivery with the message as sent',
        params: IdParamsSchema,
        response: { 200: DeliveryDetailSchema, ...errorResponses },
      },
    },
    (req) => notify.delivery(req.ctx, req.params.id),
  );
  app.post(
    '/api/notify/deliveries/:id/resend',
    {
      config: { permission: 'notify.manage' },
      schema: {
        tags,
        summary: 'Send a failed or dead delivery again',
        params: IdParamsSchema,
        response: { 200: DeliverySchema, ...errorResponses },
      },
    },
    (req) => notify.resend(req.ctx, req.params.id),
  );
  app.get(
    '/api/notify/health',
    {
      config: { permission: 'notify.read' },
      schema: {
        tags,
        summary: 'The notification worker: outbox, pending escalations and deliveries, dead letters',
        response: { 200: NotifyHealthSchema, ...errorResponses },
      },
    },
    (req) => notify.health(req.ctx),
  );

  // ---- the signed-in person's own
  app.get(
    '/api/me/notifications',
    {
      config: { authenticated: true },
      schema: {
        tags,
        summary: 'My notification centre, newest first, with the unread count',
        querystring: NotificationQuerySchema,
        response: { 200: NotificationListSchema, ...errorResponses },
      },
    },
    (req) => notify.myNotifications(req.ctx, req.query),
  );
  app.post(
    '/api/me/notifications/read',
    {
      config: { authenticated: true },
      schema: {
        tags,
        summary: 'Mark my notifications read (these ids, or all)',
        body: MarkReadSchema,
        response: { 200: z.object({ unread: z.number().int() }), ...errorResponses },
      },
    },
    (req) => notify.markRead(req.ctx, req.body),
  );
  app.get(
    '/api/me/notify-profile',
    {
      config: { authenticated: true },
      schema: {
        tags,
        summary: 'My channels (e-mail, mobile, WeCom/DingTalk/Feishu ids), language and quiet hours',
        response: { 200: NotifyProfileSchema, ...errorResponses },
      },
    },
    (req) => notify.myProfile(req.ctx),
  );
  app.put(
    '/api/me/notify-profile',
    {
      config: { authenticated: true },
      schema: {
        tags,
        summary: 'Change my channels, language and quiet hours',
        body: UpdateNotifyProfileSchema,
        response: { 200: NotifyProfileSchema, ...errorResponses },
      },
    },
    (req) => notify.updateMyProfile(req.ctx, req.body),
  );
}
