import { randomBytes } from 'node:crypto';
import { connectAsync } from 'mqtt';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../../clock.js';
import { eventually, memoryDirectory, silentLog } from '../modbus/testing.js';
import { type EmbeddedBroker, startEmbeddedBroker } from './broker.js';
import { createMqttDriver } from './driver.js';
import { inProcessTransport } from './inprocess.js';
import { decodeSparkplug, encodeSparkplug } from './sparkplug.js';
import { type ControlledSink, controlledSink, jsonTag, sparkplugTag } from './testing.js';

type Payload = Parameters<typeof encodeSparkplug>[0];

let broker: EmbeddedBroker;
const cleanups: Array<() => Promise<unknown> | unknown> = [];
const unique = (what: string) => `${what}-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, wsPort: null, log: silentLog });
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  await broker.close();
});

/** An edge node as a real MQTT client: publishes Sparkplug B messages, records the commands it gets. */
async function edgeNode(group: string, node: string, will?: Payload) {
  const client = await connectAsync(broker.url, {
    clientId: unique('edge'),
    reconnectPeriod: 0,
    ...(will
      ? {
          will: {
            topic: `spBv1.0/${group}/NDEATH/${node}`,
            payload: Buffer.from(encodeSparkplug(will)),
            qos: 1,
          },
        }
      : {}),
  });
  cleanups.push(() => client.endAsync(true));
  const commands: Array<{ topic: string; payload: ReturnType<typeof decodeSparkplug> }> = [];
  await client.subscribeAsync(`spBv1.0/${group}/+/${node}/#`, { qos: 0 });
  await client.subscribeAsync(`spBv1.0/${group}/+/${node}`, { qos: 0 });
  client.on('message', (topic, payload) => {
    if (/\/(N|D)CMD\//.test(topic)) commands.push({ topic, payload: decodeSparkplug(payload) });
  });
  const send = (type: string, payload: Payload, device?: string) =>
    client.publishAsync(
      `spBv1.0/${group}/${type}/${node}${device ? `/${device}` : ''}`,
      Buffer.from(encodeSparkplug(payload)),
      { qos: 0 },
    );
  return { client, commands, send };
}

/** Whether the host driver takes the embedded broker's messages in-process, or as an MQTT client. */
let inProcess = false;

async function hostDriver(tags: Parameters<typeof memoryDirectory>[0]) {
  const probe = jsonTag({ topic: unique('probe') });
  const sink = controlledSink();
  const clock = manualClock(new Date('2026-03-02T08:00:00Z'));
  const driver = createMqttDriver(
    {
      connectorId: null,
      code: 'spb',
      config: { url: broker.url, clientId: unique('host'), sparkplug: true },
      tags: memoryDirectory([...tags, probe]),
      sink,
      log: silentLog,
      clock,
    },
    inProcess ? inProcessTransport(broker) : undefined,
  );
  cleanups.push(() => driver.stop());
  await driver.start();
  const pub = await connectAsync(broker.url, { clientId: unique('probe'), reconnectPeriod: 0 });
  cleanups.push(() => pub.endAsync(true));
  await waitFor(sink, probe.id, () => pub.publish((probe.source as { topic: string }).topic, '1'));
  return { driver, sink, clock };
}

async function waitFor(sink: ControlledSink, tagId: number, poke?: () => void, count = 1) {
  await eventually(
    () => {
      if (sink.of(tagId).length >= count) return true;
      poke?.();
      return false;
    },
    5000,
    `points of tag ${tagId}`,
  );
}

const T0 = Date.parse('2026-03-02T07:59:00Z');

