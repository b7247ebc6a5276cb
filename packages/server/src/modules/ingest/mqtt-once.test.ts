import { connect as connectTcp, type Socket } from 'node:net';
import mqtt from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../services.js';
import { type Client, seedTwoWorkshops, startTestApp, type TestApp } from '../../test/harness.js';
import * as mqttTesting from '../connectors/mqtt/testing.js';

/**
 * Issue 6 A4: every acknowledged value is stored exactly once without a source timestamp, at
 * speed and across redelivery, through the embedded broker with real MQTT clients.
 */
let app: TestApp;
let admin: Client;
const tags: Record<string, number> = {};

beforeAll(async () => {
  app = await startTestApp();
  const p = await seedTwoWorkshops(app);
  admin = await app.as('admin');
  for (const code of ['FAST', 'REDO', 'STAMPED']) {
    const res = await admin.post('/api/tags', {
      equipmentId: p.a.press.id,
      code,
      nameZh: code,
      nameEn: code,
      reason: 'commissioning',
      type: 'number',
      // No timestampPath: every value is stamped at arrival (STAMPED reads the device's time).
      source: {
        kind: 'mqtt',
        topic: `once/${code}`,
        path: 'v',
        ...(code === 'STAMPED' ? { timestampPath: 'ts' } : {}),
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    tags[code] = res.body.id as number;
  }
  await until(() => app.aegis.services.connectors.health().some((h) => h.health.state === 'connected'));
}, 120_000);
afterAll(() => app.close());

async function until(ok: () => boolean | Promise<boolean>, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}
const count = async (tag: string) =>
  (
    await app.aegis.services.db.query<{ n: number; d: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT num)::int AS d FROM tag_value WHERE tag_id = $1',
      [tags[tag]],
    )
  )[0]!;
const brokerUrl = () => new URL(app.aegis.services.connectors.broker()!.url);
/** A device's sign-in on the embedded broker (user name + API token), where the broker asks for one. */
async function credentials(): Promise<{ username?: string; password?: string }> {
  const make = (mqttTesting as Record<string, unknown>).deviceCredentials as
    | ((s: Services) => Promise<{ username: string; password: string }>)
    | undefined;
  return make ? make(app.aegis.services) : {};
}

/** A bare MQTT 3.1.1 connection: sends exactly the packets it is told (packet ids, DUP flag). */
async function rawClient(clientId: string, login: { username?: string; password?: string }) {
  const socket: Socket = connectTcp(Number(brokerUrl().port), brokerUrl().hostname);
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const received: mqttPacket.Packet[] = [];
  const waiters: Array<() => void> = [];
  parser.on('packet', (p) => {
    received.push(p);
    for (const w of waiters.splice(0)) w();
  });
  socket.on('data', (d) => parser.parse(d));
  const send = (p: mqttPacket.Packet) => socket.write(mqttPacket.generate(p, { protocolVersion: 4 }));
  const next = async (cmd: string, pred: (p: mqttPacket.Packet) => boolean = () => true) => {
    for (;;) {
      const i = received.findIndex((p) => p.cmd === cmd && pred(p));
      if (i >= 0) return received.splice(i, 1)[0]!;
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  await new Promise<void>((r) => socket.once('connect', () => r()));
  send({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: false,
    clientId,
    keepalive: 60,
    ...(login.username ? { username: login.username } : {}),
    ...(login.password ? { password: Buffer.from(login.password) } : {}),
  });
  await next('connack');
  return {
    publish(topic: string, payload: string, messageId: number, dup: boolean) {
      send({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, messageId, dup, retain: false });
    },
    puback: (messageId: number) =>
      next('puback', (p) => (p as { messageId?: number }).messageId === messageId),
    close: () =>
      new Promise<void>((r) => {
        socket.once('close', () => r());
        socket.destroy();
      }),
  };
}

describe('MQTT values without a source timestamp', () => {
  it('stores 20,000 QoS 1 messages sent at speed exactly once each', async () => {
    const device = await mqtt.connectAsync(brokerUrl().toString(), {
      clientId: 'fast-device',
      ...(await credentials()),
    });
    const n = 20_000;
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        device.publishAsync('once/FAST', JSON.stringify({ v: i }), { qos: 1 }),
      ),
    );
    await device.endAsync();
    // Every publish above resolved on its PUBACK, which comes only after storage.
    expect(await count('FAST')).toEqual({ n, d: n });
  }, 120_000);

  it('stores a message redelivered after a lost acknowledgement once, and a new message under the same packet id', async () => {
    const login = await credentials();
    const first = await rawClient('redo-device', login);
    first.publish('once/REDO', '{"v":1}', 42, false);
    await first.puback(42);
    // The acknowledgement did not reach the device (connection lost): it sends the message again.
    await first.close();
    const second = await rawClient('redo-device', login);
    second.publish('once/REDO', '{"v":1}', 42, true);
    await second.puback(42);
    expect(await count('REDO')).toEqual({ n: 1, d: 1 });
    // The packet id is free again after the acknowledgement: a new message may use it.
    second.publish('once/REDO', '{"v":2}', 42, false);
    await second.puback(42);
    // The same payload sent again as a new message (same connection) is a new value.
    second.publish('once/REDO', '{"v":2}', 43, false);
    await second.puback(43);
    await second.close();
    expect(await count('REDO')).toEqual({ n: 3, d: 2 });
  });

  it('acknowledges a message with an absurd source time and stores the messages after it (A3)', async () => {
    const device = await mqtt.connectAsync(brokerUrl().toString(), {
      clientId: 'stamped-device',
      clean: false,
      ...(await credentials()),
    });
    const t = app.clock.now().getTime() - 1000;
    // Nanoseconds and 1e20: refused alone; the PUBACK still comes, so nothing is redelivered forever.
    await device.publishAsync('once/STAMPED', JSON.stringify({ v: 1, ts: 1e20 }), { qos: 1 });
    await device.publishAsync('once/STAMPED', JSON.stringify({ v: 2, ts: t * 1_000_000 }), { qos: 1 });
    await device.publishAsync('once/STAMPED', JSON.stringify({ v: 3, ts: t }), { qos: 1 });
    await device.endAsync();
    expect(await count('STAMPED')).toEqual({ n: 1, d: 1 });
    const health = app.aegis.services.connectors.health().find((h) => h.code === 'mqtt-default')!.health;
    expect(health.lastError).toMatch(/source time .* is not a time/);
    expect(app.aegis.services.ingest.stats().sources['mqtt-default']).toMatchObject({ rejected: 2 });
  });
});
