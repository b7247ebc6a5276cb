import type { AddressInfo } from 'node:net';
import type { EmailSettingsSchema } from '@aegis/shared';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { freePort } from '../../connectors/modbus/testing.js';
import { emailDriver, messageIdFor } from './email.js';
import { sampleMessage, testContext } from './testing.js';
import { SendError, type Target } from './types.js';

/** An in-process SMTP server: STARTTLS (its built-in self-signed certificate) and AUTH required. */
async function startSmtp(over: Partial<SMTPServerOptions> = {}) {
  const mails: { mail: ParsedMail; secure: boolean; user: unknown; rcpt: string[] }[] = [];
  const server = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, cb) {
      if (auth.username === 'aegis' && auth.password === 's3cret-pass') cb(null, { user: 'aegis' });
      else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      simpleParser(stream)
        .then((mail) => {
          mails.push({
            mail,
            secure: session.secure,
            user: session.user,
            rcpt: session.envelope.rcptTo.map((r) => r.address),
          });
          cb();
        })
        .catch((err: Error) => cb(err));
    },
    logger: false,
    ...over,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { server, port, mails, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const settings = (port: number): z.infer<typeof EmailSettingsSchema> => ({
  host: '127.0.0.1',
  port,
  security: 'starttls',
  username: 'aegis',
  from: 'Aegis MES <aegis@plant.example.com>',
  allowSelfSigned: true,
});
const operator: Target = { userId: 7, name: '王工', address: 'wang@plant.example.com', mobile: null };

let closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closing.map((c) => c()));
  closing = [];
});

