import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../connectors/modbus/testing.js';
import { json, sampleEvent, sampleMessage, startSink, testContext } from './testing.js';
import type { Target } from './types.js';
import { signWebhook, webhookDriver } from './webhook.js';

const SECRET = 'whsec_4f9a2c7e1b';

/** A receiver that checks X-Aegis-Signature the way the README tells integrators to. */
function verify(headers: Record<string, string | string[] | undefined>, rawBody: string): boolean {
  const timestamp = String(headers['x-aegis-timestamp'] ?? '');
  const got = Buffer.from(String(headers['x-aegis-signature'] ?? ''));
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${rawBody}`).digest('hex')}`,
  );
  const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
  return fresh && got.length === expected.length && timingSafeEqual(got, expected);
}

const settings = (
  url: string,
  over: Partial<{ headers: Record<string, string>; timeoutMs: number }> = {},
) => ({
  url,
  headers: {},
  timeoutMs: 5000,
  ...over,
});
const people: Target[] = [{ userId: 7, name: '王工', address: null, mobile: null }];

let closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closing.map((c) => c()));
  closing = [];
});

describe('generic webhook', () => {
  it('posts the events as JSON, signed over timestamp and body, with the delivery id and configured headers', async () => {
    const sink = await startSink((r, res) =>
      verify(r.headers, r.body) ? json(res, 202, {}) : json(res, 401, { error: 'bad signature' }),
    );
    closing.push(sink.close);
    const message = sampleMessage({ key: 'delivery-9' });
    const result = await webhookDriver.send({
      settings: settings(`${sink.url}/hooks/aegis`, { headers: { 'X-Tenant': 'plant-1' } }),
      secrets: { signingSecret: SECRET, authorization: 'Bearer erp-token-77' },
      message,
      targets: people,
      ctx: testContext(),
    });
    expect(result.providerReply).toBe('HTTP 202');
    const r = sink.received[0]!;
    expect(r.headers['x-aegis-delivery']).toBe('delivery-9');
    expect(r.headers['x-tenant']).toBe('plant-1');
    expect(r.headers.authorization).toBe('Bearer erp-token-77');
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(r.headers['x-aegis-signature']).toBe(
      signWebhook(SECRET, String(r.headers['x-aegis-timestamp']), r.body),
    );
    const body = JSON.parse(r.body);
    expect(body).toMatchObject({
      idempotencyKey: 'delivery-9',
      subject: message.subject,
      text: message.text,
      link: 'https://mes.example.com/alarms?key=alarm%3A9%3AHH',
      count: 1,
      locale: 'zh-CN',
      priority: 'critical',
      recipients: [{ userId: 7, name: '王工' }],
    });
    expect(body.events).toEqual([sampleEvent()]);
  });

  it('is rejected by a receiver that checks the signature when the secret differs', async () => {
    const sink = await startSink((r, res) =>
      verify(r.headers, r.body) ? json(res, 200, {}) : json(res, 401, { error: 'bad signature' }),
    );
    closing.push(sink.close);
    const err = await webhookDriver
      .send({
        settings: settings(sink.url),
        secrets: { signingSecret: 'other-secret' },
        message: sampleMessage(),
        targets: [],
        ctx: testContext(),
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'SendError', retryable: false });
    expect((err as Error).message).toContain('HTTP 401');
  });

  it('retries 408, 429 (after Retry-After), 5xx; gives up on other 4xx', async () => {
    let status = 429;
    const sink = await startSink((_r, res) =>
      json(res, status, { error: 'x' }, status === 429 ? { 'retry-after': '7' } : {}),
    );
    closing.push(sink.close);
    const send = () =>
      webhookDriver
        .send({
          settings: settings(sink.url),
          secrets: {},
          message: sampleMessage(),
          targets: [],
          ctx: testContext(),
        })
        .catch((e: unknown) => e);
    expect(await send()).toMatchObject({ retryable: true, retryAfterMs: 7000 });
    for (const [s, retryable] of [
      [408, true],
      [500, true],
      [503, true],
      [400, false],
      [404, false],
      [422, false],
    ] as const) {
      status = s;
      expect(await send(), `HTTP ${s}`).toMatchObject({ name: 'SendError', retryable });
    }
  });

  it('retries when the receiver does not answer in time or cannot be reached', async () => {
    const sink = await startSink(() => {
      /* never answers */
    });
    closing.push(sink.close);
    const slow = await webhookDriver
      .send({
        settings: settings(sink.url, { timeoutMs: 500 }),
        secrets: {},
        message: sampleMessage(),
        targets: [],
        ctx: testContext(),
      })
      .catch((e: unknown) => e);
    expect(slow).toMatchObject({ name: 'SendError', retryable: true });
    expect((slow as Error).message).toContain('did not answer within 500 ms');
    const port = await freePort();
    const down = await webhookDriver
      .send({
        settings: settings(`http://127.0.0.1:${port}/`),
        secrets: {},
        message: sampleMessage(),
        targets: [],
        ctx: testContext(),
      })
      .catch((e: unknown) => e);
    expect(down).toMatchObject({ name: 'SendError', retryable: true });
    expect((down as Error).message).toContain('ECONNREFUSED');
  });

  it('refuses a metadata address before any request, and never follows a redirect to one', async () => {
    const ctx = testContext({ allow: '0.0.0.0/0' });
    const meta = await webhookDriver
      .send({
        settings: settings('http://169.254.169.254/latest/meta-data/'),
        secrets: {},
        message: sampleMessage(),
        targets: [],
        ctx,
      })
      .catch((e: unknown) => e);
    expect(meta).toMatchObject({ name: 'SendError', retryable: false });
    expect((meta as Error).message).toContain('metadata-or-link-local');
    expect(ctx.checked).toEqual(['http://169.254.169.254/']);

    const sink = await startSink((_r, res) => {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
    });
    closing.push(sink.close);
    const redirected = await webhookDriver
      .send({
        settings: settings(sink.url),
        secrets: {},
        message: sampleMessage(),
        targets: [],
        ctx: testContext(),
      })
      .catch((e: unknown) => e);
    expect(redirected).toMatchObject({ name: 'SendError', retryable: false });
    expect((redirected as Error).message).toContain('redirects are not followed');
  });

  it('keeps credentials out of the visible headers', () => {
    expect(webhookDriver.check(settings('https://erp.example.com/hook'), {})).toEqual([]);
    expect(
      webhookDriver.check(
        settings('https://erp.example.com/hook', { headers: { Authorization: 'Bearer x' } }),
        {},
      ),
    ).toEqual([expect.stringContaining('Authorization secret')]);
    expect(webhookDriver.check(settings('https://user:pw@erp.example.com/hook'), {})).toEqual([
      expect.stringContaining('credentials'),
    ]);
    expect(webhookDriver.addressOf({} as never)).toBeNull();
  });
});
