import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { type Client, seedTwoWorkshops, startTestApp, type TestApp } from '../../test/harness.js';
import { deviceCredentials } from '../connectors/mqtt/testing.js';

/**
 * The whole real-time path with real peers: an MQTT client publishes to the embedded broker,
 * the MQTT driver maps the JSON to tags, the pipeline stores it, the alarm engine raises the
 * alarm, and WebSocket clients of two workshops receive what their scope allows.
 */
let app: TestApp;
let admin: Client;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;
let port: number;
let publisher: mqtt.MqttClient;
const reason = 'commissioning';

interface Frame {
  type: string;
  alarms?: boolean;
  tagIds?: number[];
  events?: Array<{ type: string; key: string; tag: string }>;
  points?: Array<{ tagId: number; value: unknown }>;
}

function liveClient(cookie: string) {
  const frames: Frame[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/live`, { headers: { cookie } });
  let closed: { code: number } | null = null;
  ws.on('message', (d) => frames.push(JSON.parse(String(d))));
  ws.on('close', (code) => {
    closed = { code };
  });
  const opened = new Promise<void>((res, rej) => {
    ws.once('open', () => res());
    ws.once('error', rej);
  });
  return { ws, frames, opened, closed: () => closed };
}

async function until(check: () => boolean, ms = 10_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  app = await startTestApp();
  p = await seedTwoWorkshops(app);
  admin = await app.as('admin');
  await app.aegis.http.listen({ port: 0, host: '127.0.0.1' });
  port = (app.aegis.http.server.address() as { port: number }).port;
  for (const [w, eq] of [
    ['A', p.a.press],
    ['B', p.b.press],
  ] as const) {
    const tag = await admin.post('/api/tags', {
      equipmentId: eq.id,
      code: 'GAS',
      nameZh: '硫化氢',
      nameEn: 'H2S',
      unit: 'ppm',
      engLow: 0,
      engHigh: 100,
      source: { kind: 'mqtt', topic: `site/${w}/+/gas`, path: 'h2s', timestampPath: 'ts' },
      reason,
    });
    expect(tag.status, JSON.stringify(tag.body)).toBe(201);
    const rule = await admin.post('/api/alarm-rules', {
      tagId: tag.body.id,
      rule: { type: 'limit', levels: { HH: { setpoint: 20, priority: 'critical' } }, deadband: 1 },
      reason,
    });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
  }
  const url = app.aegis.services.connectors.broker()!.url;
  // Devices sign in on the embedded broker (user name + API token with data.ingest).
  publisher = mqtt.connect(url, await deviceCredentials(app.aegis.services));
  await new Promise<void>((r) => publisher.once('connect', () => r()));
  // The driver subscribes when it sees the new tags.
  await until(() => app.aegis.services.connectors.health().some((h) => h.health.state === 'connected'));
}, 180_000);
afterAll(async () => {
  publisher?.end(true);
  await app.close();
});

const publish = (topic: string, body: unknown) =>
  new Promise<void>((res, rej) =>
    publisher.publish(topic, JSON.stringify(body), { qos: 1 }, (e) => (e ? rej(e) : res())),
  );

describe('real-time path', () => {
  it('raises an alarm from an MQTT message and pushes it only to the workshop that may see it', async () => {
    const leadA = liveClient((await app.as('lead.a')).cookie);
    const leadB = liveClient((await app.as('lead.b')).cookie);
    await Promise.all([leadA.opened, leadB.opened]);
    await until(
      () => leadA.frames.some((f) => f.type === 'hello') && leadB.frames.some((f) => f.type === 'hello'),
    );

    const t = app.clock.now().getTime(); // the test app runs on a manual clock
    await publish('site/A/A-PRS-01/gas', { ts: t, h2s: 35 });
    const alarmFor = (c: { frames: Frame[] }) =>
      c.frames.flatMap((f) => f.events ?? []).find((e) => e.type === 'activated' && e.tag === 'A-PRS-01.GAS');
    await until(() => alarmFor(leadA) !== undefined);
    expect(alarmFor(leadA)).toMatchObject({ tag: 'A-PRS-01.GAS' });
    // Barrier: an alarm of workshop B raised afterwards reaches B's lead after anything sent before it.
    await publish('site/B/B-PRS-01/gas', { ts: t, h2s: 36 });
    const ownAlarm = (c: { frames: Frame[] }) =>
      c.frames.flatMap((f) => f.events ?? []).find((e) => e.type === 'activated' && e.tag === 'B-PRS-01.GAS');
    await until(() => ownAlarm(leadB) !== undefined);
    expect(alarmFor(leadB)).toBeUndefined();

    const stored = await app.aegis.services.db.query<{ num: number }>(
      "SELECT num FROM tag_value v JOIN tag t ON t.id = v.tag_id WHERE t.code = 'GAS' AND t.equipment_id = $1",
      [p.a.press.id],
    );
    expect(stored.map((r) => r.num)).toEqual([35]);
    leadA.ws.close();
    leadB.ws.close();
  });

  it('streams subscribed values, refusing tags outside the scope', async () => {
    const lead = await app.as('lead.a');
    const c = liveClient(lead.cookie);
    await c.opened;
    const tags = (await admin.get('/api/tags?q=GAS')).body.items as Array<{
      id: number;
      equipmentCode: string;
    }>;
    const mine = tags.find((t) => t.equipmentCode === 'A-PRS-01')!.id;
    const theirs = tags.find((t) => t.equipmentCode === 'B-PRS-01')!.id;
    c.ws.send(JSON.stringify({ type: 'subscribe', tagIds: [mine, theirs] }));
    await until(() => c.frames.some((f) => f.type === 'subscribed'));
    expect(c.frames.find((f) => f.type === 'subscribed')).toMatchObject({ tagIds: [mine] });
    await publish('site/A/A-PRS-01/gas', { ts: app.clock.now().getTime() + 1, h2s: 3 });
    await publish('site/B/B-PRS-01/gas', { ts: app.clock.now().getTime() + 1, h2s: 4 });
    // Barrier: a later value of the lead's own tag arrives after anything sent before it.
    await publish('site/A/A-PRS-01/gas', { ts: app.clock.now().getTime() + 2, h2s: 5 });
    const points = () => c.frames.flatMap((f) => f.points ?? []);
    await until(() => points().some((pt) => pt.tagId === mine && pt.value === 5));
    const seen = points().map((pt) => pt.tagId);
    expect(seen).toContain(mine);
    expect(seen).not.toContain(theirs);
    c.ws.close();
  });

  it('counts a malformed payload, keeps going, and closes the stream of a session that signed out', async () => {
    const before = app.aegis.services.connectors.health().find((h) => h.code === 'mqtt-default')!
      .health.errors;
    await publish('site/A/A-PRS-01/gas', 'not json at all');
    await publish('site/A/A-PRS-01/gas', { ts: app.clock.now().getTime() + 2, h2s: 'high' });
    await until(
      () =>
        app.aegis.services.connectors.health().find((h) => h.code === 'mqtt-default')!.health.errors >=
        before + 2,
    );
    await publish('site/A/A-PRS-01/gas', { ts: app.clock.now().getTime() + 5, h2s: 5 });
    await until(() => app.aegis.services.ingest.stats().stored >= 3);

    const lead = await app.as('lead.a');
    const c = liveClient(lead.cookie);
    await c.opened;
    expect((await lead.post('/api/auth/logout')).status).toBeLessThan(300);
    await until(() => c.closed() !== null);
    expect(c.closed()).toEqual({ code: 4401 });
  });

  it('follows equipment moved to another workshop: the old lead stops receiving it, the new lead starts', async () => {
    // A second equipment stays in workshop A: its values and alarms are lead A's markers.
    const pump = await admin.post('/api/plant/nodes', {
      parentId: p.a.line.id,
      level: 'equipment',
      code: 'A-PMP-01',
      nameZh: '泵',
      nameEn: 'Pump',
      status: 'in_service',
      description: '',
      reason,
    });
    expect(pump.status).toBe(201);
    const marker = await admin.post('/api/tags', {
      equipmentId: pump.body.id,
      code: 'GAS',
      nameZh: '硫化氢',
      nameEn: 'H2S',
      unit: 'ppm',
      source: { kind: 'mqtt', topic: 'site/A/pump/gas', path: 'h2s', timestampPath: 'ts' },
      reason,
    });
    expect(marker.status).toBe(201);
    expect(
      (
        await admin.post('/api/alarm-rules', {
          tagId: marker.body.id,
          rule: { type: 'limit', levels: { HH: { setpoint: 20, priority: 'critical' } }, deadband: 1 },
          reason,
        })
      ).status,
    ).toBe(201);
    const tags = (await admin.get('/api/tags?q=A-PRS-01')).body.items as Array<{ id: number; code: string }>;
    const moved = tags.find((t) => t.code === 'GAS')!.id;
    const directory = app.aegis.services.directory;
    await until(() => directory.get(marker.body.id) !== undefined);

    const leadA = liveClient((await app.as('lead.a')).cookie);
    const leadB = liveClient((await app.as('lead.b')).cookie);
    await Promise.all([leadA.opened, leadB.opened]);
    leadA.ws.send(JSON.stringify({ type: 'subscribe', tagIds: [moved, marker.body.id] }));
    await until(() => leadA.frames.some((f) => f.type === 'subscribed'));
    expect(leadA.frames.find((f) => f.type === 'subscribed')!.tagIds).toEqual([moved, marker.body.id]);

    // The press moves to workshop B's line.
    const move = await admin.patch(`/api/plant/nodes/${p.a.press.id}`, { parentId: p.b.line.id, reason });
    expect(move.status, JSON.stringify(move.body)).toBe(200);
    await until(() => directory.get(moved)!.path === move.body.path);
    // The press's stored alarm (raised in the first test) moves with it: the lists follow.
    const listsPress = async (who: string) =>
      ((await (await app.as(who)).get('/api/alarms?includeNormal=true')).body as Array<{ tag: string }>).some(
        (a) => a.tag === 'A-PRS-01.GAS',
      );
    await vi.waitFor(async () => expect(await listsPress('lead.b')).toBe(true));
    expect(await listsPress('lead.a')).toBe(false);
    leadB.ws.send(JSON.stringify({ type: 'subscribe', tagIds: [moved] }));
    await until(() => leadB.frames.some((f) => f.type === 'subscribed'));
    expect(leadB.frames.find((f) => f.type === 'subscribed')!.tagIds).toEqual([moved]);
    const seenBefore = leadA.frames.length;

    // Later (the test app's clock is manual), so newer than every value so far: back to normal,
    // then high again, so the press's alarm changes state whatever state it was in.
    app.clock.advance(60_000);
    await publish('site/A/A-PRS-01/gas', { ts: app.clock.now().getTime(), h2s: 0 });
    app.clock.advance(60_000);
    const t = app.clock.now().getTime();
    await publish('site/A/A-PRS-01/gas', { ts: t, h2s: 41 });
    await publish('site/A/pump/gas', { ts: t, h2s: 42 });
    const hasValue = (c: { frames: Frame[] }, tagId: number, value: number) =>
      c.frames.some((f) => f.points?.some((pt) => pt.tagId === tagId && pt.value === value));
    const alarmOf = (c: { frames: Frame[] }, tag: string) =>
      c.frames.some((f) => f.events?.some((e) => e.tag === tag));
    // The new lead gets the moved press's value and alarm; lead A gets the markers, nothing else.
    await until(() => hasValue(leadB, moved, 41) && alarmOf(leadB, 'A-PRS-01.GAS'));
    await until(() => hasValue(leadA, marker.body.id, 42) && alarmOf(leadA, 'A-PMP-01.GAS'));
    const after = leadA.frames.slice(seenBefore);
    expect(after.flatMap((f) => f.points ?? []).map((pt) => pt.tagId)).not.toContain(moved);
    expect(after.flatMap((f) => f.events ?? []).map((e) => e.tag)).not.toContain('A-PRS-01.GAS');
    leadA.ws.close();
    leadB.ws.close();
  });

  it('closes the stream of a lead whose grant is revoked, and of a deactivated user', async () => {
    const lead = await app.as('lead.a');
    const c = liveClient(lead.cookie);
    await c.opened;
    await until(() => c.frames.some((f) => f.type === 'hello'));
    expect(c.frames.find((f) => f.type === 'hello')!.alarms).toBe(true);
    const grants = (await admin.get(`/api/users/${p.a.lead.id}/roles`)).body as Array<{ id: number }>;
    const revoke = await admin.del(`/api/users/${p.a.lead.id}/roles/${grants[0]!.id}`, { reason });
    expect(revoke.status).toBe(200);
    await until(() => c.closed() !== null);
    expect(c.closed()).toEqual({ code: 4403 });
    // Reconnecting, the lead sees what is left: no alarms, no tags of the workshop.
    const again = liveClient(lead.cookie);
    await again.opened;
    await until(() => again.frames.some((f) => f.type === 'hello'));
    expect(again.frames.find((f) => f.type === 'hello')!.alarms).toBe(false);
    again.ws.close();

    const leadB = liveClient((await app.as('lead.b')).cookie);
    await leadB.opened;
    const off = await admin.patch(`/api/users/${p.b.lead.id}`, { active: false });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    await until(() => leadB.closed() !== null);
    expect(leadB.closed()).toEqual({ code: 4403 });
  });
});