describe.each([
  ['as an MQTT client', false],
  ['in-process', true],
])('Sparkplug B host %s', (_how, inProc) => {
  beforeEach(() => {
    inProcess = inProc;
  });

  it('learns births and aliases and maps node and device metrics to tags with their timestamps', async () => {
    const g = unique('G');
    const temperature = sparkplugTag({ group: g, edgeNode: 'N1', metric: 'Temperature' });
    const pressure = sparkplugTag({ group: g, edgeNode: 'N1', device: 'Pump1', metric: 'Pressure' });
    const running = sparkplugTag(
      { group: g, edgeNode: 'N1', device: 'Pump1', metric: 'Status/Running' },
      'boolean',
    );
    const { sink, driver } = await hostDriver([temperature, pressure, running]);
    const edge = await edgeNode(g, 'N1');

    await edge.send('NBIRTH', {
      timestamp: T0,
      seq: 0,
      metrics: [
        { name: 'bdSeq', type: 'UInt64', value: 7 },
        { name: 'Temperature', alias: 1, type: 'Double', value: 20.5, timestamp: T0 },
      ],
    });
    await edge.send(
      'DBIRTH',
      {
        timestamp: T0 + 1,
        seq: 1,
        metrics: [
          { name: 'Pressure', alias: 2, type: 'Float', value: 1.5 },
          { name: 'Status/Running', alias: 3, type: 'Boolean', value: false },
        ],
      },
      'Pump1',
    );
    await edge.send(
      'DDATA',
      { timestamp: T0 + 2, seq: 2, metrics: [{ alias: 2, type: 'Float', value: 2.5, timestamp: T0 + 5 }] },
      'Pump1',
    );
    await edge.send('NDATA', {
      timestamp: T0 + 3,
      seq: 3,
      metrics: [{ alias: 1, type: 'Double', value: 21 }],
    });
    await waitFor(sink, temperature.id, undefined, 2);
    await waitFor(sink, pressure.id, undefined, 2);

    expect(sink.of(temperature.id)).toEqual([
      { tagId: temperature.id, ts: T0, value: 20.5, quality: 'good' },
      { tagId: temperature.id, ts: T0 + 3, value: 21, quality: 'good' },
    ]);
    expect(sink.of(pressure.id)).toEqual([
      { tagId: pressure.id, ts: T0 + 1, value: 1.5, quality: 'good' },
      { tagId: pressure.id, ts: T0 + 5, value: 2.5, quality: 'good' },
    ]);
    expect(sink.of(running.id)).toEqual([{ tagId: running.id, ts: T0 + 1, value: false, quality: 'good' }]);
    expect(driver.health().errors).toBe(0);
    expect(edge.commands).toEqual([]);
  });

  it('marks a device bad on DDEATH and every tag of the node bad on NDEATH with the birth bdSeq', async () => {
    const g = unique('G');
    const temperature = sparkplugTag({ group: g, edgeNode: 'N1', metric: 'Temperature' });
    const pressure = sparkplugTag({ group: g, edgeNode: 'N1', device: 'Pump1', metric: 'Pressure' });
    const { sink, clock } = await hostDriver([temperature, pressure]);
    const edge = await edgeNode(g, 'N1');

    await edge.send('NBIRTH', {
      timestamp: T0,
      seq: 0,
      metrics: [
        { name: 'bdSeq', type: 'UInt64', value: 3 },
        { name: 'Temperature', type: 'Double', value: 20 },
      ],
    });
    await edge.send(
      'DBIRTH',
      { timestamp: T0, seq: 1, metrics: [{ name: 'Pressure', type: 'Double', value: 1 }] },
      'Pump1',
    );
    await edge.send('DDEATH', { timestamp: T0 + 10, seq: 2 }, 'Pump1');
    await waitFor(sink, pressure.id, undefined, 2);
    expect(sink.of(pressure.id).at(-1)).toEqual({
      tagId: pressure.id,
      ts: T0 + 10,
      value: null,
      quality: 'bad',
    });
    expect(sink.of(temperature.id)).toHaveLength(1);

    // A late death certificate of an earlier session (other bdSeq) changes nothing.
    await edge.send('NDEATH', { metrics: [{ name: 'bdSeq', type: 'UInt64', value: 2 }] });
    await edge.send('NDEATH', { metrics: [{ name: 'bdSeq', type: 'UInt64', value: 3 }] });
    await waitFor(sink, temperature.id, undefined, 2);
    const now = clock.now().getTime();
    expect(sink.of(temperature.id)).toEqual([
      { tagId: temperature.id, ts: T0, value: 20, quality: 'good' },
      { tagId: temperature.id, ts: now, value: null, quality: 'bad' },
    ]);
    expect(sink.of(pressure.id).at(-1)).toEqual({ tagId: pressure.id, ts: now, value: null, quality: 'bad' });
  });

  it('asks for a rebirth after a sequence gap and after data before birth', async () => {
    const g = unique('G');
    const temperature = sparkplugTag({ group: g, edgeNode: 'N1', metric: 'Temperature' });
    const { sink, driver } = await hostDriver([temperature]);
    const edge = await edgeNode(g, 'N1');
    const stranger = await edgeNode(g, 'N2');

    await edge.send('NBIRTH', {
      timestamp: T0,
      seq: 0,
      metrics: [{ name: 'Temperature', alias: 1, type: 'Double', value: 20 }],
    });
    await edge.send('NDATA', {
      timestamp: T0 + 1,
      seq: 5,
      metrics: [{ alias: 1, type: 'Double', value: 22 }],
    });
    await eventually(() => edge.commands.length === 1, 5000, 'a rebirth request');
    expect(edge.commands[0]!.topic).toBe(`spBv1.0/${g}/NCMD/N1`);
    expect(edge.commands[0]!.payload.metrics).toEqual([
      expect.objectContaining({ name: 'Node Control/Rebirth', type: 'Boolean', value: true }),
    ]);
    // The value itself is still good: only a message in between went missing.
    await waitFor(sink, temperature.id, undefined, 2);

    await stranger.send('NDATA', {
      timestamp: T0,
      seq: 9,
      metrics: [{ alias: 4, type: 'Double', value: 1 }],
    });
    await eventually(() => stranger.commands.length === 1, 5000, 'a rebirth request for the unborn node');
    expect(stranger.commands[0]!.topic).toBe(`spBv1.0/${g}/NCMD/N2`);
    expect(driver.health().errors).toBeGreaterThanOrEqual(2);
  });

  it("marks the node's tags bad when its connection drops and the broker publishes its NDEATH will", async () => {
    const g = unique('G');
    const temperature = sparkplugTag({ group: g, edgeNode: 'N1', metric: 'Temperature' });
    const { sink } = await hostDriver([temperature]);
    const edge = await edgeNode(g, 'N1', { metrics: [{ name: 'bdSeq', type: 'UInt64', value: 7 }] });
    await edge.send('NBIRTH', {
      timestamp: T0,
      seq: 0,
      metrics: [
        { name: 'bdSeq', type: 'UInt64', value: 7 },
        { name: 'Temperature', type: 'Double', value: 20 },
      ],
    });
    await waitFor(sink, temperature.id);
    edge.client.stream.destroy(); // the edge node loses power
    await waitFor(sink, temperature.id, undefined, 2);
    expect(sink.of(temperature.id).at(-1)).toMatchObject({ value: null, quality: 'bad' });
  });

  it('writes a device metric with DCMD and confirms by the DDATA read-back', async () => {
    const g = unique('G');
    const setpoint = sparkplugTag({ group: g, edgeNode: 'N1', device: 'Pump1', metric: 'Setpoint' });
    const { driver, sink } = await hostDriver([setpoint]);
    const edge = await edgeNode(g, 'N1');
    let seq = 0;
    await edge.send('NBIRTH', {
      timestamp: T0,
      seq: seq++,
      metrics: [{ name: 'bdSeq', type: 'UInt64', value: 1 }],
    });
    await edge.send(
      'DBIRTH',
      { timestamp: T0, seq: seq++, metrics: [{ name: 'Setpoint', alias: 9, type: 'Int32', value: 40 }] },
      'Pump1',
    );
    await waitFor(sink, setpoint.id);
    edge.client.on('message', (topic, payload) => {
      if (!topic.includes('/DCMD/')) return;
      const m = decodeSparkplug(payload).metrics?.[0];
      void edge.send(
        'DDATA',
        {
          timestamp: Date.now(),
          seq: seq++,
          metrics: [{ alias: 9, type: 'Int32', value: m?.value as number }],
        },
        'Pump1',
      );
    });

    const result = await driver.write(setpoint, 55, 3000);
    expect(result.confirmed).toBe(true);
    expect(edge.commands.at(-1)?.topic).toBe(`spBv1.0/${g}/DCMD/N1/Pump1`);
    expect(edge.commands.at(-1)?.payload.metrics?.[0]).toEqual(
      expect.objectContaining({ name: 'Setpoint', type: 'Int32', value: 55 }),
    );

    const silent = sparkplugTag({ group: g, edgeNode: 'N1', device: 'Pump2', metric: 'Setpoint' });
    expect((await driver.write(silent, 1, 200)).confirmed).toBe(false);
  });
});
