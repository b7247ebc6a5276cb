import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenedDatabase, openDatabase } from '../../db/index.js';
import { createServices } from '../../services.js';
import { type Client, createTestUser, startTestApp, TEST_DB, type TestApp } from '../../test/harness.js';
import { startSink } from './channels/testing.js';
import type { NotifyService } from './service.js';

/**
 * Two notification workers at once never send a message twice. On PostgreSQL they are two
 * services over two connection pools of one database, as two `aegis start --roles scheduler`
 * processes would be; on PGlite (one connection) two workers over the same database. Events are
 * published while both run, so they compete for the outbox, the escalations and the send queue.
 */
const EVENTS = 300;
const BATCH = 10;
const reason = 'two workers test';

let app: TestApp;
let admin: Client;
let sink: Awaited<ReturnType<typeof startSink>>;
let second: { opened: OpenedDatabase | null; notify: NotifyService };
let users: { a: number; b: number };
let channels: { inapp: number; webhook: number };

beforeAll(async () => {
  sink = await startSink((_r, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  app = await startTestApp();
  admin = await app.as('admin');
  const a = await createTestUser(app, { username: 'op.a', displayName: '张操作', role: 'operator' });
  const b = await createTestUser(app, { username: 'op.b', displayName: '王操作', role: 'operator' });
  users = { a: a.id, b: b.id };
  const inapp = await admin.post('/api/notify/channels', {
    code: 'app',
    name: '站内',
    kind: 'inapp',
    reason,
  });
  const webhook = await admin.post('/api/notify/channels', {
    code: 'erp',
    name: 'ERP',
    kind: 'webhook',
    settings: { url: `${sink.url}/hook` },
    reason,
  });
  expect(webhook.status, JSON.stringify(webhook.body)).toBe(201);
  channels = { inapp: inapp.body.id, webhook: webhook.body.id };
  const policy = await admin.post('/api/notify/policies', {
    code: 'all',
    name: '全部报警',
    match: { kinds: ['alarm.raised'] },
    levels: [
      {
        delayMinutes: 0,
        recipients: [
          { type: 'user', userId: users.a },
          { type: 'user', userId: users.b },
        ],
        channelIds: [channels.inapp, channels.webhook],
      },
    ],
    groupSeconds: 0,
    reason,
  });
  expect(policy.status, JSON.stringify(policy.body)).toBe(201);

  // The second worker: its own services over its own pool (PostgreSQL), or over the one database.
  const s = app.aegis.services;
  const opened = TEST_DB === 'pg' ? await openDatabase(app.config) : null;
  const services = createServices({
    config: app.config,
    db: opened?.db ?? s.db,
    clock: s.clock,
    secrets: s.secrets,
  });
  second = { opened, notify: services.notify };
});

afterAll(async () => {
  await second?.opened?.close();
  await app?.close();
  await sink?.close();
});

const event = (i: number) => ({
  kind: 'alarm.raised' as const,
  at: app.clock.now(),
  priority: 'critical' as const,
  path: null,
  subject: `alarm:${i}:HH`,
  payload: { title: { zh: `报警 ${i}`, en: `alarm ${i}` }, alarmText: null, value: i, link: '/alarms' },
});

async function unfinished() {
  const [row] = await app.aegis.services.db.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM notify_event WHERE dispatched_at IS NULL)
          + (SELECT count(*) FROM notify_escalation WHERE state = 'pending')
          + (SELECT count(*) FROM notify_delivery WHERE status IN ('pending', 'sending'))::int AS n`,
  );
  return Number(row!.n);
}

/** What is left and why (a failing test says it). */
const stuck = () =>
  app.aegis.services.db.query(
    `SELECT status, last_error, channel_id, attempts, count(*)::int AS n FROM notify_delivery
     WHERE status <> 'sent' GROUP BY status, last_error, channel_id, attempts`,
  );

describe('two notification workers', () => {
  it('deliver every event once per recipient and channel while both run at once', {
    timeout: 120_000,
  }, async () => {
    const { db, notify } = app.aegis.services;
    const workers = [notify, second.notify];
    let published = false;
    const publish = async () => {
      for (let b = 0; b < EVENTS / BATCH; b++) {
        await db.transaction((tx) =>
          notify.publish(
            tx,
            Array.from({ length: BATCH }, (_, i) => event(b * BATCH + i)),
          ),
        );
        await new Promise((r) => setImmediate(r));
      }
      published = true;
    };
    const deadline = Date.now() + 90_000;
    // A pass that fails is logged by the worker: collected here, so a stuck run says why.
    const errors: string[] = [];
    for (const w of workers)
      w.setLogger({
        error: (o, m) => errors.push(`${m}: ${String((o as { err?: unknown }).err)}`),
        warn() {},
      });
    const run = async (w: NotifyService) => {
      for (;;) {
        await w.tick();
        // PGlite answers without I/O: yield, or this loop starves the other worker's HTTP requests.
        await new Promise((r) => setImmediate(r));
        if (published && (await unfinished()) === 0) return;
        if (Date.now() > deadline)
          throw new Error(`unfinished: ${JSON.stringify(await stuck())}; ${errors.slice(0, 3).join('; ')}`);
      }
    };
    await Promise.all([publish(), ...workers.map(run)]);

    // Both took part: the queue was really shared.
    expect(notify.worker.stats.sent).toBeGreaterThan(0);
    expect(second.notify.worker.stats.sent).toBeGreaterThan(0);
    expect(notify.worker.stats.sent + second.notify.worker.stats.sent).toBe(EVENTS * 3);
    expect(errors).toEqual([]);

    // One message per event, recipient and channel (the webhook: one per event, both recipients).
    const rows = await db.query<{ channel_id: number; user_id: number | null; status: string; n: number }>(
      `SELECT channel_id, user_id, status, count(*)::int AS n, count(DISTINCT event_id)::int AS events
       FROM notify_delivery GROUP BY channel_id, user_id, status ORDER BY channel_id, user_id`,
    );
    expect(rows).toEqual([
      { channel_id: channels.inapp, user_id: users.a, status: 'sent', n: EVENTS, events: EVENTS },
      { channel_id: channels.inapp, user_id: users.b, status: 'sent', n: EVENTS, events: EVENTS },
      { channel_id: channels.webhook, user_id: null, status: 'sent', n: EVENTS, events: EVENTS },
    ]);

    // Each person's bell counts each event once.
    for (const username of ['op.a', 'op.b']) {
      const me = await app.as(username);
      expect((await me.get('/api/me/notifications?limit=1')).body.unread).toBe(EVENTS);
    }
    const [notes] = await db.query<{ n: number; pairs: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT (user_id, event_id))::int AS pairs FROM notification',
    );
    expect(notes).toEqual({ n: EVENTS * 2, pairs: EVENTS * 2 });

    // The receiver got each message once: one request per key, one key per event.
    const keys = sink.received.map((r) => String(r.headers['x-aegis-delivery']));
    expect(new Set(keys).size).toBe(keys.length);
    const subjects = sink.received.flatMap((r) =>
      (JSON.parse(r.body) as { events: Array<{ subject: string }> }).events.map((e) => e.subject),
    );
    expect(subjects.sort()).toEqual(Array.from({ length: EVENTS }, (_, i) => `alarm:${i}:HH`).sort());
  });
});
