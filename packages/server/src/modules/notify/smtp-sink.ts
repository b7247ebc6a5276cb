import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SunkMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string | null;
  language: string | null;
  receivedAt: Date;
  parsed: ParsedMail;
}

/**
 * A real SMTP server on this machine that accepts every message and keeps the latest in memory:
 * the demo sends its e-mail here (a newcomer sees the whole chain without a mail server), and
 * tests receive and read what Aegis sent over a real SMTP exchange.
 */
export async function startSmtpSink(
  opts: {
    port?: number;
    keep?: number;
    auth?: { user: string; pass: string };
    onMail?: (m: SunkMail) => void;
  } = {},
) {
  const mails: SunkMail[] = [];
  const keep = opts.keep ?? 500;
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    secure: false,
    // Plain SMTP on loopback; STARTTLS is offered with smtp-server's own certificate.
    authOptional: !opts.auth,
    ...(opts.auth
      ? {
          onAuth(auth, _session, cb) {
            if (auth.username === opts.auth!.user && auth.password === opts.auth!.pass)
              cb(null, { user: auth.username });
            else cb(new Error('Invalid username or password'));
          },
        }
      : { disabledCommands: ['AUTH'] }),
    logger: false,
    onData(stream, session, cb) {
      simpleParser(stream)
        .then((parsed) => {
          const mail: SunkMail = {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
            messageId: parsed.messageId ?? null,
            language: (parsed.headers.get('content-language') as string | undefined) ?? null,
            receivedAt: new Date(),
            parsed,
          };
          mails.push(mail);
          if (mails.length > keep) mails.splice(0, mails.length - keep);
          opts.onMail?.(mail);
          for (const w of waiters) w();
          cb();
        })
        .catch((err: Error) => cb(err));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  server.on('error', () => {});
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    mails,
    /** Resolves once `n` mails in all have arrived. */
    async waitFor(n: number, timeoutMs = 10_000) {
      if (mails.length >= n) return mails;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`only ${mails.length} of ${n} mails arrived`));
        }, timeoutMs);
        const check = () => {
          if (mails.length < n) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
      return mails;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
export type SmtpSink = Awaited<ReturnType<typeof startSmtpSink>>;
