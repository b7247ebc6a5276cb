import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  type Client,
  createTestUser,
  seedTwoWorkshops,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';
import { type SmtpSink, startSmtpSink } from './smtp-sink.js';

let app: TestApp;
let admin: Client;
let operator: Client;
let sink: SmtpSink;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;
let tagId: number;
let users: { operator: number; lead: number; safety: number };
let channels: { inapp: number; email: number };
let policyId: number;

const reason = 'escalation agreed with the safety officer';
const MIN = 60_000;

async function feed(value: number) {
  app.clock.advance(1000);
  await app.aegis.services.alarms.handlePoints([
    { tagId, ts: app.clock.now().getTime(), value, quality: 'good' },
  ]);
}
/** Moves the clock and runs the worker until nothing due is left (escalation timers are rows). */
async function after(ms: number) {
  app.clock.advance(ms);
  await app.aegis.services.alarms.tick();
  await app.aegis.services.notify.tick();
}
const deliveries = async (q = '') =>
  (await admin.get(`/api/notify/deliveries?limit=500${q}`)).body.items as Array<{
    level: number;
    repeat: number;
    userId: number | null;
    channelKind: string;
    status: string;
    count: number;
    eventKind: string;
    lastError: string | null;
  }>;
const sent = async () => (await deliveries()).filter((d) => d.status === 'sent');

beforeAll(async () => {
  sink = await startSmtpSink();
  app = await startTestApp({ publicUrl: 'https://aegis.example.com', loginRateLimitPerMinute: 1000 });
  admin = await app.as('admin');
  p = await seedTwoWorkshops(app);
  const op = await createTestUser(app, { username: 'op1', displayName: '张操作', role: 'operator' });
  const lead = await createTestUser(app, { username: 'lead1', displayName: '李班长', role: 'team_lead' });
  const safety = await createTestUser(app, {
    username: 'safe1',
    displayName: 'Sam Safety',
    role: 'safety_officer',
  });
  users = { operator: op.id, lead: lead.id, safety: safety.id };
  operator = await app.as('op1');
  expect(
    (await operator.request('PUT', '/api/me/notify-profile', { email: 'op1@plant.example' })).status,
  ).toBe(200);
  const leadClient = await app.as('lead1');
  await leadClient.request('PUT', '/api/me/notify-profile', { email: 'lead1@plant.example' });
  const safetyClient = await app.as('safe1');
  await safetyClient.request('PUT', '/api/me/notify-profile', {
    email: 'safe1@plant.example',
    locale: 'en-US',
  });

  const tag = await admin.post('/api/tags', {
    equipmentId: p.a.press.id,
    code: 'PT-101',
    nameZh: '出口压力',
    nameEn: 'Outlet pressure',
    unit: 'bar',
    type: 'number',
    reason,
  });
  tagId = tag.body.id;
  const rule = await admin.post('/api/alarm-rules', {
    tagId,
    reason,
    rule: { type: 'limit', levels: { HH: { setpoint: 90, priority: 'critical' } }, deadband: 1 },
  });
  expect(rule.status, JSON.stringify(rule.body)).toBe(201);
  const inapp = await admin.post('/api/notify/channels', {
    code: 'app',
    name: '站内',
    kind: 'inapp',
    reason,
  });
  const email = await admin.post('/api/notify/channels', {
    code: 'mail',
    name: '邮件',
    kind: 'email',
    settings: { host: '127.0.0.1', port: sink.port, security: 'none', from: 'aegis@plant.example' },
    reason,
  });
  expect(email.status, JSON.stringify(email.body)).toBe(201);
  channels = { inapp: inapp.body.id, email: email.body.id };
  const policy = await admin.post('/api/notify/policies', {
    code: 'crit-a',
    name: '车间A 紧急报警',
    match: { kinds: ['alarm.raised'], priorities: ['critical', 'high'], nodeId: p.a.area.id },
    levels: [
      {
        delayMinutes: 0,
        recipients: [{ type: 'user', userId: users.operator }],
        channelIds: [channels.inapp, channels.email],
      },
      {
        delayMinutes: 5,
        recipients: [{ type: 'user', userId: users.lead }],
        channelIds: [channels.inapp, channels.email],
      },
      {
        delayMinutes: 15,
        recipients: [{ type: 'user', userId: users.safety }],
        channelIds: [channels.email],
      },
    ],
    repeat: { count: 2, intervalMinutes: 10 },
    groupSeconds: 0,
    reason,
  });
  expect(policy.status, JSON.stringify(policy.body)).toBe(201);
  policyId = policy.body.id;
}, 60_000);

