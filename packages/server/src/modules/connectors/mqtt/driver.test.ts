import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../../clock.js';
import type { BoundTag, IngestSink } from '../../ingest/types.js';
import { eventually, memoryDirectory, silentLog } from '../modbus/testing.js';
import type { ConnectorDriver } from '../types.js';
import { BrokerPortInUseError, type EmbeddedBroker, startEmbeddedBroker } from './broker.js';
import { createMqttDriver } from './driver.js';
import { inProcessTransport } from './inprocess.js';
import { type ControlledSink, controlledSink, jsonTag } from './testing.js';

let broker: EmbeddedBroker;
const cleanups: Array<() => Promise<unknown> | unknown> = [];
const EXTERNAL = process.env.AEGIS_TEST_MQTT_URL;

beforeAll(async () => {
  broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, wsPort: 0, log: silentLog });
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  await broker.close();
});

const unique = (what: string) => `${what}-${randomBytes(4).toString('hex')}`;

async function publisher(url: string) {
  const c = await connectAsync(url, { clientId: unique('pub'), reconnectPeriod: 0 });
  cleanups.push(() => c.endAsync(true));
  return c;
}

interface Started {
  driver: ConnectorDriver;
  directory: ReturnType<typeof memoryDirectory>;
}

function startDriver(
  url: string,
  tags: BoundTag[],
  sink: IngestSink,
  opts: {
    clientId?: string;
    log?: FastifyBaseLogger;
    clock?: ReturnType<typeof manualClock>;
    sparkplug?: boolean;
    /** Take the embedded broker's messages in-process instead of connecting to url. */
    inProcess?: boolean;
  } = {},
): Started {
  const directory = memoryDirectory(tags);
  const driver = createMqttDriver(
    {
      connectorId: null,
      code: 'test',
      config: { url, clientId: opts.clientId ?? unique('aegis'), sparkplug: opts.sparkplug ?? false },
      tags: directory,
      sink,
      log: opts.log ?? silentLog,
      clock: opts.clock ?? manualClock(),
    },
    opts.inProcess ? inProcessTransport(broker) : undefined,
  );
  cleanups.push(() => driver.stop());
  void driver.start();
  return { driver, directory };
}

/** Publishes to a probe tag's topic until the driver delivers it: its subscriptions are in place. */
async function untilSubscribed(pub: MqttClient, probe: BoundTag, sink: ControlledSink) {
  if (probe.source.kind !== 'mqtt') throw new Error('probe must be an MQTT tag');
  const topic = probe.source.topic;
  await eventually(
    () => {
      if (sink.of(probe.id).length > 0) return true;
      pub.publish(topic, '1', { qos: 1 });
      return false;
    },
    10_000,
    `subscription to ${topic}`,
  );
}

const targets: Array<[string, () => string]> = [['embedded broker', () => broker.url]];
if (EXTERNAL) targets.push(['external broker (AEGIS_TEST_MQTT_URL)', () => EXTERNAL]);

