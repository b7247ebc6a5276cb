import { isIP } from 'node:net';
import { EmailSecretsSchema, EmailSettingsSchema } from '@aegis/shared';
import nodemailer from 'nodemailer';
import type { z } from 'zod';
import { redactSecrets } from '../../connectors/secrets.js';
import { checkDestination } from './http.js';
import { type ChannelDriver, SendError } from './types.js';

/**
 * E-mail over SMTP (nodemailer). Security: 'starttls' upgrades on connect and refuses a server
 * without STARTTLS (requireTLS), 'tls' is implicit TLS (port 465), 'none' is plain (test sinks
 * only). AUTH when a username is set. The message arrives rendered for one language: its subject,
 * plain text and HTML go out as they are, with Content-Language set to it.
 *
 * One e-mail per send with every target in To (the worker sends personal channels one target at
 * a time). Message-ID is derived from the idempotency key, so a resend after a crash between
 * sending and recording it carries the same id and mail clients can recognise the duplicate.
 * Failures: connection refused, timeouts, TLS drops and 4xx SMTP replies (421, 450, 451…) are
 * retryable; 5xx replies (535 login refused, 550 unknown user…) are final.
 */

type Settings = z.infer<typeof EmailSettingsSchema>;
type Secrets = z.infer<typeof EmailSecretsSchema>;

const CONNECTION_TIMEOUT_MS = 15_000;
const GREETING_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 20_000;

const ADDRESS = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;
/** The bare address of "Name <a@b.c>" or "a@b.c"; null when it is neither. */
export function mailAddressOf(from: string): string | null {
  const m = /<([^<>]+)>\s*$/.exec(from);
  const address = (m ? m[1]! : from).trim();
  return ADDRESS.test(address) ? address : null;
}

/** `<aegis.<key>@<domain of From>>`: a valid Message-ID derived only from the idempotency key. */
export function messageIdFor(idempotencyKey: string, from: string): string {
  const domain = mailAddressOf(from)?.split('@')[1] ?? 'aegis.invalid';
  const left = idempotencyKey.replace(/[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]/g, '-').replace(/\.{2,}/g, '.');
  return `<aegis.${left.replace(/^\.|\.$/g, '') || 'message'}@${domain}>`;
}

interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
  rejected?: string[];
}

function classify(err: SmtpError, where: string, hidden: (string | undefined)[]): SendError {
  const reply = err.response ? err.response.replace(/\s+/g, ' ').slice(0, 200) : '';
  const rc = err.responseCode;
  let text: string;
  if (err.code === 'EAUTH') text = `The SMTP server ${where} refused the login${reply ? ` (${reply})` : ''}`;
  else if (err.code === 'EENVELOPE')
    text = `The SMTP server ${where} refused the recipients or the sender${reply ? ` (${reply})` : ` (${err.message ?? ''})`}`;
  else if (
    err.code === 'ETLS' ||
    err.code === 'ECONNECTION' ||
    err.code === 'ETIMEDOUT' ||
    err.code === 'ESOCKET' ||
    err.code === 'EDNS'
  )
    text = `The SMTP server ${where} could not be reached (${err.code}: ${(err.message ?? '').replace(/\s+/g, ' ').slice(0, 200)})`;
  else
    text = `The SMTP server ${where} did not take the message (${reply || err.message || err.code || 'error'})`;
  text = redactSecrets(text, hidden);
  if (rc !== undefined) return new SendError(text, rc >= 400 && rc < 500);
  // No SMTP reply: the connection, DNS or TLS failed. A certificate the client cannot trust or a
  // TLS mode the port does not speak is a setting to fix; the rest may pass.
  const detail = err.message ?? '';
  if (/certificate|self[- ]signed|unable to verify/i.test(detail))
    return new SendError(
      `${text}; if the relay uses its own certificate, allow self-signed certificates for this channel`,
      false,
    );
  if (/wrong version number|unknown protocol|packet length too long/i.test(detail))
    return new SendError(
      `${text}; the port does not speak this security mode (TLS is usually 465, STARTTLS 587)`,
      false,
    );
  if (err.code === 'EAUTH') return new SendError(text, false);
  return new SendError(text, err.code !== 'EENVELOPE' && err.code !== 'EMESSAGE');
}

