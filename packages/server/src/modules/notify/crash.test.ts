import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/index.js';
import { childExited, childReady, kill9, startAegisChild } from '../../test/child.js';
import {
  ADMIN_PASSWORD,
  createTestUser,
  seedTwoWorkshops,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';
import { freePort } from '../connectors/modbus/testing.js';
import { type Received, startSink } from './channels/testing.js';
import { signWebhook } from './channels/webhook.js';

/**
 * kill -9 with notifications in the outbox, escalations pending and a webhook in flight: a real
 * `aegis start` process (real clock, its own scheduler) on the test's data directory (or
 * PostgreSQL database) is killed with SIGKILL twice and started again.
 *
 * The guarantee it proves:
 * - in-app: every (alarm, level, person) exactly once — the notification row commits with the
 *   "sent" mark of its delivery;
 * - webhook (and every external channel): every message arrives, at least once, always with the
 *   same X-Aegis-Delivery key. A message whose request was on the wire when the process died is
 *   sent again after its lease runs out (the channel's time-out + 20 s: 50 s here), with the same key, so receivers deduplicate on it.
 *   Exactly-once across a crash is impossible for a peer that cannot join our transaction.
 * - escalation timers are rows: level 2, due after the kills, goes out from the restarted process.
 */
const ALARMS = 30;
const SETPOINT = 90;
/** Level 2 is due 45 s after the event: well after both kills, before the in-flight lease runs out. */
const LEVEL2_MINUTES = 0.75;
const SIGNING_SECRET = 'crash-test-signing-secret';
const reason = 'kill -9 test of notifications';

let app: TestApp;
let sink: Awaited<ReturnType<typeof startSink>>;
let users: { op1: number; op2: number; lead: number };
const ports = { http: 0 };
/** While set, the sink holds the next webhook request unanswered and calls this once it arrived. */
let holdNext: ((r: Received) => void) | null = null;
const held: Array<() => void> = [];

beforeAll(async () => {
  sink = await startSink(async (r, res) => {
    // A receiver that takes its time: messages are on the wire when the process dies.
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (holdNext) {
      const arrived = holdNext;
      holdNext = null;
      await new Promise<void>((resolve) => {
        held.push(resolve);
        arrived(r);
      });
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  app = await startTestApp({}, { persistent: true });
  // The real process runs on real time: sessions and event times must be of today.
  app.clock.set(new Date());
  const admin = await app.as('admin');
  const p = await seedTwoWorkshops(app);
  const op1 = await createTestUser(app, { username: 'op1', displayName: '张操作', role: 'operator' });
  const op2 = await createTestUser(app, { username: 'op2', displayName: '王操作', role: 'operator' });
  const lead = await createTestUser(app, { username: 'lead1', displayName: '李班长', role: 'team_lead' });
  users = { op1: op1.id, op2: op2.id, lead: lead.id };
  for (let i = 0; i < ALARMS; i++) {
    const tag = await admin.post('/api/tags', {
      equipmentId: p.a.press.id,
      code: `PT${i}`,
      nameZh: `压力 ${i}`,
      nameEn: `Pressure ${i}`,
      unit: 'bar',
      type: 'number',
      reason,
    });
    expect(tag.status, JSON.stringify(tag.body)).toBe(201);
    const rule = await admin.post('/api/alarm-rules', {
      tagId: tag.body.id,
      rule: { type: 'limit', levels: { HH: { setpoint: SETPOINT, priority: 'critical' } } },
      reason,
    });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
  }
  const inapp = await admin.post('/api/notify/channels', {
    code: 'app',
    name: '站内',
    kind: 'inapp',
    reason,
  });
  const hook = await admin.post('/api/notify/channels', {
    code: 'erp',
    name: 'ERP webhook',
    kind: 'webhook',
    settings: { url: `${sink.url}/aegis`, timeoutMs: 30_000 },
    secrets: { signingSecret: SIGNING_SECRET },
    reason,
  });
  expect(hook.status, JSON.stringify(hook.body)).toBe(201);
  const policy = await admin.post('/api/notify/policies', {
    code: 'crit',
    name: '紧急报警',
    match: { kinds: ['alarm.raised'], priorities: ['critical'] },
    levels: [
      {
        delayMinutes: 0,
        recipients: [
          { type: 'user', userId: users.op1 },
          { type: 'user', userId: users.op2 },
        ],
        channelIds: [inapp.body.id, hook.body.id],
      },
      {
        delayMinutes: LEVEL2_MINUTES,
        recipients: [{ type: 'user', userId: users.lead }],
        channelIds: [inapp.body.id, hook.body.id],
      },
    ],
    groupSeconds: 0,
    reason,
  });
  expect(policy.status, JSON.stringify(policy.body)).toBe(201);
  // The data stay; the test's own process lets go of them for the real one.
  await app.aegis.close();
  ports.http = await freePort();
}, 120_000);

afterAll(async () => {
  for (const release of held) release();
  await app?.close().catch(() => {});
  await sink?.close();
});

const startAegis = () =>
  startAegisChild({
    httpPort: ports.http,
    dataDir: app.config.dataDir,
    databaseUrl: app.databaseUrl,
    env: {
      // The administrator lists the local receiver (loopback is refused unless listed).
      AEGIS_OUTBOUND_ALLOW: '127.0.0.1/32',
    },
  });
const ready = (child: ChildProcess) => childReady(child, ports.http);
const exited = childExited;

/** A signed-in HTTP client of the child process. */
async function signIn(username: string) {
  const base = `http://127.0.0.1:${ports.http}`;
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: ADMIN_PASSWORD }),
  });
  expect(login.status, await login.clone().text()).toBe(200);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const call = async <T>(method: string, url: string, body?: unknown) => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  return {
    get: <T>(url: string) => call<T>('GET', url),
    post: <T>(url: string, body: unknown) => call<T>('POST', url, body),
  };
}

