import os from 'node:os';
import path from 'node:path';
import {
  DataType,
  OPCUACertificateManager,
  OPCUAServer,
  type StatusCode,
  StatusCodes,
  type UAVariable,
  Variant,
} from 'node-opcua';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../clock.js';
import type { BoundTag } from '../../ingest/types.js';
// The in-memory sink and directory are shared by both connector folders' tests.
import {
  eventually,
  freePort,
  type MemoryDirectory,
  memoryDirectory,
  memorySink,
  silentLog,
} from '../modbus/testing.js';
import type { ConnectorDriver } from '../types.js';
import { createOpcuaDriver, type OpcuaConfig } from './driver.js';

const CONNECTOR = 3;
const PKI = path.join(os.tmpdir(), 'aegis-opcua-test-pki');

/** A small plant: a few variables of different types, two of them writable. */
class Plant {
  server!: OPCUAServer;
  vars: Record<string, UAVariable> = {};

  constructor(readonly port: number) {}

  async start() {
    this.server = new OPCUAServer({
      port: this.port,
      hostname: '127.0.0.1',
      serverCertificateManager: new OPCUACertificateManager({
        rootFolder: path.join(PKI, 'server'),
        automaticallyAcceptUnknownCertificate: true,
      }),
      userManager: {
        isValidUser: (user: string, password: string) => user === 'operator' && password === 'Secret-1',
      },
    });
    await this.server.initialize();
    const addressSpace = this.server.engine.addressSpace!;
    const ns = addressSpace.getOwnNamespace();
    const device = ns.addObject({ organizedBy: addressSpace.rootFolder.objects, browseName: 'Pump1' });
    const add = (name: string, dataType: DataType, value: unknown, writable = false) => {
      this.vars[name] = ns.addVariable({
        componentOf: device,
        nodeId: `s=${name}`,
        browseName: name,
        dataType: DataType[dataType],
        accessLevel: writable ? 'CurrentRead | CurrentWrite' : 'CurrentRead',
        userAccessLevel: writable ? 'CurrentRead | CurrentWrite' : 'CurrentRead',
        minimumSamplingInterval: 0,
        value: new Variant({ dataType, value }),
      });
    };
    add('Temp', DataType.Double, 21.5);
    add('Running', DataType.Boolean, true);
    add('Count', DataType.Int32, 42);
    add('Mode', DataType.String, 'AUTO');
    add('Setpoint', DataType.Float, 10, true);
    add('Limit', DataType.Int16, 100, true);
    add('Sensor', DataType.Double, 1.25);
    await this.server.start();
  }

  set(
    name: string,
    dataType: DataType,
    value: unknown,
    status: StatusCode = StatusCodes.Good,
    sourceTimestamp?: Date,
  ) {
    this.vars[name]!.setValueFromSource(
      new Variant({ dataType, value }),
      status,
      sourceTimestamp ?? new Date(),
    );
  }

  value(name: string) {
    return this.vars[name]!.readValue().value.value as unknown;
  }

  async stop() {
    await this.server.shutdown(0);
  }
}

let plant: Plant;
let endpointUrl = '';

let nextId = 1;
function tag(nodeId: string, type: BoundTag['type'] = 'number', samplingIntervalMs = 50): BoundTag {
  const id = nextId++;
  return {
    id,
    code: `T${id}`,
    equipmentCode: 'PUMP-1',
    type,
    source: { kind: 'opcua', connectorId: CONNECTOR, nodeId, samplingIntervalMs },
  };
}

const drivers: ConnectorDriver[] = [];
function driver(dir: MemoryDirectory, config: Partial<OpcuaConfig> = {}) {
  const sink = memorySink();
  const d = createOpcuaDriver(
    {
      connectorId: CONNECTOR,
      code: 'OPC-1',
      config: {
        endpointUrl,
        securityMode: 'None',
        securityPolicy: 'None',
        publishingIntervalMs: 100,
        ...config,
      },
      tags: dir,
      sink,
      log: silentLog,
      clock: systemClock,
    },
    { pkiDir: path.join(PKI, 'client') },
  );
  drivers.push(d);
  return { d, sink };
}

beforeAll(async () => {
  const port = await freePort();
  endpointUrl = `opc.tcp://127.0.0.1:${port}`;
  plant = new Plant(port);
  await plant.start();
}, 120_000);
afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.stop()));
});
afterAll(async () => {
  await plant?.stop();
}, 60_000);

