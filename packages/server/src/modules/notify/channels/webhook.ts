import { createHmac } from 'node:crypto';
import { WebhookSecretsSchema, WebhookSettingsSchema } from '@aegis/shared';
import type { z } from 'zod';
import { httpRequest, isOk, statusError } from './http.js';
import { type ChannelDriver, SendError } from './types.js';

/**
 * Generic webhook, so ERP and ticketing systems can subscribe. One POST per message:
 *
 *   Content-Type: application/json
 *   X-Aegis-Delivery: <idempotencyKey>       the same on every retry of one message: deduplicate on it
 *   X-Aegis-Timestamp: <unix seconds>
 *   X-Aegis-Signature: sha256=<hex>          only when a signing secret is set
 *   Authorization: <secret>                  only when set
 *   …the channel's extra headers
 *
 *   body: {"idempotencyKey","subject","text","link","count","locale","priority","sentAt","recipients":[{"userId","name"}],"events":[NotifyEvent…]}
 *
 * Signature: hex(HMAC-SHA256(key = signing secret, data = timestamp + "." + raw body)), the body
 * exactly as received (bytes, UTF-8). A receiver recomputes it, compares in constant time, and
 * rejects timestamps older than a few minutes (replay). Node:
 *   'sha256=' + crypto.createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')
 *
 * Answers: 2xx delivered; 408, 429 (Retry-After honoured), 5xx, timeouts and connection errors are
 * retried with back-off; other 4xx are final (the receiver refuses the request: fix the settings).
 * Redirects are not followed.
 */

type Settings = z.infer<typeof WebhookSettingsSchema>;
type Secrets = z.infer<typeof WebhookSecretsSchema>;

/** `sha256=<hex HMAC-SHA256(secret, `${timestamp}.${body}`)>` — what X-Aegis-Signature carries. */
export function signWebhook(secret: string, timestamp: string | number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

/** Headers the driver sets itself; configured headers may not replace them. */
const RESERVED = new Set([
  'content-type',
  'content-length',
  'host',
  'authorization',
  'x-aegis-delivery',
  'x-aegis-timestamp',
  'x-aegis-signature',
  'transfer-encoding',
  'connection',
]);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function checkHeaders(headers: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) problems.push(`"${name}" is not a valid header name`);
    else if (RESERVED.has(name.toLowerCase()))
      problems.push(
        name.toLowerCase() === 'authorization'
          ? 'Put credentials into the Authorization secret, not into the headers: headers are shown to everybody who can read the channel'
          : `The header ${name} is set by Aegis itself`,
      );
    if (/[\r\n]/.test(value)) problems.push(`The value of ${name} contains a line break`);
  }
  return problems;
}

export const webhookDriver: ChannelDriver<Settings, Secrets> = {
  kind: 'webhook',
  settings: WebhookSettingsSchema,
  secrets: WebhookSecretsSchema,
  limits: { perMinute: null, perSecond: null },
  grouped: true,
  addressOf: () => null,
  check(settings) {
    const problems = checkHeaders(settings.headers);
    try {
      const u = new URL(settings.url);
      if (u.username || u.password)
        problems.push('The address contains credentials: put them into the Authorization secret instead');
    } catch {
      problems.push('The address is not a valid URL');
    }
    return problems;
  },
  async send({ settings, secrets, message, targets, ctx }) {
    const problems = checkHeaders(settings.headers);
    if (problems.length > 0) throw new SendError(problems.join('; '), false);
    const now = ctx.now();
    const timestamp = String(Math.floor(now.getTime() / 1000));
    const body = JSON.stringify({
      idempotencyKey: message.idempotencyKey,
      subject: message.subject,
      text: message.text,
      link: message.link,
      count: message.count,
      locale: message.locale,
      priority: message.priority,
      sentAt: now.toISOString(),
      recipients: targets.map((t) => ({ userId: t.userId, name: t.name })),
      events: message.events,
    });
    const headers: Record<string, string> = {
      ...settings.headers,
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Aegis-MES-Notify/1',
      'x-aegis-delivery': message.idempotencyKey,
      'x-aegis-timestamp': timestamp,
    };
    if (secrets.signingSecret)
      headers['x-aegis-signature'] = signWebhook(secrets.signingSecret, timestamp, body);
    if (secrets.authorization) headers.authorization = secrets.authorization;
    const hidden = [secrets.signingSecret, secrets.authorization];
    const answer = await httpRequest({
      ctx,
      url: settings.url,
      headers,
      body,
      timeoutMs: settings.timeoutMs,
      secrets: hidden,
      what: 'The webhook',
    });
    if (!isOk(answer.status)) throw statusError(answer, 'The webhook', now, hidden);
    return { providerReply: `HTTP ${answer.status}` };
  },
};
