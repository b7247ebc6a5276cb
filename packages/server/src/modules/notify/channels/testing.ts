import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NotifyEvent } from '@aegis/shared';
import { createOutboundPolicy, refusedAtConnect } from '../../net/outbound.js';
import { renderMessage } from '../render.js';
import { type OutboundMessage, type SendContext, SendError } from './types.js';

/** Test helpers for channel drivers: a policy-checked context, local stand-ins for providers. */

/** The outbound policy as the lead wires it, with loopback listed (as an administrator would for a test sink). */
export function testContext(
  opts: { allow?: string; now?: () => Date } = {},
): SendContext & { checked: string[] } {
  const policy = createOutboundPolicy({ allow: opts.allow ?? '127.0.0.1/32' });
  const checked: string[] = [];
  return {
    checked,
    now: opts.now ?? (() => new Date()),
    async checkOutbound(url) {
      checked.push(url);
      const verdict = await policy.check(url, /^smtps?:/.test(url) ? 'mail' : 'webhook');
      if (!verdict.allowed) throw new SendError(refusedAtConnect(verdict), false);
    },
  };
}

export interface Received {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A local HTTP server standing in for a provider; `handle` answers each request. */
export async function startSink(
  handle: (req: Received, res: ServerResponse) => void | Promise<void>,
): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = {
        method: req.method ?? '',
        url: new URL(req.url ?? '/', 'http://127.0.0.1'),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(r);
      Promise.resolve(handle(r, res)).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** A critical high-high alarm on a reactor, with a user-entered text that tries markup. */
export function sampleEvent(over: Partial<NotifyEvent> = {}): NotifyEvent {
  return {
    id: 1,
    kind: 'alarm.raised',
    at: '2026-11-30T14:35:02.000Z',
    priority: 'critical',
    path: '/1/4/9/',
    subject: 'alarm:9:HH',
    title: { zh: '反应釜 R-101 温度', en: 'Reactor R-101 temperature' },
    alarmText: {
      kind: 'limit',
      condition: 'HH',
      equipment: { zh: '反应釜 R-101', en: 'Reactor R-101' },
      tag: { zh: '温度', en: 'temperature' },
      unit: '°C',
      limit: 95,
      comparison: '>',
    },
    value: 98.5,
    link: '/alarms?key=alarm%3A9%3AHH',
    ...over,
  };
}

export function sampleMessage(
  over: { locale?: 'zh-CN' | 'en-US'; events?: NotifyEvent[]; key?: string; publicUrl?: string | null } = {},
): OutboundMessage {
  return renderMessage(over.events ?? [sampleEvent()], {
    locale: over.locale ?? 'zh-CN',
    publicUrl: over.publicUrl === undefined ? 'https://mes.example.com' : over.publicUrl,
    timezone: 'Asia/Shanghai',
    template: null,
    idempotencyKey: over.key ?? 'd-42-1',
  });
}
