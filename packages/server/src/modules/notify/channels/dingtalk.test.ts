import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { dingtalkDriver } from './dingtalk.js';
import { json, type Received, sampleMessage, startSink, testContext } from './testing.js';
import type { Target } from './types.js';

const TOKEN = 'ff6cd723bdb4455fe18aaaa';
const SECRET = 'SEC6f1b4a8e2c0d9f7e5b3a1c8d6e4f2a0b9c7d5e3f1a8b6c4d2e0f9a7b5c3d1e';

/**
 * Stands in for oapi.dingtalk.com/robot/send with 加签: recomputes the signature from the received
 * timestamp and the shared secret as DingTalk documents it (HmacSHA256 keyed with the secret over
 * `timestamp\nsecret`, Base64, URL-encoded) and answers 310000 when it does not match.
 */
async function startDingtalk(answer?: (r: Received) => { errcode: number; errmsg: string } | null) {
  return startSink((r, res) => {
    if (r.url.pathname !== '/robot/send') return json(res, 404, {});
    const q = r.url.searchParams; // form decoding: a raw '+' would arrive as a space
    if (q.get('access_token') !== TOKEN)
      return json(res, 200, { errcode: 300001, errmsg: 'token is not exist' });
    const timestamp = q.get('timestamp') ?? '';
    const expected = createHmac('sha256', SECRET).update(`${timestamp}\n${SECRET}`).digest();
    const got = Buffer.from(q.get('sign') ?? '', 'base64');
    const fresh = Math.abs(Date.now() - Number(timestamp)) < 3600_000;
    if (!fresh || got.length !== expected.length || !timingSafeEqual(got, expected))
      return json(res, 200, {
        errcode: 310000,
        errmsg: 'sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]',
      });
    json(res, 200, answer?.(r) ?? { errcode: 0, errmsg: 'ok' });
  });
}

const byMobile: Target = { userId: 2, name: '李班长', address: '13800000002', mobile: '13800000002' };
const byId: Target = { userId: 3, name: '张工', address: 'manager7140', mobile: '13800000003' };

let closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closing.map((c) => c()));
  closing = [];
});

describe('DingTalk robot', () => {
  it('signs as documented and sends markdown that @-mentions people by mobile and user id', async () => {
    const ding = await startDingtalk();
    closing.push(ding.close);
    const ctx = testContext();
    const result = await dingtalkDriver.send({
      settings: { url: `${ding.url}/robot/send` },
      secrets: { token: TOKEN, signingSecret: SECRET },
      message: sampleMessage(),
      targets: [byMobile, byId],
      ctx,
    });
    expect(result.providerReply).toBe('errcode 0');
    const r = ding.received[0]!;
    expect(r.url.search).not.toMatch(/sign=[^&]*[+/=]/); // the Base64 text is URL-encoded
    const body = JSON.parse(r.body);
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.title).toContain('[紧急] 反应釜 R-101');
    expect(body.markdown.text).toContain('https://mes.example.com/alarms?key=alarm%3A9%3AHH');
    expect(body.at).toEqual({ atMobiles: ['13800000002'], atUserIds: ['manager7140'], isAtAll: false });
    // DingTalk notifies only those whose @ also appears in the text.
    expect(body.markdown.text).toMatch(/@13800000002 @manager7140$/);
    expect(ctx.checked.join()).not.toContain(TOKEN);
  });

  it('is refused with DingTalk’s error when the signing secret is wrong, and says what to check', async () => {
    const ding = await startDingtalk();
    closing.push(ding.close);
    const err = await dingtalkDriver
      .send({
        settings: { url: `${ding.url}/robot/send` },
        secrets: { token: TOKEN, signingSecret: 'SECwrong-secret-value' },
        message: sampleMessage(),
        targets: [],
        ctx: testContext(),
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'SendError', retryable: false });
    expect((err as Error).message).toContain('310000');
    expect((err as Error).message).toContain('signing secret');
    expect((err as Error).message).not.toContain('SECwrong-secret-value');
    expect((err as Error).message).not.toContain(TOKEN);
  });

  it('waits out DingTalk’s 10-minute block when over 20 messages a minute', async () => {
    const ding = await startDingtalk(() => ({
      errcode: 130101,
      errmsg: 'send too fast, exceed 20 times per minute',
    }));
    closing.push(ding.close);
    const err = await dingtalkDriver
      .send({
        settings: { url: `${ding.url}/robot/send` },
        secrets: { token: TOKEN, signingSecret: SECRET },
        message: sampleMessage(),
        targets: [],
        ctx: testContext(),
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'SendError', retryable: true, retryAfterMs: 600_000 });
  });

  it('signs with the time in milliseconds, which DingTalk accepts only within an hour of its clock', async () => {
    const ding = await startDingtalk();
    closing.push(ding.close);
    const send = (now: () => Date) =>
      dingtalkDriver.send({
        settings: { url: `${ding.url}/robot/send` },
        secrets: { token: TOKEN, signingSecret: SECRET },
        message: sampleMessage(),
        targets: [],
        ctx: testContext({ now }),
      });
    await send(() => new Date(Date.now() - 60_000));
    expect(ding.received[0]!.url.searchParams.get('timestamp')).toMatch(/^\d{13}$/);
    await expect(send(() => new Date(Date.now() - 2 * 3600_000))).rejects.toMatchObject({ retryable: false });
    expect(dingtalkDriver.limits).toEqual({ perMinute: 20, perSecond: null });
  });

  it('asks for the access token as a secret and a signing secret of the documented form', () => {
    const url = 'https://oapi.dingtalk.com/robot/send';
    expect(dingtalkDriver.check({ url }, { token: TOKEN, signingSecret: SECRET })).toEqual([]);
    expect(dingtalkDriver.check({ url }, { token: TOKEN })).toEqual([]);
    expect(dingtalkDriver.check({ url }, {})).toEqual([expect.stringContaining('access token')]);
    expect(dingtalkDriver.check({ url }, { token: TOKEN, signingSecret: 'abc' })).toEqual([
      expect.stringContaining('SEC'),
    ]);
  });
});
