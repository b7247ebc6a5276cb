import { afterEach, describe, expect, it } from 'vitest';
import { json, type Received, sampleMessage, startSink, testContext } from './testing.js';
import type { Target } from './types.js';
import { wecomDriver } from './wecom.js';

const KEY = '633a31f6-7f9c-4bc4-97a0-0ec1eefa5898';

/** Stands in for qyapi.weixin.qq.com: checks the key and the documented message shapes. */
async function startWecom(answer?: (r: Received) => { errcode: number; errmsg: string } | null) {
  return startSink((r, res) => {
    if (r.url.pathname !== '/cgi-bin/webhook/send' || r.method !== 'POST') return json(res, 404, {});
    if (r.url.searchParams.get('key') !== KEY)
      return json(res, 200, { errcode: 93000, errmsg: 'invalid webhook url, hint: [x], from ip: 127.0.0.1' });
    const body = JSON.parse(r.body) as {
      msgtype: string;
      markdown?: { content: string };
      text?: { content: string };
    };
    if (body.msgtype === 'markdown' && Buffer.byteLength(body.markdown!.content) > 4096)
      return json(res, 200, { errcode: 40058, errmsg: 'markdown.content exceed max length 4096' });
    if (body.msgtype === 'text' && Buffer.byteLength(body.text!.content) > 2048)
      return json(res, 200, { errcode: 40058, errmsg: 'text.content exceed max length 2048' });
    json(res, 200, answer?.(r) ?? { errcode: 0, errmsg: 'ok' });
  });
}

const byId: Target = { userId: 1, name: '王工', address: 'wanggong', mobile: '13800000001' };
const byMobile: Target = { userId: 2, name: '李班长', address: '13800000002', mobile: '13800000002' };

let closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closing.map((c) => c()));
  closing = [];
});

describe('WeCom group robot', () => {
  it('posts markdown with the key from the secret and @-mentions people by their WeCom user id', async () => {
    const wecom = await startWecom();
    closing.push(wecom.close);
    const ctx = testContext();
    const result = await wecomDriver.send({
      settings: { url: `${wecom.url}/cgi-bin/webhook/send` },
      secrets: { token: KEY },
      message: sampleMessage(),
      targets: [byId],
      ctx,
    });
    expect(result.providerReply).toBe('errcode 0');
    const body = JSON.parse(wecom.received[0]!.body);
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.content).toContain('**［紧急］ 反应釜 R-101 温度 高高报 98.5 °C (限值 ＞ 95 °C)**');
    expect(body.markdown.content).toContain('[打开查看](https://mes.example.com/alarms?key=alarm%3A9%3AHH)');
    expect(body.markdown.content).toMatch(/<@wanggong>$/);
    // The policy saw the address without its key.
    expect(ctx.checked.join()).not.toContain(KEY);
  });

  it('mentions people known only by mobile number with a text message, as markdown cannot', async () => {
    const wecom = await startWecom();
    closing.push(wecom.close);
    await wecomDriver.send({
      settings: { url: `${wecom.url}/cgi-bin/webhook/send?key=${KEY}` },
      secrets: {},
      message: sampleMessage(),
      targets: [byId, byMobile],
      ctx: testContext(),
    });
    const body = JSON.parse(wecom.received[0]!.body);
    expect(body.msgtype).toBe('text');
    expect(body.text.mentioned_list).toEqual(['wanggong']);
    expect(body.text.mentioned_mobile_list).toEqual(['13800000002']);
    expect(body.text.content).toContain('反应釜 R-101');
  });

  it('keeps a long message within the 4096 bytes WeCom accepts', async () => {
    const wecom = await startWecom();
    closing.push(wecom.close);
    const message = { ...sampleMessage(), markdown: '报警'.repeat(3000) };
    await wecomDriver.send({
      settings: { url: `${wecom.url}/cgi-bin/webhook/send` },
      secrets: { token: KEY },
      message,
      targets: [byId],
      ctx: testContext(),
    });
    const content = JSON.parse(wecom.received[0]!.body).markdown.content as string;
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(4096);
    expect(content).toContain('…');
    expect(content).toMatch(/<@wanggong>$/);
  });

  it('gives up on a wrong key without showing it, and retries when over 20 a minute', async () => {
    const wecom = await startWecom((r) =>
      JSON.parse(r.body).markdown?.content.includes('flood')
        ? { errcode: 45009, errmsg: 'api freq out of limit' }
        : null,
    );
    closing.push(wecom.close);
    const wrong = await wecomDriver
      .send({
        settings: { url: `${wecom.url}/cgi-bin/webhook/send` },
        secrets: { token: 'wrong-key-123' },
        message: sampleMessage(),
        targets: [],
        ctx: testContext(),
      })
      .catch((e: unknown) => e);
    expect(wrong).toMatchObject({ name: 'SendError', retryable: false });
    expect((wrong as Error).message).toContain('93000');
    expect((wrong as Error).message).not.toContain('wrong-key-123');
    const limited = await wecomDriver
      .send({
        settings: { url: `${wecom.url}/cgi-bin/webhook/send` },
        secrets: { token: KEY },
        message: { ...sampleMessage(), markdown: 'flood' },
        targets: [],
        ctx: testContext(),
      })
      .catch((e: unknown) => e);
    expect(limited).toMatchObject({ name: 'SendError', retryable: true, retryAfterMs: 60_000 });
  });

  it('asks for the key as a secret, not inside the address', () => {
    const url = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send';
    expect(wecomDriver.check({ url }, { token: KEY })).toEqual([]);
    expect(wecomDriver.check({ url }, {})).toEqual([expect.stringContaining('needs its key')]);
    expect(wecomDriver.check({ url: `${url}?key=${KEY}` }, {})).toEqual([
      expect.stringContaining('contains its key'),
    ]);
    expect(wecomDriver.limits).toEqual({ perMinute: 20, perSecond: null });
  });
});