afterAll(async () => {
  await app?.close();
  await sink?.close();
});

beforeEach(async () => {
  // The manual clock runs hours per test: sign in afresh (sessions expire when idle).
  admin = await app.as('admin');
  operator = await app.as('op1');
  // Each test starts from a normal value with nothing acknowledged pending.
  await feed(50);
  await after(0);
});

describe('escalation', () => {
  it('notifies level 1 at once by app and e-mail, then the next levels after their delays, repeating the last until it ends', async () => {
    const mailsBefore = sink.mails.length;
    const before = (await sent()).length;
    await feed(95);
    await after(0);
    const first = (await sent()).slice(0, (await sent()).length - before);
    expect(first.map((d) => `${d.level}:${d.channelKind}:${d.userId}`).sort()).toEqual([
      `1:email:${users.operator}`,
      `1:inapp:${users.operator}`,
    ]);
    // The operator's bell and the e-mail with its deep link, in the operator's language.
    const centre = (await operator.get('/api/me/notifications')).body;
    expect(centre.unread).toBeGreaterThan(0);
    expect(centre.items[0]).toMatchObject({ kind: 'alarm.raised', priority: 'critical' });
    expect(centre.items[0].alarmKey).toMatch(/:HH$/);
    const [mail] = (await sink.waitFor(mailsBefore + 1)).slice(mailsBefore);
    expect(mail!.to).toEqual(['op1@plant.example']);
    expect(mail!.subject).toContain('出口压力');
    expect(mail!.text).toContain('https://aegis.example.com/alarms?key=');

    await after(4 * MIN);
    expect((await sent()).length - before).toBe(2); // nothing new before the 5 minutes
    await after(1 * MIN);
    const afterLevel2 = (await sent()).length - before;
    expect(afterLevel2).toBe(4);
    await after(10 * MIN);
    const safetyMail = sink.mails.find((m) => m.to.includes('safe1@plant.example'));
    expect(safetyMail?.subject).toMatch(/Outlet pressure/); // in the safety officer's language (en-US)
    await after(10 * MIN);
    await after(10 * MIN);
    await after(60 * MIN);
    // Level 3 at 15 min, then its 2 repeats (25 and 35 min), then nothing more.
    const safetySends = (await sent()).filter((d) => d.userId === users.safety);
    expect(safetySends.map((d) => d.repeat).sort()).toEqual([0, 1, 2]);
  });

  it('stops when the alarm is acknowledged', async () => {
    await feed(95);
    await after(0);
    const alarms = (await operator.get('/api/alarms')).body as Array<{ key: string; state: string }>;
    const key = alarms.find((a) => a.state === 'unack_active')!.key;
    const n = (await sent()).length;
    expect((await operator.post(`/api/alarms/${encodeURIComponent(key)}/acknowledge`, {})).status).toBe(200);
    await after(30 * MIN);
    expect((await sent()).length).toBe(n);
  });

  it('stops when the alarm clears', async () => {
    await feed(95);
    await after(0);
    const n = (await sent()).length;
    await feed(10);
    await after(30 * MIN);
    expect((await sent()).length).toBe(n);
  });

  it('stops when the alarm is shelved', async () => {
    await feed(95);
    await after(0);
    const alarms = (await admin.get('/api/alarms')).body as Array<{ key: string; state: string }>;
    const key = alarms.find((a) => a.state === 'unack_active')!.key;
    const n = (await sent()).length;
    const shelve = await admin.post(`/api/alarms/${encodeURIComponent(key)}/shelve`, {
      until: app.clock.now().getTime() + 60 * MIN,
      reason: 'sensor being replaced',
    });
    expect(shelve.status, JSON.stringify(shelve.body)).toBe(200);
    await after(30 * MIN);
    expect((await sent()).length).toBe(n);
    await after(60 * MIN);
  });
});