describe('MQTT JSON tags', () => {
  for (const [name, url] of targets) {
    it(`maps JSON payloads to tags by wildcard topic and dotted path, with source timestamps (${name})`, async () => {
      const p = unique('aegis-test');
      const pressure = jsonTag({ topic: `${p}/+/pump1/status`, path: 'values.pressure' });
      const running = jsonTag(
        { topic: `${p}/line1/#`, path: 'values.running', timestampPath: 'ts' },
        'boolean',
      );
      const state = jsonTag(
        { topic: `${p}/line1/pump1/status`, path: 'state', timestampPath: 'time' },
        'state',
      );
      const flow = jsonTag({ topic: `${p}/line1/pump1/status`, path: '$.values.flow' });
      const probe = jsonTag({ topic: `${p}/probe` });
      const clock = manualClock(new Date('2026-03-02T08:00:00Z'));
      const sink = controlledSink();
      const { driver } = startDriver(url(), [pressure, running, state, flow, probe], sink, { clock });
      const pub = await publisher(url());
      await untilSubscribed(pub, probe, sink);

      await pub.publishAsync(
        `${p}/line1/pump1/status`,
        JSON.stringify({
          values: { pressure: 3.2, running: true, flow: '12.5' },
          state: 'RUN',
          ts: 1767600000000,
          time: '2026-01-05T08:00:00.000Z',
        }),
        { qos: 1 },
      );
      await pub.publishAsync(`${p}/line2/pump1/status`, JSON.stringify({ values: { pressure: 4 } }), {
        qos: 1,
      });
      await eventually(() => sink.of(pressure.id).length === 2, 5000, 'both pressure values');

      const arrival = clock.now().getTime();
      // Stamped on arrival (no source time): flagged, so the pipeline keeps the stamps unique.
      expect(sink.of(pressure.id)).toEqual([
        expect.objectContaining({
          tagId: pressure.id,
          ts: arrival,
          value: 3.2,
          quality: 'good',
          arrival: true,
        }),
        expect.objectContaining({
          tagId: pressure.id,
          ts: arrival,
          value: 4,
          quality: 'good',
          arrival: true,
        }),
      ]);
      expect(sink.of(running.id)).toEqual([
        { tagId: running.id, ts: 1767600000000, value: true, quality: 'good' },
      ]);
      expect(sink.of(state.id)).toEqual([
        { tagId: state.id, ts: Date.parse('2026-01-05T08:00:00Z'), value: 'RUN', quality: 'good' },
      ]);
      expect(sink.of(flow.id).map((x) => x.value)).toEqual([12.5]);
      const h = driver.health();
      expect(h.state).toBe('connected');
      expect(h.errors).toBe(0);
      expect(h.points).toBeGreaterThanOrEqual(5);
      expect(h.lastMessageAt).toBe(clock.now().toISOString());
    });
  }

  it('counts malformed payloads, logs them once a minute per topic, and goes on', async () => {
    const p = unique('aegis-test');
    const level = jsonTag({ topic: `${p}/tank/level`, path: 'level' });
    const probe = jsonTag({ topic: `${p}/probe` });
    const warnings: string[] = [];
    const log = {
      ...silentLog,
      warn: (_o: unknown, msg: string) => warnings.push(msg),
    } as unknown as FastifyBaseLogger;
    const sink = controlledSink();
    const { driver } = startDriver(broker.url, [level, probe], sink, { log });
    const pub = await publisher(broker.url);
    await untilSubscribed(pub, probe, sink);

    await pub.publishAsync(`${p}/tank/level`, 'not json {', { qos: 1 });
    await pub.publishAsync(`${p}/tank/level`, JSON.stringify({ other: 1 }), { qos: 1 });
    await pub.publishAsync(`${p}/tank/level`, JSON.stringify({ level: 'high' }), { qos: 1 });
    await pub.publishAsync(`${p}/tank/level`, JSON.stringify({ level: null }), { qos: 1 });
    await pub.publishAsync(`${p}/tank/level`, JSON.stringify({ level: 71.5 }), { qos: 1 });
    await eventually(() => sink.of(level.id).length === 2, 5000, 'the good values');

    expect(sink.of(level.id).map((x) => [x.value, x.quality])).toEqual([
      [null, 'bad'],
      [71.5, 'good'],
    ]);
    const h = driver.health();
    expect(h.errors).toBe(3);
    expect(h.lastError).toMatch(/"high" is not a number/);
    expect(h.state).toBe('connected');
    expect(warnings).toHaveLength(1);
  });

  for (const [name, url] of targets) {
    it(`says so in health when another client with the same client id keeps taking its session over (${name})`, async () => {
      const clientId = unique('aegis-twin');
      const clock = manualClock();
      const sink = controlledSink();
      const ours = startDriver(url(), [], sink, { clientId, clock });
      const twin = startDriver(url(), [], sink, { clientId });
      await eventually(() => ours.driver.health().state === 'error', 30_000, 'the take-over noticed');
      expect(ours.driver.health().lastError).toMatch(
        new RegExp(`same client id \\(${clientId}\\) keeps taking over the session`),
      );

      // The other installation goes away: a session that lasts is connected again.
      await twin.driver.stop();
      await eventually(
        () => {
          clock.advance(6000);
          return ours.driver.health().state === 'connected';
        },
        20_000,
        'connected again',
      );
    }, 60_000);
  }

  it("does not count a message without another tag's field as an error", async () => {
    const p = unique('aegis-test');
    const pressure = jsonTag({ topic: `${p}/pump`, path: 'values.pressure' });
    const flow = jsonTag({ topic: `${p}/pump`, path: 'values.flow' });
    const probe = jsonTag({ topic: `${p}/probe` });
    const sink = controlledSink();
    const { driver } = startDriver(broker.url, [pressure, flow, probe], sink);
    const pub = await publisher(broker.url);
    await untilSubscribed(pub, probe, sink);

    await pub.publishAsync(`${p}/pump`, JSON.stringify({ values: { pressure: 3.1 } }), { qos: 1 });
    await pub.publishAsync(`${p}/pump`, JSON.stringify({ values: { flow: 12 } }), { qos: 1 });
    await pub.publishAsync(`${p}/pump`, JSON.stringify({ values: { pressure: 3.2, flow: 13 } }), { qos: 1 });
    await eventually(() => sink.of(flow.id).length === 2, 5000, 'both flow values');

    expect(sink.of(pressure.id).map((x) => x.value)).toEqual([3.1, 3.2]);
    expect(driver.health().errors).toBe(0);
    expect(driver.health().lastError).toBeNull();
  });

  for (const [name, url] of targets) {
    it(`acknowledges a message only after storage: a crash before it loses nothing (${name})`, async () => {
      const p = unique('aegis-test');
      const clientId = unique('aegis-persistent');
      // Leave no persistent session behind on a shared broker.
      cleanups.push(async () => (await connectAsync(url(), { clientId, clean: true })).endAsync());
      const temp = jsonTag({ topic: `${p}/temp`, path: 'v' });
      const probe = jsonTag({ topic: `${p}/probe` });

      const hanging = controlledSink('hang');
      const first = startDriver(url(), [temp, probe], hanging, { clientId });
      const pub = await publisher(url());
      await untilSubscribed(pub, probe, hanging);
      await pub.publishAsync(`${p}/temp`, JSON.stringify({ v: 81.5 }), { qos: 1 });
      await eventually(() => hanging.of(temp.id).length === 1, 5000, 'the value to reach the sink');
      await first.driver.stop(); // the process dies: storage never confirmed

      const sink = controlledSink();
      const second = startDriver(url(), [temp, probe], sink, { clientId });
      await eventually(() => sink.of(temp.id).length === 1, 5000, 'redelivery to the same client id');
      expect(sink.of(temp.id)[0]!.value).toBe(81.5);
      await second.driver.stop();

      // Stored and acknowledged now: the next session does not get it again.
      const third = controlledSink();
      startDriver(url(), [temp, probe], third, { clientId });
      await untilSubscribed(pub, probe, third);
      await pub.publishAsync(`${p}/temp`, JSON.stringify({ v: 82 }), { qos: 1 });
      await eventually(() => third.of(temp.id).length > 0, 5000, 'the new value');
      expect(third.of(temp.id).map((x) => x.value)).toEqual([82]);
    });
  }

  it('does not acknowledge when storage fails, reconnects and gets the message again', async () => {
    const p = unique('aegis-test');
    const temp = jsonTag({ topic: `${p}/temp`, path: 'v' });
    const probe = jsonTag({ topic: `${p}/probe` });
    const sink = controlledSink();
    const { driver } = startDriver(broker.url, [temp, probe], sink);
    const pub = await publisher(broker.url);
    await untilSubscribed(pub, probe, sink);

    sink.mode = 'fail';
    await pub.publishAsync(`${p}/temp`, JSON.stringify({ v: 5 }), { qos: 1 });
    await eventually(() => driver.health().errors > 0, 5000, 'the storage failure');
    sink.mode = 'store';
    await eventually(() => sink.of(temp.id).length === 1, 5000, 'redelivery after reconnect');
    expect(driver.health().reconnects).toBeGreaterThanOrEqual(1);
    expect(driver.health().lastError).toMatch(/database unavailable/);
  });

  it('keeps many messages in flight while storage is slow (acks pipelined, in order)', async () => {
    const p = unique('aegis-test');
    const counter = jsonTag({ topic: `${p}/counter`, path: 'n' });
    const probe = jsonTag({ topic: `${p}/probe` });
    const sink = controlledSink();
    startDriver(broker.url, [counter, probe], sink);
    const pub = await publisher(broker.url);
    await untilSubscribed(pub, probe, sink);
    sink.delayMs = 30;
    const before = sink.submits;
    const started = Date.now();
    const n = 300;
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        pub.publishAsync(`${p}/counter`, JSON.stringify({ n: i }), { qos: 1 }),
      ),
    );
    await eventually(() => sink.of(counter.id).length === n, 10_000, 'every message stored');
    // One message per storage round trip would take n × 30 ms = 9 s.
    expect(Date.now() - started).toBeLessThan(3000);
    expect(sink.submits - before).toBeLessThan(n / 3);
    expect(sink.of(counter.id).map((x) => x.value)).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('re-subscribes when the tags change', async () => {
    const p = unique('aegis-test');
    const a = jsonTag({ topic: `${p}/a`, path: 'v' });
    const b = jsonTag({ topic: `${p}/b`, path: 'v' });
    const probe = jsonTag({ topic: `${p}/probe` });
    const sink = controlledSink();
    const { directory } = startDriver(broker.url, [a, probe], sink);
    const pub = await publisher(broker.url);
    await untilSubscribed(pub, probe, sink);

    directory.set([b, probe]);
    await eventually(
      () => {
        if (sink.of(b.id).length > 0) return true;
        pub.publish(`${p}/b`, JSON.stringify({ v: 2 }), { qos: 1 });
        return false;
      },
      5000,
      'the new tag',
    );
    await pub.publishAsync(`${p}/a`, JSON.stringify({ v: 1 }), { qos: 1 });
    await pub.publishAsync(`${p}/b`, JSON.stringify({ v: 3 }), { qos: 1 });
    await eventually(() => sink.of(b.id).some((x) => x.value === 3), 5000, 'the marker value');
    expect(sink.of(a.id)).toEqual([]);
  });
});