describe('OPC UA driver against a real server', () => {
  it('delivers Double, Boolean, Int32 and String values with good quality and their source time', async () => {
    const temp = tag('ns=1;s=Temp');
    const running = tag('ns=1;s=Running', 'boolean');
    const count = tag('ns=1;s=Count', 'number');
    const mode = tag('ns=1;s=Mode', 'state');
    const { d, sink } = driver(memoryDirectory([temp, running, count, mode]));
    await d.start();

    await eventually(
      () => [temp, running, count, mode].every((t) => sink.last(t.id)),
      15_000,
      'initial values',
    );
    expect(d.health().state).toBe('connected');
    expect([temp, running, count, mode].map((t) => sink.last(t.id)?.value)).toEqual([21.5, true, 42, 'AUTO']);
    expect([temp, running, count, mode].every((t) => sink.last(t.id)?.quality === 'good')).toBe(true);

    // Changes sampled together come in one publish response, so in one sink batch.
    const at = new Date('2026-01-05T08:00:00Z');
    sink.clear();
    plant.set('Temp', DataType.Double, 80.25, StatusCodes.Good, at);
    plant.set('Running', DataType.Boolean, false, StatusCodes.Good, at);
    plant.set('Count', DataType.Int32, 43, StatusCodes.Good, at);
    await eventually(() => sink.last(count.id)?.value === 43, 5000, 'changed values');
    const batch = sink.batches.find((b) => b.some((p) => p.tagId === count.id))!;
    expect(batch.map((p) => [p.tagId, p.value, p.ts])).toEqual(
      expect.arrayContaining([
        [temp.id, 80.25, at.getTime()],
        [running.id, false, at.getTime()],
        [count.id, 43, at.getTime()],
      ]),
    );
    expect(d.health().points).toBeGreaterThanOrEqual(7);
  });

  it('passes bad and uncertain status on as quality, and counts a value the tag cannot hold', async () => {
    const sensor = tag('ns=1;s=Sensor');
    const modeAsNumber = tag('ns=1;s=Mode', 'number');
    const { d, sink } = driver(memoryDirectory([sensor, modeAsNumber]));
    await d.start();
    await eventually(() => sink.last(sensor.id)?.value === 1.25, 15_000, 'sensor value');

    plant.set('Sensor', DataType.Double, 1.5, StatusCodes.BadSensorFailure);
    await eventually(() => sink.last(sensor.id)?.quality === 'bad', 5000, 'bad sensor');
    expect(sink.last(sensor.id)?.value).toBeNull();
    plant.set('Sensor', DataType.Double, 1.75, StatusCodes.UncertainLastUsableValue);
    await eventually(() => sink.last(sensor.id)?.quality === 'uncertain', 5000, 'uncertain sensor');
    expect(sink.last(sensor.id)?.value).toBe(1.75);
    plant.set('Sensor', DataType.Double, 1.25);

    expect(sink.last(modeAsNumber.id)).toMatchObject({ value: null, quality: 'bad' });
    expect(d.health().errors).toBeGreaterThanOrEqual(1);
    expect(d.health().lastError).toMatch(/AUTO is not a number/);
  });

  it('marks a tag on an unknown node bad and keeps the others flowing', async () => {
    const ghost = tag('ns=1;s=NoSuchNode');
    const temp = tag('ns=1;s=Temp');
    const { d, sink } = driver(memoryDirectory([ghost, temp]));
    await d.start();
    await eventually(() => sink.last(ghost.id) && sink.last(temp.id), 15_000, 'both tags');
    expect(sink.last(ghost.id)).toMatchObject({ value: null, quality: 'bad' });
    expect(sink.last(temp.id)?.quality).toBe('good');
    expect(d.health().lastError).toMatch(/NoSuchNode.*BadNodeIdUnknown/);
  });

  it('adds and removes monitored items when the tag directory changes, leaving the others alone', async () => {
    const temp = tag('ns=1;s=Temp');
    const running = tag('ns=1;s=Running', 'boolean');
    const dir = memoryDirectory([temp, running]);
    const { d, sink } = driver(dir);
    await d.start();
    await eventually(() => sink.last(temp.id) && sink.last(running.id), 15_000, 'initial values');

    sink.clear();
    const count = tag('ns=1;s=Count');
    dir.set([temp, count]);
    await eventually(() => sink.last(count.id), 5000, 'the added tag');
    plant.set('Running', DataType.Boolean, true);
    plant.set('Temp', DataType.Double, 22.5);
    await eventually(() => sink.last(temp.id)?.value === 22.5, 5000, 'temp change');
    // Barrier: a later change of a still-monitored node arrives after anything sent before it.
    const marker = (Number(sink.last(count.id)?.value) || 0) + 1;
    plant.set('Count', DataType.Int32, marker);
    await eventually(() => sink.last(count.id)?.value === marker, 5000, 'the marker change');
    // The removed tag gets nothing; the unchanged tag got its change only, not a new initial value.
    expect(sink.of(running.id)).toEqual([]);
    expect(sink.of(temp.id).map((p) => p.value)).toEqual([22.5]);
  });

  it('writes with the node data type and confirms by reading back', async () => {
    const setpoint = tag('ns=1;s=Setpoint');
    const limit = tag('ns=1;s=Limit');
    const temp = tag('ns=1;s=Temp');
    const { d } = driver(memoryDirectory([setpoint, limit, temp]));
    await d.start();
    await eventually(() => d.health().state === 'connected', 15_000, 'connected');

    expect(await d.write(setpoint, 12.5, 5000)).toMatchObject({ confirmed: true });
    expect(plant.value('Setpoint')).toBe(12.5);
    expect(await d.write(limit, 250, 5000)).toMatchObject({ confirmed: true });
    expect(plant.value('Limit')).toBe(250);

    const tooBig = await d.write(limit, 40000, 5000);
    expect(tooBig).toMatchObject({
      confirmed: false,
      detail: expect.stringMatching(/refused.*40000.*Int16/),
    });
    expect(plant.value('Limit')).toBe(250);

    const readOnly = await d.write(temp, 99, 5000);
    expect(readOnly.confirmed).toBe(false);
    expect(readOnly.detail).toMatch(/Bad(NotWritable|UserAccessDenied)/);
  });

  it('signs in with a user name and password, and reports a refused one', async () => {
    const temp = tag('ns=1;s=Temp');
    const good = driver(memoryDirectory([temp]), { username: 'operator', password: 'Secret-1' });
    const bad = driver(memoryDirectory([temp]), { username: 'operator', password: 'wrong' });
    await good.d.start();
    await bad.d.start();
    await eventually(() => good.sink.last(temp.id)?.quality === 'good', 15_000, 'value with user identity');
    await eventually(() => bad.d.health().lastError, 15_000, 'refusal');
    expect(bad.d.health().state).not.toBe('connected');
    expect(bad.d.health().lastError).toMatch(
      /BadUserAccessDenied|BadIdentityTokenRejected|BadIdentityTokenInvalid/,
    );
    expect(bad.sink.last(temp.id)).toMatchObject({ quality: 'bad' });
  });

  it('connects with SignAndEncrypt / Basic256Sha256', async () => {
    const temp = tag('ns=1;s=Temp');
    const { d, sink } = driver(memoryDirectory([temp]), {
      securityMode: 'SignAndEncrypt',
      securityPolicy: 'Basic256Sha256',
    });
    await d.start();
    await eventually(() => sink.last(temp.id)?.quality === 'good', 20_000, 'an encrypted value');
  }, 30_000);

  it('answers a write while disconnected with confirmed=false', async () => {
    const t = tag('ns=1;s=Setpoint');
    const port = await freePort();
    const { d, sink } = driver(memoryDirectory([t]), { endpointUrl: `opc.tcp://127.0.0.1:${port}` });
    await d.start();
    expect(await d.write(t, 1, 1000)).toMatchObject({ confirmed: false, detail: /not connected/ });
    await eventually(() => d.health().state === 'disconnected', 10_000, 'disconnected');
    expect(sink.last(t.id)).toMatchObject({ quality: 'bad', value: null });
  });

  it('refuses a security mode and policy that do not go together, marking the tags bad', async () => {
    const t = tag('ns=1;s=Temp');
    const { d, sink } = driver(memoryDirectory([t]), { securityMode: 'Sign', securityPolicy: 'None' });
    await d.start();
    await eventually(() => d.health().state === 'error', 5000, 'error state');
    expect(d.health().lastError).toMatch(/does not go with/);
    await eventually(() => sink.last(t.id), 5000, 'bad point');
    expect(sink.last(t.id)).toMatchObject({ quality: 'bad', value: null });
  });

  it('marks every tag bad when the server goes away and subscribes again when it is back', async () => {
    const temp = tag('ns=1;s=Temp');
    const count = tag('ns=1;s=Count');
    const { d, sink } = driver(memoryDirectory([temp, count]));
    await d.start();
    await eventually(() => sink.last(temp.id)?.quality === 'good' && sink.last(count.id), 15_000, 'values');

    await plant.stop();
    await eventually(() => d.health().state === 'disconnected', 15_000, 'disconnected');
    await eventually(
      () => sink.last(temp.id)?.quality === 'bad' && sink.last(count.id)?.quality === 'bad',
      5000,
      'bad',
    );

    plant = new Plant(plant.port);
    await plant.start();
    plant.set('Temp', DataType.Double, 33.5);
    await eventually(() => d.health().state === 'connected', 30_000, 'reconnected');
    await eventually(() => sink.last(temp.id)?.value === 33.5, 10_000, 'values after the restart');
    expect(sink.last(temp.id)?.quality).toBe('good');
    expect(d.health().reconnects).toBeGreaterThanOrEqual(1);
  }, 90_000);
});