describe('e-mail over SMTP', () => {
  it('delivers over STARTTLS with AUTH: recipient, subject, language, deep link in text and HTML, Message-ID', async () => {
    const smtp = await startSmtp();
    closing.push(smtp.close);
    const ctx = testContext();
    const message = sampleMessage({ key: 'delivery-42:1' });
    const result = await emailDriver.send({
      settings: settings(smtp.port),
      secrets: { password: 's3cret-pass' },
      message,
      targets: [operator],
      ctx,
    });
    expect(ctx.checked).toEqual([`smtp://127.0.0.1:${smtp.port}/`]);
    expect(result.providerReply).toMatch(/^250/);
    expect(smtp.mails).toHaveLength(1);
    const { mail, secure, user, rcpt } = smtp.mails[0]!;
    expect(secure).toBe(true);
    expect(user).toBe('aegis');
    expect(rcpt).toEqual(['wang@plant.example.com']);
    expect(mail.subject).toBe('[紧急] 反应釜 R-101 温度 高高报 98.5 °C (限值 > 95 °C)');
    expect(mail.headers.get('content-language')).toBe('zh-CN');
    expect(mail.messageId).toBe(messageIdFor('delivery-42:1', settings(0).from));
    expect(mail.messageId).toBe('<aegis.delivery-42-1@plant.example.com>');
    expect(mail.text).toContain('https://mes.example.com/alarms?key=alarm%3A9%3AHH');
    expect(mail.html).toContain('href="https://mes.example.com/alarms?key=alarm%3A9%3AHH"');
    expect(mail.from?.text).toContain('aegis@plant.example.com');
  });

  it('writes in the reader’s language: an English message says so', async () => {
    const smtp = await startSmtp();
    closing.push(smtp.close);
    await emailDriver.send({
      settings: settings(smtp.port),
      secrets: { password: 's3cret-pass' },
      message: sampleMessage({ locale: 'en-US' }),
      targets: [operator],
      ctx: testContext(),
    });
    const { mail } = smtp.mails[0]!;
    expect(mail.headers.get('content-language')).toBe('en-US');
    expect(mail.subject).toMatch(/^\[Critical\] Reactor R-101 temperature high-high/);
  });

  it('retries later when the SMTP server cannot be reached', async () => {
    const port = await freePort();
    const err = await emailDriver
      .send({
        settings: settings(port),
        secrets: { password: 's3cret-pass' },
        message: sampleMessage(),
        targets: [operator],
        ctx: testContext(),
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SendError);
    expect(err).toMatchObject({ retryable: true });
    expect((err as Error).message).toContain(`127.0.0.1:${port} could not be reached`);
  });

  it('gives up on a refused login without showing the password', async () => {
    const smtp = await startSmtp();
    closing.push(smtp.close);
    const err = await emailDriver
      .send({
        settings: settings(smtp.port),
        secrets: { password: 'wrong-password' },
        message: sampleMessage(),
        targets: [operator],
        ctx: testContext(),
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'SendError', retryable: false });
    expect((err as Error).message).toContain('refused the login');
    expect((err as Error).message).not.toContain('wrong-password');
    expect(smtp.mails).toHaveLength(0);
  });

  it('gives up on an unknown recipient (550) and retries a temporary refusal (451)', async () => {
    const smtp = await startSmtp({
      onRcptTo(address, _session, cb) {
        if (address.address.startsWith('nobody'))
          return cb(Object.assign(new Error('No such user'), { responseCode: 550 }));
        if (address.address.startsWith('busy'))
          return cb(Object.assign(new Error('Try again later'), { responseCode: 451 }));
        cb();
      },
    });
    closing.push(smtp.close);
    const send = (address: string) =>
      emailDriver
        .send({
          settings: settings(smtp.port),
          secrets: { password: 's3cret-pass' },
          message: sampleMessage(),
          targets: [{ ...operator, address }],
          ctx: testContext(),
        })
        .catch((e: unknown) => e);
    const unknown = await send('nobody@plant.example.com');
    expect(unknown).toMatchObject({ name: 'SendError', retryable: false });
    expect((unknown as Error).message).toContain('550');
    expect(await send('busy@plant.example.com')).toMatchObject({ name: 'SendError', retryable: true });
  });

  it('gives up, saying what to change, on a certificate it cannot trust or a TLS mode the port does not speak', async () => {
    const smtp = await startSmtp(); // its built-in certificate is self-signed
    closing.push(smtp.close);
    const send = (over: Partial<ReturnType<typeof settings>>) =>
      emailDriver
        .send({
          settings: { ...settings(smtp.port), ...over },
          secrets: { password: 's3cret-pass' },
          message: sampleMessage(),
          targets: [operator],
          ctx: testContext(),
        })
        .catch((e: unknown) => e);
    const untrusted = await send({ allowSelfSigned: false });
    expect(untrusted).toMatchObject({ name: 'SendError', retryable: false });
    expect((untrusted as Error).message).toContain('allow self-signed certificates');
    const wrongMode = await send({ security: 'tls' });
    expect(wrongMode).toMatchObject({ name: 'SendError', retryable: false });
    expect((wrongMode as Error).message).toContain('does not speak this security mode');
    expect(smtp.mails).toHaveLength(0);
  });

  it('refuses a metadata address before connecting', async () => {
    const ctx = testContext({ allow: '0.0.0.0/0' });
    const err = await emailDriver
      .send({
        settings: { ...settings(25), host: '169.254.169.254' },
        secrets: {},
        message: sampleMessage(),
        targets: [operator],
        ctx,
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'SendError', retryable: false });
    expect((err as Error).message).toContain('metadata-or-link-local');
  });

  it('names setting mistakes a user can fix', () => {
    const base = { ...settings(587), allowSelfSigned: false };
    expect(emailDriver.check(base, {})).toEqual([]);
    expect(emailDriver.check({ ...base, from: 'not an address' }, {})).toEqual([
      expect.stringContaining('The sender'),
    ]);
    expect(emailDriver.check({ ...base, port: 465 }, {})).toEqual([expect.stringContaining('implicit TLS')]);
    expect(emailDriver.check({ ...base, security: 'none' }, {})).toEqual([
      expect.stringContaining('clear text'),
    ]);
    expect(emailDriver.addressOf({ email: 'a@b.cn', mobile: null } as never)).toBe('a@b.cn');
  });
});
