import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../services.js';
import { createTestUser, startTestApp, type TestApp } from '../../test/harness.js';
import { startSink } from './channels/testing.js';

/**
 * A worker whose lease ran out while its request hung must not undo what the worker that took the
 * message over did: its late "failed, try again" would send the message once more.
 */
let app: TestApp;
let sink: Awaited<ReturnType<typeof startSink>>;
let answerFirst: ((status: number) => void) | null = null;

beforeAll(async () => {
  let first = true;
  sink = await startSink(async (_r, res) => {
    let status = 200;
    if (first) {
      first = false;
      status = await new Promise<number>((resolve) => {
        answerFirst = resolve;
      });
    }
    res.writeHead(status);
    res.end();
  });
  app = await startTestApp();
  const admin = await app.as('admin');
  const u = await createTestUser(app, { username: 'op', role: 'operator' });
  const reason = 'lease test';
  const hook = await admin.post('/api/notify/channels', {
    code: 'erp',
    name: 'ERP',
    kind: 'webhook',
    settings: { url: `${sink.url}/hook`, timeoutMs: 60_000 },
    reason,
  });
  const policy = await admin.post('/api/notify/policies', {
    code: 'all',
    name: 'all',
    match: { kinds: ['alarm.raised'] },
    levels: [{ delayMinutes: 0, recipients: [{ type: 'user', userId: u.id }], channelIds: [hook.body.id] }],
    groupSeconds: 0,
    reason,
  });
  expect(policy.status, JSON.stringify(policy.body)).toBe(201);
});

afterAll(async () => {
  await app?.close();
  await sink?.close();
});

describe('the send lease', () => {
  it('ignores the late answer of a worker whose lease ran out after another worker sent the message', async () => {
    const s = app.aegis.services;
    const other = createServices({ config: app.config, db: s.db, clock: s.clock, secrets: s.secrets }).notify;
    await s.db.transaction((tx) =>
      s.notify.publish(tx, [
        {
          kind: 'alarm.raised',
          at: app.clock.now(),
          priority: 'critical',
          path: null,
          subject: 'alarm:1:HH',
          payload: { title: { zh: '报警', en: 'alarm' }, alarmText: null, value: null, link: '/alarms' },
        },
      ]),
    );
    const slow = s.notify.tick();
    while (!answerFirst) await new Promise((r) => setTimeout(r, 10));
    app.clock.advance(81_000); // the first worker's request hangs past its lease (its 60 s time-out + 20 s)
    await other.tick();
    answerFirst(503); // …and then fails
    await slow;
    app.clock.advance(3_600_000);
    await other.tick();
    await s.notify.tick();
    const [row] = await s.db.query<{ status: string }>('SELECT status FROM notify_delivery');
    expect(row!.status).toBe('sent');
    expect(sink.received).toHaveLength(2); // the hung request and the one that went through
  });
});