describe('MQTT writes', () => {
  async function withDevice(p: string, echo: boolean) {
    const device = await publisher(broker.url);
    await device.subscribeAsync(`${p}/+/cmd`, { qos: 1 });
    device.on('message', (topic, payload) => {
      if (!echo) return;
      const { value } = JSON.parse(payload.toString()) as { value: unknown };
      device.publish(topic.replace(/cmd$/, 'state'), JSON.stringify({ value }), { qos: 1 });
    });
    return device;
  }

  it('publishes {value, ts} to the command topic and confirms when the value reads back', async () => {
    const p = unique('aegis-test');
    const valve = jsonTag(
      { topic: `${p}/valve/state`, path: 'value', commandTopic: `${p}/valve/cmd` },
      'boolean',
    );
    const probe = jsonTag({ topic: `${p}/probe` });
    const sink = controlledSink();
    const clock = manualClock();
    const { driver } = startDriver(broker.url, [valve, probe], sink, { clock });
    const pub = await publisher(broker.url);
    await untilSubscribed(pub, probe, sink);
    const device = await withDevice(p, true);
    const commands: unknown[] = [];
    device.on('message', (_t, payload) => commands.push(JSON.parse(payload.toString())));

    const result = await driver.write(valve, false, 3000);
    expect(result.confirmed).toBe(true);
    expect(commands).toEqual([{ value: false, ts: clock.now().getTime() }]);
    await eventually(() => sink.of(valve.id).length === 1, 2000, 'the read-back value stored');
  });

  it('reports an unconfirmed write when nothing reads back within the timeout', async () => {
    const p = unique('aegis-test');
    // The status wildcard also covers the command topic: our own command must not count as read-back.
    const valve = jsonTag(
      { topic: `${p}/valve/#`, path: 'value', commandTopic: `${p}/valve/cmd` },
      'boolean',
    );
    const plain = jsonTag({ topic: `${p}/plain` });
    const probe = jsonTag({ topic: `${p}/probe` });
    const sink = controlledSink();
    const { driver } = startDriver(broker.url, [valve, plain, probe], sink);
    const pub = await publisher(broker.url);
    await untilSubscribed(pub, probe, sink);
    await withDevice(p, false);

    const result = await driver.write(valve, true, 300);
    expect(result).toEqual({ confirmed: false, detail: expect.stringMatching(/within 300 ms/) });
    expect(sink.of(valve.id)).toEqual([]);
    // Not written at all: failed, not merely unconfirmed.
    expect(await driver.write(plain, 1, 300)).toEqual({
      confirmed: false,
      failed: true,
      detail: expect.stringMatching(/no command topic/),
    });
    expect(await driver.write(valve, 'open', 300)).toEqual({
      confirmed: false,
      failed: true,
      detail: expect.stringMatching(/not a boolean/),
    });
  });
});

