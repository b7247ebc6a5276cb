import { afterEach, describe, expect, it } from 'vitest';
import { smsDriver } from './sms.js';
import { json, sampleMessage, startSink, testContext } from './testing.js';
import type { Target } from './types.js';

const API_KEY = 'sms-key-5d1f0c';
const to = (address: string | null): Target => ({ userId: 7, name: '王工', address, mobile: address });

type Settings = Parameters<typeof smsDriver.check>[0];
const settings = (url: string, over: Partial<Settings> = {}): Settings => ({
  method: 'POST',
  url,
  headers: { 'X-Api-Key': '{{secret}}' },
  bodyTemplate: '{"to":"{{phone}}","content":"{{text}}"}',
  contentType: 'application/json',
  timeoutMs: 5000,
  ...over,
});

/** A gateway that checks its key and reads the body the way its content type says. */
async function startGateway() {
  return startSink((r, res) => {
    if (r.headers['x-api-key'] !== API_KEY && r.url.searchParams.get('apikey') !== API_KEY)
      return json(res, 401, { error: `invalid key ${String(r.headers['x-api-key'])}` });
    json(res, 200, { result: 'queued', id: 'm-1' });
  });
}

let closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closing.map((c) => c()));
  closing = [];
});

describe('SMS through an HTTP gateway', () => {
  it('fills a JSON body template with the number and the text, JSON-escaped, and the key in a header', async () => {
    const gw = await startGateway();
    closing.push(gw.close);
    const message = { ...sampleMessage(), subject: '[紧急] 储罐 "T-2" 液位\\高' };
    const result = await smsDriver.send({
      settings: settings(`${gw.url}/send`),
      secrets: { secret: API_KEY },
      message,
      targets: [to('+8613800000001')],
      ctx: testContext(),
    });
    expect(result.providerReply).toContain('HTTP 200');
    const r = gw.received[0]!;
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(r.body)).toEqual({
      to: '+8613800000001',
      content: '[紧急] 储罐 "T-2" 液位\\高 https://mes.example.com/alarms?key=alarm%3A9%3AHH',
    });
  });

  it('URL-encodes values in a GET URL and in a form body', async () => {
    const gw = await startGateway();
    closing.push(gw.close);
    const message = sampleMessage();
    await smsDriver.send({
      settings: settings(`${gw.url}/get?apikey={{secret}}&mobile={{phone}}&msg={{text}}`, {
        method: 'GET',
        headers: {},
        bodyTemplate: '',
      }),
      secrets: { secret: API_KEY },
      message,
      targets: [to('13800000001')],
      ctx: testContext(),
    });
    const get = gw.received[0]!;
    expect(get.method).toBe('GET');
    expect(get.url.searchParams.get('mobile')).toBe('13800000001');
    expect(get.url.searchParams.get('msg')).toBe(`${message.subject} ${message.link}`);

    await smsDriver.send({
      settings: settings(`${gw.url}/form`, {
        contentType: 'application/x-www-form-urlencoded',
        bodyTemplate: 'to={{phone}}&text={{text}}',
      }),
      secrets: { secret: API_KEY },
      message,
      targets: [to('+8613800000001')],
      ctx: testContext(),
    });
    const form = new URLSearchParams(gw.received[1]!.body);
    expect(form.get('to')).toBe('+8613800000001');
    expect(form.get('text')).toBe(`${message.subject} ${message.link}`);
  });

  it('refuses a malformed mobile number without calling the gateway', async () => {
    const gw = await startGateway();
    closing.push(gw.close);
    for (const bad of ['138-0000-0001', '12345', 'tel:13800000001', '']) {
      const err = await smsDriver
        .send({
          settings: settings(gw.url),
          secrets: { secret: API_KEY },
          message: sampleMessage(),
          targets: [to(bad)],
          ctx: testContext(),
        })
        .catch((e: unknown) => e);
      expect(err, bad).toMatchObject({ name: 'SendError', retryable: false });
      expect((err as Error).message).toContain('Not a mobile number');
    }
    expect(gw.received).toHaveLength(0);
  });

  it('retries when the gateway fails, gives up when it refuses the key, and never shows the key', async () => {
    const gw = await startGateway();
    closing.push(gw.close);
    const refused = await smsDriver
      .send({
        settings: settings(gw.url),
        secrets: { secret: 'wrong-key-999' },
        message: sampleMessage(),
        targets: [to('13800000001')],
        ctx: testContext(),
      })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ name: 'SendError', retryable: false });
    expect((refused as Error).message).toContain('HTTP 401');
    expect((refused as Error).message).not.toContain('wrong-key-999');

    const broken = await startSink((_r, res) => json(res, 502, {}));
    closing.push(broken.close);
    await expect(
      smsDriver.send({
        settings: settings(broken.url),
        secrets: { secret: API_KEY },
        message: sampleMessage(),
        targets: [to('13800000001')],
        ctx: testContext(),
      }),
    ).rejects.toMatchObject({ retryable: true });
  });

  it('explains invalid templates and bodies when the channel is saved', () => {
    const url = 'https://sms.example.com/send';
    expect(smsDriver.check(settings(url), {})).toEqual([]);
    expect(smsDriver.check(settings(url, { bodyTemplate: '{"to":"{{mobile}}"}' }), {})).toEqual([
      expect.stringMatching(
        /^Body: Unknown variable \{\{mobile\}\}.*allowed: \{\{phone\}\}, \{\{text\}\}, \{\{secret\}\}/,
      ),
    ]);
    expect(smsDriver.check(settings(url, { bodyTemplate: '{"to":{{phone}}}' }), {})).toEqual([
      expect.stringContaining('not valid JSON once filled in'),
    ]);
    expect(smsDriver.check(settings(url, { bodyTemplate: '{"to":"{{phone"}' }), {})).toEqual([
      expect.stringContaining('not closed'),
    ]);
    expect(smsDriver.check(settings(url, { bodyTemplate: '{"text":"{{text}}"}' }), {})).toEqual([
      expect.stringContaining('{{phone}}'),
    ]);
  });
});