/** What the dead process left: events not yet dispatched, escalations pending, messages not yet sent. */
async function leftBehind(): Promise<{
  outbox: number;
  escalations: number;
  unsent: number;
  sending: number;
}> {
  const sql = `SELECT (SELECT count(*)::int FROM notify_event WHERE dispatched_at IS NULL) AS outbox,
      (SELECT count(*)::int FROM notify_escalation WHERE state = 'pending') AS escalations,
      (SELECT count(*)::int FROM notify_delivery WHERE status IN ('pending', 'sending')) AS unsent,
      (SELECT count(*)::int FROM notify_delivery WHERE status = 'sending') AS sending`;
  if (app.databaseUrl) {
    const c = new pg.Client({ connectionString: app.databaseUrl });
    await c.connect();
    try {
      return (await c.query(sql)).rows[0];
    } finally {
      await c.end();
    }
  }
  const opened = await openDatabase({ dataDir: app.config.dataDir, dbAppRole: 'aegis_app', dbPoolSize: 1 });
  try {
    const [row] = await opened.db.query<{
      outbox: number;
      escalations: number;
      unsent: number;
      sending: number;
    }>(sql);
    return row!;
  } finally {
    await opened.close();
  }
}

interface WebhookBody {
  idempotencyKey: string;
  recipients: Array<{ userId: number | null }>;
  events: Array<{ kind: string; subject: string }>;
}