describe('connection', () => {
  it('reconnects with back-off after the broker restarts, and subscribes again', async () => {
    const own = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, wsPort: null, log: silentLog });
    const port = own.port;
    let current: EmbeddedBroker | null = own;
    cleanups.push(() => current?.close());
    const p = unique('aegis-test');
    const probe = jsonTag({ topic: `${p}/probe` });
    const sink = controlledSink();
    const { driver } = startDriver(own.url, [probe], sink);
    let pub = await publisher(own.url);
    await untilSubscribed(pub, probe, sink);

    await own.close();
    current = null;
    await eventually(() => driver.health().state === 'disconnected', 5000, 'disconnected');
    current = await startEmbeddedBroker({ host: '127.0.0.1', port, wsPort: null, log: silentLog });
    await eventually(() => driver.health().state === 'connected', 10_000, 'connected again');
    expect(driver.health().reconnects).toBeGreaterThanOrEqual(1);

    // The new broker has no session: the driver must have subscribed afresh.
    pub = await publisher(current.url);
    const before = sink.of(probe.id).length;
    await eventually(
      () => {
        if (sink.of(probe.id).length > before) return true;
        pub.publish(`${p}/probe`, '2', { qos: 1 });
        return false;
      },
      5000,
      'a value through the new broker',
    );
  });

  it('reports an error and keeps retrying while the broker is unreachable', async () => {
    const own = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, wsPort: null, log: silentLog });
    const url = own.url;
    await own.close();
    const { driver } = startDriver(url, [], controlledSink());
    await eventually(() => driver.health().state === 'disconnected', 5000, 'disconnected');
    expect(driver.health().lastError).toMatch(/ECONNREFUSED/);
    await driver.stop();
    expect(driver.health().state).toBe('stopped');
  });
});

