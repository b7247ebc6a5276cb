import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { feishuDriver } from './feishu.js';
import { json, type Received, sampleMessage, startSink, testContext } from './testing.js';
import type { Target } from './types.js';

const TOKEN = '2f8e1c9a-5b4d-4e3f-8a7b-6c5d4e3f2a1b';
const SECRET = 'qRmKx8e3Wv1hZ0yT7uP4';

/**
 * Stands in for open.feishu.cn/open-apis/bot/v2/hook/<token> with 签名校验: recomputes the sign from
 * the body's timestamp (seconds) and the shared secret as Feishu documents it (HmacSHA256 keyed
 * with `timestamp\nsecret` over empty data, Base64) and answers code 19021 when it does not match.
 */
async function startFeishu(answer?: (r: Received) => { code: number; msg: string } | null) {
  return startSink((r, res) => {
    if (r.url.pathname !== `/open-apis/bot/v2/hook/${TOKEN}`)
      return json(res, 404, { code: 19001, msg: 'param invalid: incoming webhook access token invalid' });
    if (Buffer.byteLength(r.body) > 20 * 1024)
      return json(res, 400, { code: 9499, msg: 'request body too large' });
    const body = JSON.parse(r.body) as { timestamp?: string; sign?: string };
    const expected = createHmac('sha256', `${body.timestamp}\n${SECRET}`).update('').digest('base64');
    const fresh = Math.abs(Date.now() / 1000 - Number(body.timestamp)) < 3600;
    if (!fresh || body.sign !== expected)
      return json(res, 200, {
        code: 19021,
        msg: 'sign match fail or timestamp is not within one hour from current time',
        data: {},
      });
    json(res, 200, answer?.(r) ?? { code: 0, msg: 'success', data: {} });
  });
}

const operator: Target = {
  userId: 1,
  name: '王工',
  address: 'ou_7d8a6e6df7621556ce0d21922b676706',
  mobile: null,
};

let closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closing.map((c) => c()));
  closing = [];
});

describe('Feishu / Lark robot', () => {
  it('signs as documented and posts rich text in the reader’s language with the link and an @-mention', async () => {
    const feishu = await startFeishu();
    closing.push(feishu.close);
    const ctx = testContext();
    const result = await feishuDriver.send({
      settings: { url: `${feishu.url}/open-apis/bot/v2/hook/` },
      secrets: { token: TOKEN, signingSecret: SECRET },
      message: sampleMessage(),
      targets: [operator],
      ctx,
    });
    expect(result.providerReply).toBe('code 0');
    const body = JSON.parse(feishu.received[0]!.body);
    expect(body.timestamp).toMatch(/^\d{10}$/);
    expect(body.msg_type).toBe('post');
    const post = body.content.post.zh_cn;
    expect(post.title).toBe('[紧急] 反应釜 R-101 温度 高高报 98.5 °C (限值 > 95 °C)');
    const elements = post.content.flat();
    expect(elements).toContainEqual({
      tag: 'a',
      text: '打开查看',
      href: 'https://mes.example.com/alarms?key=alarm%3A9%3AHH',
    });
    expect(elements).toContainEqual({ tag: 'at', user_id: operator.address, user_name: '王工' });
    expect(ctx.checked.join()).not.toContain(TOKEN);

    await feishuDriver.send({
      settings: { url: `${feishu.url}/open-apis/bot/v2/hook/` },
      secrets: { token: TOKEN, signingSecret: SECRET },
      message: sampleMessage({ locale: 'en-US' }),
      targets: [],
      ctx,
    });
    expect(JSON.parse(feishu.received[1]!.body).content.post.en_us.title).toMatch(
      /^\[Critical\] Reactor R-101/,
    );
  });

  it('is refused with Feishu’s error when the secret is wrong, and says what to check', async () => {
    const feishu = await startFeishu();
    closing.push(feishu.close);
    const err = await feishuDriver
      .send({
        settings: { url: `${feishu.url}/open-apis/bot/v2/hook` },
        secrets: { token: TOKEN, signingSecret: 'not-the-secret' },
        message: sampleMessage(),
        targets: [],
        ctx: testContext(),
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'SendError', retryable: false });
    expect((err as Error).message).toContain('19021');
    expect((err as Error).message).not.toContain(TOKEN);
    expect((err as Error).message).not.toContain('not-the-secret');
  });

  it('retries when Feishu rate-limits the robot', async () => {
    const feishu = await startFeishu(() => ({
      code: 11232,
      msg: 'frequency limited psm[lark.oapi.app_platform_runtime]appID[1]',
    }));
    closing.push(feishu.close);
    await expect(
      feishuDriver.send({
        settings: { url: `${feishu.url}/open-apis/bot/v2/hook` },
        secrets: { token: TOKEN, signingSecret: SECRET },
        message: sampleMessage(),
        targets: [],
        ctx: testContext(),
      }),
    ).rejects.toMatchObject({ name: 'SendError', retryable: true });
    expect(feishuDriver.limits).toEqual({ perMinute: 100, perSecond: 5 });
  });

  it('keeps a long message under the 20 KB Feishu accepts', async () => {
    const feishu = await startFeishu();
    closing.push(feishu.close);
    const message = {
      ...sampleMessage(),
      text: Array.from({ length: 2000 }, (_, i) => `第 ${i} 行 报警`).join('\n'),
    };
    await feishuDriver.send({
      settings: { url: `${feishu.url}/open-apis/bot/v2/hook` },
      secrets: { token: TOKEN, signingSecret: SECRET },
      message,
      targets: [operator],
      ctx: testContext(),
    });
    expect(Buffer.byteLength(feishu.received[0]!.body)).toBeLessThanOrEqual(20 * 1024);
  });

  it('asks for the token as a secret, not inside the address', () => {
    const url = 'https://open.feishu.cn/open-apis/bot/v2/hook/';
    expect(feishuDriver.check({ url }, { token: TOKEN })).toEqual([]);
    expect(feishuDriver.check({ url }, {})).toEqual([expect.stringContaining('needs its token')]);
    expect(feishuDriver.check({ url: `${url}${TOKEN}` }, {})).toEqual([
      expect.stringContaining('contains its token'),
    ]);
  });
});
