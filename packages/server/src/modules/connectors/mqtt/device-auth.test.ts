import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTwoWorkshops, startTestApp, type TestApp } from '../../../test/harness.js';
import { eventually } from '../modbus/testing.js';
import { deviceCredentials } from './testing.js';

/**
 * Issue 6 A6: the embedded broker accepted anonymous clients on every address. Devices now sign
 * in with a user name and an API token holding data.ingest, and may publish only to the topics
 * of their tags; command topics are Aegis's alone. Real mqtt.js clients against the app.
 */
let app: TestApp;
let url: string;
let gateway: { username: string; password: string };
let tagId: number;
const clients: MqttClient[] = [];
const reason = 'device authentication test';

beforeAll(async () => {
  app = await startTestApp();
  const plant = await seedTwoWorkshops(app);
  const admin = await app.as('admin');
  const equipmentId = plant.a.press.id;
  const tag = await admin.post('/api/tags', {
    equipmentId,
    code: 'FORCE',
    nameZh: '压力',
    nameEn: 'Force',
    unit: 'kN',
    source: { kind: 'mqtt', topic: 'plant/press1', path: 'force', commandTopic: 'plant/press1/cmd' },
    reason,
  });
  expect(tag.status, JSON.stringify(tag.body)).toBe(201);
  tagId = tag.body.id;
  gateway = await deviceCredentials(app.aegis.services);
  url = app.aegis.services.connectors.broker()!.url;
}, 120_000);

afterAll(async () => {
  for (const c of clients) await c.endAsync(true).catch(() => {});
  await app?.close();
});

async function connect(opts: IClientOptions = {}) {
  const c = await connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
  clients.push(c);
  return c;
}

/** The CONNACK refusal code, or 0 when the connection was accepted. */
async function refusal(opts: IClientOptions): Promise<number> {
  try {
    await connect(opts);
    return 0;
  } catch (e) {
    return (e as { code?: number }).code ?? -1;
  }
}

describe('embedded MQTT broker: device sign-in and topics', () => {
  it('listens on 127.0.0.1 unless AEGIS_MQTT_HOST says otherwise', () => {
    expect(app.aegis.services.connectors.broker()!.host).toBe('127.0.0.1');
  });

  it('refuses anonymous devices, wrong tokens and tokens without data.ingest', async () => {
    expect(await refusal({})).toBe(5);
    expect(await refusal({ username: gateway.username, password: 'aegis_wrong-token' })).toBe(4);
    // The right token under another user name is no sign-in either.
    expect(await refusal({ username: 'admin', password: gateway.password })).toBe(4);
    const reader = await deviceCredentials(app.aegis.services, {
      role: 'auditor',
      permissions: ['tag.read'],
    });
    expect(await refusal(reader)).toBe(5);
  });

  it('stores what a signed-in device publishes to its tag topic', async () => {
    const device = await connect(gateway);
    await device.publishAsync('plant/press1', JSON.stringify({ force: 42.5 }), { qos: 1 });
    const admin = await app.as('admin');
    const deadline = Date.now() + 10_000;
    let value: unknown;
    while (value !== 42.5 && Date.now() < deadline) {
      const r = await admin.get(`/api/values/current?tagIds=${tagId}`);
      value = (r.body as { items: Array<{ value: unknown }> }).items[0]?.value;
      if (value !== 42.5) await new Promise((res) => setTimeout(res, 25));
    }
    expect(value).toBe(42.5);
  });

  it("refuses a device's publish to a command topic or a topic no tag of its reads, and its subscription to others' topics", async () => {
    const listener = await connect(gateway);
    // Its own command topic yes; a wildcard over everything no (SUBACK 0x80).
    const granted = await listener.subscribeAsync('plant/press1/cmd', { qos: 1 });
    expect(granted.map((g) => [g.topic, g.qos])).toEqual([['plant/press1/cmd', 1]]);
    await expect(listener.subscribeAsync('plant/#', { qos: 1 })).rejects.toThrow(/Subscribe error/);
    const received: string[] = [];
    listener.on('message', (_topic, payload) => received.push(payload.toString()));

    for (const topic of ['plant/press1/cmd', 'plant/unknown']) {
      const intruder = await connect(gateway);
      const closed = new Promise<void>((resolve) => intruder.once('close', () => resolve()));
      intruder.publish(topic, JSON.stringify({ value: 0 }), { qos: 1 });
      await closed;
    }

    // Aegis itself commands (in-process, as an interlock does); the listener gets that marker and nothing before it.
    await app.aegis.services.connectors.interlockWriter().write(tagId, 7, 50);
    const marker = (m: string) => (JSON.parse(m) as { value: unknown }).value === 7;
    await eventually(() => received.some(marker), 5000, 'the marker');
    expect(received).toHaveLength(1);
  });

  it('disconnects a signed-in device when its token is revoked or its user deactivated; neither signs in again', async () => {
    const admin = await app.as('admin');
    const byToken = await deviceCredentials(app.aegis.services);
    const device = await connect(byToken);
    const dropped = new Promise<void>((resolve) => device.once('close', () => resolve()));
    const tokens = (await admin.get('/api/auth/tokens')).body as Array<{ id: number; prefix: string }>;
    const token = tokens.find((t) => byToken.password.startsWith(t.prefix))!;
    expect((await admin.del(`/api/auth/tokens/${token.id}`, { reason })).status).toBe(200);
    await dropped;
    expect(await refusal(byToken)).toBe(4);

    const byUser = await deviceCredentials(app.aegis.services);
    const other = await connect(byUser);
    const droppedToo = new Promise<void>((resolve) => other.once('close', () => resolve()));
    const users = (await admin.get(`/api/users?q=${byUser.username}`)).body.items as Array<{
      id: number;
      username: string;
    }>;
    const user = users.find((u) => u.username === byUser.username)!;
    const off = await admin.patch(`/api/users/${user.id}`, { active: false });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    await droppedToo;
    expect(await refusal(byUser)).not.toBe(0);
  });
});