describe('embedded broker', () => {
  it('says which port is taken and which setting changes it', async () => {
    const attempt = startEmbeddedBroker({
      host: '127.0.0.1',
      port: broker.port,
      wsPort: null,
      log: silentLog,
    });
    await expect(attempt).rejects.toBeInstanceOf(BrokerPortInUseError);
    await expect(attempt).rejects.toThrow(new RegExp(`127\\.0\\.0\\.1:${broker.port}.*AEGIS_MQTT_PORT`));
  });

  it('names AEGIS_MQTT_WS_PORT when the WebSocket port is taken', async () => {
    const attempt = startEmbeddedBroker({
      host: '127.0.0.1',
      port: 0,
      wsPort: broker.wsPort,
      log: silentLog,
    });
    await expect(attempt).rejects.toThrow(/AEGIS_MQTT_WS_PORT/);
  });

  it('accepts MQTT over WebSocket', async () => {
    const p = unique('aegis-test');
    const probe = jsonTag({ topic: `${p}/probe` });
    const sink = controlledSink();
    startDriver(broker.url, [probe], sink);
    const ws = await connectAsync(`ws://127.0.0.1:${broker.wsPort}/mqtt`, {
      clientId: unique('ws'),
      reconnectPeriod: 0,
    });
    cleanups.push(() => ws.endAsync(true));
    await untilSubscribed(ws, probe, sink);
  });
});