export const emailDriver: ChannelDriver<Settings, Secrets> = {
  kind: 'email',
  settings: EmailSettingsSchema,
  secrets: EmailSecretsSchema,
  limits: { perMinute: null, perSecond: null },
  grouped: false,
  addressOf: (p) => p.email,
  check(settings, secrets) {
    const problems: string[] = [];
    if (!mailAddressOf(settings.from))
      problems.push(
        'The sender is not an e-mail address: write aegis@example.com or Aegis MES <aegis@example.com>',
      );
    if (settings.security === 'starttls' && settings.port === 465)
      problems.push('Port 465 speaks implicit TLS: choose TLS instead of STARTTLS');
    if (settings.security === 'tls' && (settings.port === 587 || settings.port === 25))
      problems.push(`Port ${settings.port} starts in plain text: choose STARTTLS instead of TLS`);
    if (secrets.password && !settings.username) problems.push('A password is set but no username');
    if (settings.security === 'none' && settings.username)
      problems.push('Without TLS the password would travel in clear text: choose STARTTLS or TLS');
    return problems;
  },
  async send({ settings, secrets, message, targets, ctx }) {
    const to = [...new Set(targets.map((t) => t.address?.trim()).filter((a): a is string => Boolean(a)))];
    if (to.length === 0) throw new SendError('No e-mail address to send to', false);
    const bad = to.filter((a) => !ADDRESS.test(a));
    if (bad.length > 0)
      throw new SendError(
        `Not an e-mail address: ${bad.map((a) => `"${a.slice(0, 80)}"`).join(', ')}`,
        false,
      );
    const where = `${settings.host}:${settings.port}`;
    await checkDestination(ctx, `${settings.security === 'tls' ? 'smtps' : 'smtp'}://${where}`, []);
    const hidden = [secrets.password];
    const transport = nodemailer.createTransport({
      host: settings.host,
      port: settings.port,
      secure: settings.security === 'tls',
      requireTLS: settings.security === 'starttls',
      ignoreTLS: settings.security === 'none',
      auth: settings.username ? { user: settings.username, pass: secrets.password ?? '' } : undefined,
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      greetingTimeout: GREETING_TIMEOUT_MS,
      socketTimeout: SOCKET_TIMEOUT_MS,
      tls: {
        rejectUnauthorized: !settings.allowSelfSigned,
        // SNI carries names only (RFC 6066).
        ...(isIP(settings.host) ? {} : { servername: settings.host }),
      },
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    try {
      const info = await transport.sendMail({
        from: settings.from,
        to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: messageIdFor(message.idempotencyKey, settings.from),
        ...(message.attachments?.length
          ? {
              attachments: message.attachments.map((a) => ({
                filename: a.filename,
                contentType: a.contentType,
                content: a.content,
              })),
            }
          : {}),
        priority: message.priority === 'critical' || message.priority === 'high' ? 'high' : 'normal',
        headers: {
          'Content-Language': message.locale,
          'X-Aegis-Delivery': message.idempotencyKey,
          'Auto-Submitted': 'auto-generated',
        },
        disableFileAccess: true,
        disableUrlAccess: true,
      });
      const rejected = (info.rejected ?? []).map(String);
      if (rejected.length > 0)
        throw new SendError(
          redactSecrets(
            `The SMTP server ${where} refused ${rejected.join(', ')} (${info.response ?? ''})`,
            hidden,
          ),
          false,
        );
      return {
        providerReply: redactSecrets(String(info.response ?? info.messageId ?? ''), hidden).slice(0, 300),
      };
    } catch (err) {
      if (err instanceof SendError) throw err;
      throw classify(err as SmtpError, where, hidden);
    } finally {
      transport.close();
    }
  },
};