describe('the outbox', () => {
  it('sends nothing for a change that rolled back', async () => {
    const n = (await deliveries()).length;
    const { db, notify } = app.aegis.services;
    await expect(
      db.transaction(async (tx) => {
        await notify.publish(tx, [
          {
            kind: 'alarm.raised',
            at: app.clock.now(),
            priority: 'critical',
            path: p.a.press.path,
            subject: 'rolled-back',
            payload: {
              title: { zh: '回滚', en: 'rolled back' },
              alarmText: null,
              value: null,
              link: '/alarms',
            },
          },
        ]);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await after(0);
    expect((await deliveries()).length).toBe(n);
  });

  it('turns an event published in a committed transaction into deliveries once, however often the worker runs', async () => {
    const n = (await deliveries()).length;
    const { db, notify } = app.aegis.services;
    await db.transaction((tx) =>
      notify.publish(tx, [
        {
          kind: 'alarm.raised',
          at: app.clock.now(),
          priority: 'high',
          path: p.a.press.path,
          subject: 'published',
          payload: { title: { zh: '发布', en: 'published' }, alarmText: null, value: null, link: '/alarms' },
        },
      ]),
    );
    await Promise.all([notify.tick(), notify.tick(), notify.tick()]);
    await after(0);
    expect((await deliveries()).length - n).toBe(2);
    await after(3 * MIN);
    expect((await deliveries()).length - n).toBe(2);
  });

  it('does not match an event outside the policy scope or below its priorities', async () => {
    const n = (await deliveries()).length;
    const { db, notify } = app.aegis.services;
    await db.transaction((tx) =>
      notify.publish(tx, [
        {
          kind: 'alarm.raised',
          at: app.clock.now(),
          priority: 'critical',
          path: p.b.press.path,
          subject: 'other-workshop',
          payload: { title: { zh: 'B', en: 'B' }, alarmText: null, value: null, link: '/alarms' },
        },
        {
          kind: 'alarm.raised',
          at: app.clock.now(),
          priority: 'low',
          path: p.a.press.path,
          subject: 'low',
          payload: { title: { zh: '低', en: 'low' }, alarmText: null, value: null, link: '/alarms' },
        },
      ]),
    );
    await after(0);
    expect((await deliveries()).length).toBe(n);
  });
});

describe('grouping', () => {
  it('sends a flood of events as one message with a count instead of one per event', async () => {
    const patched = await admin.patch(`/api/notify/policies/${policyId}`, { groupSeconds: 30, reason });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const before = (await operator.get('/api/me/notifications?limit=200')).body.items.length;
    const { db, notify } = app.aegis.services;
    await db.transaction((tx) =>
      notify.publish(
        tx,
        Array.from({ length: 25 }, (_, i) => ({
          kind: 'alarm.raised' as const,
          at: app.clock.now(),
          priority: 'critical' as const,
          path: p.a.press.path,
          subject: `flood-${i}`,
          payload: {
            title: { zh: `报警 ${i}`, en: `alarm ${i}` },
            alarmText: null,
            value: null,
            link: '/alarms',
          },
        })),
      ),
    );
    await after(0);
    await after(30_000);
    const items = (await operator.get('/api/me/notifications?limit=200')).body.items.slice(
      0,
      (await operator.get('/api/me/notifications?limit=200')).body.items.length - before,
    ) as Array<{ count: number }>;
    // Planned together, all 25 went out in the first message; nothing more followed in the window.
    expect(items.map((i) => i.count)).toEqual([25]);
    expect((items[0] as unknown as { title: string }).title).toContain('25');
    await admin.patch(`/api/notify/policies/${policyId}`, { groupSeconds: 0, reason });
    await after(60 * MIN);
  });
});

describe('the bell', () => {
  it('rings live on the addressee’s open WebSocket, with the unread count, and on nobody else’s', async () => {
    await app.aegis.http.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.aegis.http.server.address() as { port: number }).port;
    const open = async (cookie: string) => {
      const frames: Array<{ type: string; unread?: number; notification?: { title: string }; id?: string }> =
        [];
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api/live`, {
        headers: { cookie, origin: `http://127.0.0.1:${port}` },
      });
      ws.on('message', (d) => frames.push(JSON.parse(String(d))));
      await new Promise<void>((res, rej) => {
        ws.once('open', () => res());
        ws.once('error', rej);
      });
      return { ws, frames };
    };
    const until = async (check: () => boolean) => {
      for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
      expect(check()).toBe(true);
    };
    const op = await open(operator.cookie);
    const lead = await open((await app.as('lead1')).cookie);
    try {
      await feed(95);
      await after(0);
      await until(() => op.frames.some((f) => f.type === 'notification'));
      const frame = op.frames.find((f) => f.type === 'notification')!;
      expect(frame.notification!.title).toContain('出口压力');
      expect(frame.unread).toBeGreaterThan(0);
      // Barrier: the lead's socket answers a ping sent after the notification; nothing came before it.
      lead.ws.send(JSON.stringify({ type: 'ping', id: 'barrier' }));
      await until(() => lead.frames.some((f) => f.type === 'pong'));
      expect(lead.frames.some((f) => f.type === 'notification')).toBe(false);
    } finally {
      op.ws.close();
      lead.ws.close();
    }
  });
});
