import { CHANNEL_KINDS, type NotifyProfile } from '@aegis/shared';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../errors.js';
import { CHANNEL_DRIVERS, driverFor, parseChannelConfig } from './index.js';
import { sampleMessage, testContext } from './testing.js';

const profile: NotifyProfile = {
  email: 'wang@plant.example.com',
  mobile: '+8613800000001',
  wecomUserId: null,
  dingtalkUserId: 'ding-wang',
  feishuUserId: 'ou_wang',
  locale: 'zh-CN',
  quietHours: null,
};

describe('channel drivers', () => {
  it('has one driver for every channel kind', () => {
    for (const kind of CHANNEL_KINDS) expect(driverFor(kind).kind).toBe(kind);
    expect(Object.keys(CHANNEL_DRIVERS).sort()).toEqual([...CHANNEL_KINDS].sort());
  });

  it('finds each person’s address in their profile, falling back to the mobile number for robots that mention by it', () => {
    const addresses = Object.fromEntries(CHANNEL_KINDS.map((k) => [k, driverFor(k).addressOf(profile)]));
    expect(addresses).toEqual({
      inapp: 'in-app',
      email: 'wang@plant.example.com',
      sms: '+8613800000001',
      wecom: '+8613800000001',
      dingtalk: 'ding-wang',
      feishu: 'ou_wang',
      webhook: null,
    });
    expect(driverFor('email').addressOf({ ...profile, email: null })).toBeNull();
  });

  it('refuses a link-local / metadata destination on every HTTP channel before any request', async () => {
    const meta = 'http://169.254.169.254/';
    const cases = [
      { kind: 'wecom', settings: { url: `${meta}cgi-bin/webhook/send` }, secrets: { token: 'k-123' } },
      { kind: 'dingtalk', settings: { url: `${meta}robot/send` }, secrets: { token: 't-123' } },
      { kind: 'feishu', settings: { url: `${meta}open-apis/bot/v2/hook/` }, secrets: { token: 'f-123' } },
      { kind: 'webhook', settings: { url: meta, headers: {}, timeoutMs: 1000 }, secrets: {} },
      {
        kind: 'sms',
        settings: {
          method: 'GET',
          url: `${meta}?to={{phone}}`,
          headers: {},
          bodyTemplate: '',
          contentType: 'text/plain',
          timeoutMs: 1000,
        },
        secrets: {},
      },
    ] as const;
    for (const c of cases) {
      const ctx = testContext({ allow: '0.0.0.0/0' });
      const err = await driverFor(c.kind)
        .send({
          settings: c.settings,
          secrets: c.secrets,
          message: sampleMessage(),
          targets: [{ userId: 1, name: '王工', address: '13800000001', mobile: '13800000001' }],
          ctx,
        })
        .catch((e: unknown) => e);
      expect(err, c.kind).toMatchObject({ name: 'SendError', retryable: false });
      expect((err as Error).message, c.kind).toContain('metadata-or-link-local');
      expect(ctx.checked, c.kind).toEqual(['http://169.254.169.254/']);
    }
  });

  it('refuses loopback unless an administrator lists it', async () => {
    const err = await driverFor('webhook')
      .send({
        settings: { url: 'http://127.0.0.1:9/', headers: {}, timeoutMs: 1000 },
        secrets: {},
        message: sampleMessage(),
        targets: [],
        ctx: testContext({ allow: '' }),
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'SendError', retryable: false });
    expect((err as Error).message).toContain('AEGIS_OUTBOUND_ALLOW');
  });

  it('never sends in-app notifications through a driver: the worker writes them', async () => {
    await expect(
      driverFor('inapp').send({
        settings: {},
        secrets: {},
        message: sampleMessage(),
        targets: [],
        ctx: testContext(),
      }),
    ).rejects.toMatchObject({ retryable: false });
  });

  it('checks a channel’s settings when it is saved, naming every problem in one 400', () => {
    expect(
      parseChannelConfig('email', { host: 'smtp.example.com', from: 'aegis@example.com' }, {}).settings,
    ).toMatchObject({
      port: 587,
      security: 'starttls',
    });
    let err: unknown;
    try {
      parseChannelConfig(
        'sms',
        { url: 'https://sms.example.com/send', bodyTemplate: '{"to":"{{fone}}"}' },
        {},
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(400);
    expect((err as AppError).message).toContain('{{fone}}');
    expect(() => parseChannelConfig('wecom', { url: 'ftp://x' }, {})).toThrow(/http:\/\/ or https:\/\//);
  });
});