describe('in-process on the embedded broker', () => {
  /** Whether a QoS 1 publish is acknowledged to the device within ms. */
  function acknowledgedWithin(pub: MqttClient, topic: string, payload: string, ms: number) {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      pub.publish(topic, payload, { qos: 1 }, (err) => {
        clearTimeout(timer);
        resolve(!err);
      });
    });
  }

  it('maps JSON payloads to tags and is connected while the broker runs', async () => {
    const p = unique('aegis-test');
    const pressure = jsonTag({ topic: `${p}/+/status`, path: 'values.pressure', timestampPath: 'ts' });
    const probe = jsonTag({ topic: `${p}/probe` });
    const sink = controlledSink();
    const { driver } = startDriver(broker.url, [pressure, probe], sink, { inProcess: true });
    const pub = await publisher(broker.url);
    await untilSubscribed(pub, probe, sink);
    await pub.publishAsync(
      `${p}/pump1/status`,
      JSON.stringify({ values: { pressure: 3.5 }, ts: 1767600000000 }),
      {
        qos: 1,
      },
    );
    await pub.publishAsync(`${p}/pump1/status`, 'not json', { qos: 0 });
    await pub.publishAsync(`${p}/other`, JSON.stringify({ values: { pressure: 1 } }), { qos: 1 });
    await eventually(() => driver.health().errors === 1, 5000, 'the malformed payload counted');
    expect(sink.of(pressure.id)).toEqual([
      { tagId: pressure.id, ts: 1767600000000, value: 3.5, quality: 'good' },
    ]);
    expect(driver.health().state).toBe('connected');
    expect(driver.health().lastError).toMatch(/not JSON/);
  });

  it("holds the device's PUBACK until the points are stored", async () => {
    const p = unique('aegis-test');
    const temp = jsonTag({ topic: `${p}/temp`, path: 'v' });
    const probe = jsonTag({ topic: `${p}/probe` });
    const hanging = controlledSink();
    startDriver(broker.url, [temp, probe], hanging, { inProcess: true });
    const pub = await publisher(broker.url);
    await untilSubscribed(pub, probe, hanging);

    hanging.mode = 'hang';
    expect(await acknowledgedWithin(pub, `${p}/temp`, JSON.stringify({ v: 1 }), 1000)).toBe(false);
    expect(hanging.of(temp.id)).toHaveLength(1); // received, never stored

    const p2 = unique('aegis-test');
    const temp2 = jsonTag({ topic: `${p2}/temp`, path: 'v' });
    const probe2 = jsonTag({ topic: `${p2}/probe` });
    const storing = controlledSink();
    storing.delayMs = 200;
    startDriver(broker.url, [temp2, probe2], storing, { inProcess: true });
    const pub2 = await publisher(broker.url);
    await untilSubscribed(pub2, probe2, storing);
    const sent = Date.now();
    expect(await acknowledgedWithin(pub2, `${p2}/temp`, JSON.stringify({ v: 2 }), 2000)).toBe(true);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(150);
    expect(storing.of(temp2.id).map((x) => x.value)).toEqual([2]);
  });

  it('drops the device unacknowledged when storage fails; it publishes again on reconnect', async () => {
    const p = unique('aegis-test');
    const temp = jsonTag({ topic: `${p}/temp`, path: 'v' });
    const probe = jsonTag({ topic: `${p}/probe` });
    const sink = controlledSink();
    const { driver } = startDriver(broker.url, [temp, probe], sink, { inProcess: true });
    const pub = await connectAsync(broker.url, { clientId: unique('pub'), reconnectPeriod: 100 });
    cleanups.push(() => pub.endAsync(true));
    await untilSubscribed(pub, probe, sink);

    sink.mode = 'fail';
    const acked = pub.publishAsync(`${p}/temp`, JSON.stringify({ v: 5 }), { qos: 1 });
    await eventually(() => driver.health().errors > 0, 5000, 'the storage failure');
    sink.mode = 'store';
    await acked;
    expect(sink.of(temp.id).map((x) => x.value)).toEqual([5]);
    expect(driver.health().lastError).toMatch(/database unavailable/);
  });

  it('keeps many messages in flight while storage is slow, stored in order in few submits', async () => {
    const p = unique('aegis-test');
    const counter = jsonTag({ topic: `${p}/counter`, path: 'n' });
    const probe = jsonTag({ topic: `${p}/probe` });
    const sink = controlledSink();
    startDriver(broker.url, [counter, probe], sink, { inProcess: true });
    const pub = await publisher(broker.url);
    await untilSubscribed(pub, probe, sink);
    sink.delayMs = 30;
    const before = sink.submits;
    const n = 300;
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        pub.publishAsync(`${p}/counter`, JSON.stringify({ n: i }), { qos: 1 }),
      ),
    );
    expect(sink.of(counter.id).map((x) => x.value)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(sink.submits - before).toBeLessThan(n / 3);
  });

  it('re-subscribes on tag changes, and writes through the broker with read-back', async () => {
    const p = unique('aegis-test');
    const valve = jsonTag(
      { topic: `${p}/valve/state`, path: 'value', commandTopic: `${p}/valve/cmd` },
      'boolean',
    );
    const probe = jsonTag({ topic: `${p}/probe` });
    const sink = controlledSink();
    const { driver, directory } = startDriver(broker.url, [probe], sink, { inProcess: true });
    const pub = await publisher(broker.url);
    await untilSubscribed(pub, probe, sink);
    const device = await publisher(broker.url);
    await device.subscribeAsync(`${p}/valve/cmd`, { qos: 1 });
    device.on('message', (_topic, payload) => {
      const { value } = JSON.parse(payload.toString()) as { value: unknown };
      device.publish(`${p}/valve/state`, JSON.stringify({ value }), { qos: 1 });
    });

    directory.set([valve, probe]);
    await eventually(
      () => {
        if (sink.of(valve.id).length > 0) return true;
        pub.publish(`${p}/valve/state`, JSON.stringify({ value: true }), { qos: 1 });
        return false;
      },
      5000,
      'the subscription to the new tag',
    );
    const result = await driver.write(valve, false, 3000);
    expect(result).toMatchObject({ confirmed: true });
    await eventually(() => sink.of(valve.id).at(-1)?.value === false, 2000, 'the read-back value stored');
    // A device that reports by exception sends nothing when commanded into the state it is in.
    device.removeAllListeners('message');
    const again = await driver.write(valve, false, 500);
    expect(again).toMatchObject({ confirmed: true, detail: expect.stringMatching(/already read false/) });
    // Into another state, without an answer, the write stays unconfirmed.
    expect(await driver.write(valve, true, 300)).toMatchObject({ confirmed: false });

    directory.set([probe]);
    // The directory change is applied once a value of the remaining tag sent after it is stored.
    await eventually(
      () => {
        if (sink.of(probe.id).some((pt) => pt.value === 7)) return true;
        pub.publish(`${p}/probe`, '7', { qos: 1 });
        return false;
      },
      5000,
      'the probe after the change',
    );
    const stored = sink.of(valve.id).length;
    await pub.publishAsync(`${p}/valve/state`, JSON.stringify({ value: false }), { qos: 1 });
    // Barrier: a probe value published after the valve's is stored only after the valve's was handled.
    await pub.publishAsync(`${p}/probe`, '8', { qos: 1 });
    await eventually(() => sink.of(probe.id).some((pt) => pt.value === 8), 5000, 'the marker');
    expect(sink.of(valve.id)).toHaveLength(stored);
  });
});