describe('kill -9 with notifications pending', () => {
  it('delivers every in-app notification exactly once and every webhook message with its idempotency key, and escalates after the restart', {
    timeout: 240_000,
  }, async () => {
    // 1. The alarms are raised; the process dies as the answer arrives (events in the outbox).
    let child = startAegis();
    await ready(child);
    let admin = await signIn('admin');
    const raisedAt = Date.now();
    const ingest = await admin.post<{ accepted: number }>('/api/ingest', {
      points: Array.from({ length: ALARMS }, (_, i) => ({ tag: `A-PRS-01.PT${i}`, value: SETPOINT + 5 })),
    });
    expect(ingest.status, JSON.stringify(ingest.body)).toBe(200);
    expect(ingest.body.accepted).toBe(ALARMS);
    await kill9(child);
    const first = await leftBehind();
    // Every alarm still has its level 2 ahead; level 1 was not (all) sent yet.
    expect(first.outbox + first.escalations).toBeGreaterThan(0);
    expect(first.outbox + first.unsent).toBeGreaterThan(0);

    // 2. Started again; the first webhook request is held on the wire and the process dies again.
    const inFlight = new Promise<Received>((resolve) => {
      holdNext = resolve;
    });
    child = startAegis();
    await ready(child);
    const onTheWire = await inFlight;
    await kill9(child);
    const secondKillAt = Date.now();
    for (const release of held.splice(0)) release();
    const second = await leftBehind();
    expect(second.sending).toBeGreaterThan(0); // at least the held one, its lease still running
    expect(second.escalations).toBe(ALARMS); // every alarm's level 2, a row waiting for its time
    // Level 2 was not yet due: its timers exist only as rows of the dead process's database.
    expect(secondKillAt - raisedAt).toBeLessThan(LEVEL2_MINUTES * 60_000);

    // 3. Started a third time: everything is sent, the held message again after its lease.
    child = startAegis();
    await ready(child);
    admin = await signIn('admin');
    const deadline = Date.now() + 150_000;
    for (;;) {
      const h = (
        await admin.get<{ outboxPending: number; escalationsPending: number; deliveriesPending: number }>(
          '/api/notify/health',
        )
      ).body;
      if (h.outboxPending === 0 && h.escalationsPending === 0 && h.deliveriesPending === 0) break;
      if (Date.now() > deadline) throw new Error(`notifications still pending: ${JSON.stringify(h)}`);
      await new Promise((r) => setTimeout(r, 500));
    }

    // The alarms, each raised once: their keys are what every channel must have carried.
    const alarms = (await admin.get<Array<{ key: string }>>('/api/alarms')).body;
    const keys = alarms.map((a) => a.key).sort();
    expect(keys).toHaveLength(ALARMS);

    // In-app: each person has each alarm of their level exactly once.
    for (const [username, userId] of [
      ['op1', users.op1],
      ['op2', users.op2],
      ['lead1', users.lead],
    ] as const) {
      const me = await signIn(username);
      const centre = (await me.get<{ items: Array<{ alarmKey: string }> }>('/api/me/notifications?limit=200'))
        .body;
      const got = centre.items.map((n) => n.alarmKey).sort();
      expect(got, `notification centre of user ${userId}`).toEqual(keys);
    }
    const log = (
      await admin.get<{
        items: Array<{ status: string; channelKind: string; level: number; sentAt: string }>;
      }>('/api/notify/deliveries?limit=500')
    ).body;
    expect(log.items.filter((d) => d.status !== 'sent')).toEqual([]);
    expect(log.items.filter((d) => d.channelKind === 'inapp')).toHaveLength(ALARMS * 3);
    expect(log.items.filter((d) => d.channelKind === 'webhook')).toHaveLength(ALARMS * 2);

    // Escalation timers are rows: level 2 went out from the restarted process, on time.
    const level2 = log.items.filter((d) => d.level === 2);
    expect(level2).toHaveLength(ALARMS * 2);
    for (const d of level2) expect(Date.parse(d.sentAt)).toBeGreaterThan(secondKillAt);
    expect(Math.min(...level2.map((d) => Date.parse(d.sentAt)))).toBeGreaterThanOrEqual(
      raisedAt + LEVEL2_MINUTES * 60_000 - 1000,
    );

    // Webhook: every (alarm, level) message arrived, signed, under one key; a key that came twice
    // (the request on the wire at the kill, sent again after its lease) carried the same message.
    const byKey = new Map<string, WebhookBody[]>();
    for (const r of sink.received) {
      const key = String(r.headers['x-aegis-delivery']);
      expect(r.headers['x-aegis-signature']).toBe(
        signWebhook(SIGNING_SECRET, String(r.headers['x-aegis-timestamp']), r.body),
      );
      const body = JSON.parse(r.body) as WebhookBody;
      expect(body.idempotencyKey).toBe(key);
      byKey.set(key, [...(byKey.get(key) ?? []), body]);
    }
    const messages = [...byKey.values()].map(([first]) => ({
      alarm: first!.events.map((e) => e.subject).join(','),
      to: first!.recipients.map((x) => x.userId).sort((a, b) => a! - b!),
    }));
    const expected = keys.flatMap((k) => [
      { alarm: k, to: [users.op1, users.op2].sort((a, b) => a - b) },
      { alarm: k, to: [users.lead] },
    ]);
    const order = (x: { alarm: string; to: Array<number | null> }) => `${x.alarm}|${x.to.join(',')}`;
    expect(messages.map(order).sort()).toEqual(expected.map(order).sort());
    for (const [key, copies] of byKey) {
      for (const copy of copies.slice(1)) {
        expect(copy.events, `resend of ${key}`).toEqual(copies[0]!.events);
        expect(copy.recipients, `resend of ${key}`).toEqual(copies[0]!.recipients);
      }
    }
    // The request held at the kill is the one that came again.
    const heldKey = String(onTheWire.headers['x-aegis-delivery']);
    expect(byKey.get(heldKey)!.length).toBeGreaterThanOrEqual(2);
    expect(sink.received.length).toBeLessThan(ALARMS * 2 + 200);

    child.kill('SIGTERM');
    await exited(child);
  });
});
