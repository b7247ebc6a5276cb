import { SmsSecretsSchema, SmsSettingsSchema } from '@aegis/shared';
import type { z } from 'zod';
import { redactSecrets } from '../../connectors/secrets.js';
import { compileTemplate, escapeJsonString, type RenderTemplate, TemplateError } from '../template.js';
import { httpRequest, isOk, statusError } from './http.js';
import { type ChannelDriver, SendError } from './types.js';
import { checkHeaders } from './webhook.js';

/**
 * SMS through any HTTP gateway (Aliyun, Tencent Cloud, an on-premise modem gateway): method, URL,
 * headers, body template and content type are settings; templates use {{phone}}, {{text}} and
 * {{secret}} (the gateway key, stored encrypted). Values are escaped where they land: URL-encoded
 * in the URL and in form bodies, JSON-escaped in JSON bodies, line breaks removed in headers.
 * The text is the message's one-line subject and its deep link (an SMS is read on a phone screen).
 * One request per recipient; 2xx is delivered, other answers classified as for webhooks.
 */

type Settings = z.infer<typeof SmsSettingsSchema>;
type Secrets = z.infer<typeof SmsSecretsSchema>;

export const SMS_TEMPLATE_VARIABLES = ['phone', 'text', 'secret'] as const;
export const PHONE = /^\+?[0-9]{6,15}$/;

const noLineBreaks = (s: string) => s.replace(/[\r\n]+/g, ' ');

interface Compiled {
  url: RenderTemplate;
  headers: [string, RenderTemplate][];
  body: RenderTemplate;
}

function compile(settings: Settings): Compiled {
  const where = (what: string, fn: () => RenderTemplate) => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof TemplateError) throw new TemplateError(`${what}: ${err.message}`, err.position);
      throw err;
    }
  };
  return {
    url: where('URL', () => compileTemplate(settings.url, SMS_TEMPLATE_VARIABLES)),
    headers: Object.entries(settings.headers).map(([k, v]) => [
      k,
      where(`Header ${k}`, () => compileTemplate(v, SMS_TEMPLATE_VARIABLES)),
    ]),
    body: where('Body', () => compileTemplate(settings.bodyTemplate, SMS_TEMPLATE_VARIABLES)),
  };
}

function bodyEscape(contentType: Settings['contentType']): (s: string) => string {
  if (contentType === 'application/json') return escapeJsonString;
  if (contentType === 'application/x-www-form-urlencoded') return encodeURIComponent;
  return (s) => s;
}

/** The SMS text: the subject, and the deep link when there is one. */
export const smsText = (message: { subject: string; link: string | null }) =>
  message.link ? `${message.subject} ${message.link}` : message.subject;

export const smsDriver: ChannelDriver<Settings, Secrets> = {
  kind: 'sms',
  settings: SmsSettingsSchema,
  secrets: SmsSecretsSchema,
  limits: { perMinute: null, perSecond: null },
  grouped: false,
  addressOf: (p) => p.mobile,
  check(settings) {
    let compiled: Compiled;
    try {
      compiled = compile(settings);
    } catch (err) {
      if (err instanceof TemplateError) return [err.message];
      throw err;
    }
    const problems = checkHeaders(
      Object.fromEntries(
        Object.entries(settings.headers).filter(([k]) => k.toLowerCase() !== 'authorization'),
      ),
    );
    const sample = { phone: '+8613800000000', text: '测试 "test" & <1>', secret: 'sample-secret' };
    const url = compiled.url(sample, encodeURIComponent);
    try {
      const u = new URL(url);
      if (!/^https?:$/.test(u.protocol)) problems.push('The URL must start with http:// or https://');
    } catch {
      problems.push('The URL is not a valid address once filled in');
    }
    if (
      settings.method !== 'GET' &&
      settings.contentType === 'application/json' &&
      settings.bodyTemplate.trim()
    ) {
      try {
        JSON.parse(compiled.body(sample, escapeJsonString));
      } catch (err) {
        problems.push(
          `The body is not valid JSON once filled in (${(err as Error).message}); put placeholders inside quotes: "{{text}}"`,
        );
      }
    }
    if (settings.method === 'GET' && settings.bodyTemplate.trim())
      problems.push('A GET request sends no body: put {{phone}} and {{text}} into the URL');
    if (
      ![settings.url, settings.bodyTemplate, ...Object.values(settings.headers)].some((t) =>
        t.includes('{{phone'),
      )
    )
      problems.push('The gateway is never told the phone number: use {{phone}} in the URL or the body');
    return problems;
  },
  async send({ settings, secrets, message, targets, ctx }) {
    const hidden = [secrets.secret];
    let compiled: Compiled;
    try {
      compiled = compile(settings);
    } catch (err) {
      throw new SendError(`The SMS gateway settings are invalid: ${(err as Error).message}`, false);
    }
    const phones = targets.map((t) => t.address?.trim() ?? '');
    if (phones.length === 0) throw new SendError('No mobile number to send the SMS to', false);
    const bad = phones.filter((p) => !PHONE.test(p));
    if (bad.length > 0)
      throw new SendError(
        `Not a mobile number: ${bad.map((p) => `"${p.slice(0, 30)}"`).join(', ')} (digits only, 6 to 15, optionally starting with + and the country code)`,
        false,
      );
    const text = smsText(message);
    const replies: string[] = [];
    for (const phone of phones) {
      const vars = { phone, text, secret: secrets.secret ?? '' };
      const url = compiled.url(vars, encodeURIComponent);
      const headers: Record<string, string> = {};
      for (const [k, render] of compiled.headers) headers[k] = noLineBreaks(render(vars, noLineBreaks));
      const hasBody = settings.method !== 'GET' && settings.bodyTemplate.length > 0;
      if (hasBody) headers['content-type'] = `${settings.contentType}; charset=utf-8`;
      const answer = await httpRequest({
        ctx,
        url,
        method: settings.method,
        headers,
        body: hasBody ? compiled.body(vars, bodyEscape(settings.contentType)) : undefined,
        timeoutMs: settings.timeoutMs,
        secrets: hidden,
        what: 'The SMS gateway',
      });
      if (!isOk(answer.status)) throw statusError(answer, 'The SMS gateway', ctx.now(), hidden);
      replies.push(
        redactSecrets(
          `HTTP ${answer.status} ${answer.body.replace(/\s+/g, ' ').slice(0, 200)}`.trim(),
          hidden,
        ),
      );
    }
    return { providerReply: replies.join('; ') };
  },
};
