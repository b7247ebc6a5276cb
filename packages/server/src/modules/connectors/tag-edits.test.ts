import os from 'node:os';
import path from 'node:path';
import { ServerTCP } from 'modbus-serial';
import { connectAsync, type MqttClient } from 'mqtt';
import { DataType, OPCUACertificateManager, OPCUAServer, type UAVariable, Variant } from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../clock.js';
import type { BoundTag } from '../ingest/types.js';
import { createModbusDriver } from './modbus/driver.js';
import { eventually, freePort, memoryDirectory, memorySink, silentLog } from './modbus/testing.js';
import { type EmbeddedBroker, startEmbeddedBroker } from './mqtt/broker.js';
import { createMqttDriver } from './mqtt/driver.js';
import { createOpcuaDriver } from './opcua/driver.js';
import type { ConnectorDriver } from './types.js';

/**
 * Issue 6 A1: about 50 tag saves in 15 s while a Modbus connector polled ended the process.
 * Here every kind of driver runs against a real peer while its tags are edited in a loop; the
 * test run fails on any unhandled rejection, and the values must keep flowing afterwards.
 */
const PKI = path.join(os.tmpdir(), 'aegis-opcua-test-pki');
const MODBUS = 1;
const OPCUA = 2;
const MQTT = 3;

let modbus: ServerTCP;
let modbusPort = 0;
let opcua: OPCUAServer;
let opcuaUrl = '';
let level: UAVariable;
let broker: EmbeddedBroker;
let publisher: MqttClient;
let publishTimer: NodeJS.Timeout;
let changeTimer: NodeJS.Timeout;
let counter = 0;

beforeAll(async () => {
  modbusPort = await freePort();
  modbus = new ServerTCP(
    {
      // Unit 2 answers slowly, so a poll is nearly always waiting for the device when a tag is edited.
      async getHoldingRegister(addr: number, unit: number) {
        if (unit === 2) await new Promise((r) => setTimeout(r, 15));
        return (addr + counter) % 1000;
      },
      getInputRegister: (addr: number) => addr,
      getCoil: () => false,
      getDiscreteInput: () => false,
      setRegister: () => undefined,
      setCoil: () => undefined,
    },
    { host: '127.0.0.1', port: modbusPort, unitID: 255 },
  );
  await new Promise<void>((resolve, reject) => {
    modbus.on('initialized', () => resolve());
    modbus.on('serverError', reject);
  });
  modbus.on('socketError', () => undefined);

  const port = await freePort();
  opcuaUrl = `opc.tcp://127.0.0.1:${port}`;
  opcua = new OPCUAServer({
    port,
    hostname: '127.0.0.1',
    serverCertificateManager: new OPCUACertificateManager({
      rootFolder: path.join(PKI, 'server'),
      automaticallyAcceptUnknownCertificate: true,
    }),
  });
  await opcua.initialize();
  const space = opcua.engine.addressSpace!;
  const ns = space.getOwnNamespace();
  const tank = ns.addObject({ organizedBy: space.rootFolder.objects, browseName: 'Tank' });
  level = ns.addVariable({
    componentOf: tank,
    nodeId: 's=Level',
    browseName: 'Level',
    dataType: 'Double',
    minimumSamplingInterval: 0,
    value: new Variant({ dataType: DataType.Double, value: 0 }),
  });
  ns.addVariable({
    componentOf: tank,
    nodeId: 's=Temp',
    browseName: 'Temp',
    dataType: 'Double',
    minimumSamplingInterval: 0,
    value: new Variant({ dataType: DataType.Double, value: 20 }),
  });
  await opcua.start();

  broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, wsPort: null, log: silentLog });
  publisher = await connectAsync(broker.url, { clientId: 'edits-pub', reconnectPeriod: 0 });
  publishTimer = setInterval(() => {
    publisher.publish('plant/press', JSON.stringify({ force: counter, temp: counter / 2 }), { qos: 1 });
  }, 20);
  changeTimer = setInterval(() => {
    counter++;
    level.setValueFromSource(new Variant({ dataType: DataType.Double, value: counter }));
  }, 20);
}, 120_000);

afterAll(async () => {
  clearInterval(publishTimer);
  clearInterval(changeTimer);
  await publisher?.endAsync(true);
  await broker?.close();
  await new Promise<void>((resolve) => modbus.close(() => resolve()));
  await opcua?.shutdown(0);
}, 60_000);

function tags(edit: number): BoundTag[] {
  const odd = edit % 2 === 1;
  return [
    {
      id: 1,
      code: 'LEVEL',
      equipmentCode: 'PLC',
      type: 'number',
      source: {
        kind: 'modbus',
        connectorId: MODBUS,
        unitId: 2,
        area: 'holding',
        address: odd ? 10 : 11,
        dataType: 'int16',
        scale: 1,
        offset: 0,
        wordOrder: 'big',
      },
    },
    {
      id: 2,
      code: 'FLOW',
      equipmentCode: 'PLC',
      type: 'number',
      source: {
        kind: 'modbus',
        connectorId: MODBUS,
        unitId: 1,
        area: 'holding',
        address: 20 + (edit % 3),
        dataType: 'int16',
        scale: 1,
        offset: 0,
        wordOrder: 'big',
      },
    },
    {
      id: 3,
      code: 'LEVEL',
      equipmentCode: 'TANK',
      type: 'number',
      source: {
        kind: 'opcua',
        connectorId: OPCUA,
        nodeId: 'ns=1;s=Level',
        samplingIntervalMs: odd ? 50 : 60,
      },
    },
    {
      id: 4,
      code: 'TEMP',
      equipmentCode: 'TANK',
      type: 'number',
      source: {
        kind: 'opcua',
        connectorId: OPCUA,
        nodeId: odd ? 'ns=1;s=Temp' : 'ns=1;s=Level',
        samplingIntervalMs: 50,
      },
    },
    {
      id: 5,
      code: 'FORCE',
      equipmentCode: 'PRESS',
      type: 'number',
      source: { kind: 'mqtt', connectorId: MQTT, topic: 'plant/press', path: odd ? '$.force' : '$.temp' },
    },
  ];
}

describe('tag edits while every driver polls', () => {
  it('keeps the process and every driver alive through 50 tag saves, and values keep flowing', async () => {
    const directory = memoryDirectory(tags(0));
    const sink = memorySink();
    const common = { tags: directory, sink, log: silentLog, clock: systemClock };
    const drivers: ConnectorDriver[] = [
      createModbusDriver({
        ...common,
        connectorId: MODBUS,
        code: 'PLC',
        config: { host: '127.0.0.1', port: modbusPort, pollIntervalMs: 20, timeoutMs: 1000 },
      }),
      createOpcuaDriver(
        {
          ...common,
          connectorId: OPCUA,
          code: 'OPC',
          config: {
            endpointUrl: opcuaUrl,
            securityMode: 'None',
            securityPolicy: 'None',
            publishingIntervalMs: 50,
          },
        },
        { pkiDir: path.join(PKI, 'client') },
      ),
      createMqttDriver({
        ...common,
        connectorId: MQTT,
        code: 'MQ',
        config: { url: broker.url, clientId: 'edits-aegis', sparkplug: false },
      }),
    ];
    try {
      for (const d of drivers) await d.start();
      const ids = [1, 2, 3, 4, 5];
      await eventually(() => ids.every((id) => sink.last(id)?.quality === 'good'), 30_000, 'first values');

      for (let edit = 1; edit <= 50; edit++) {
        directory.set(tags(edit));
        // Paced like fast saves from the UI; every edit lands while polls and publishes are in flight.
        await new Promise((r) => setTimeout(r, 15));
      }

      sink.clear();
      await eventually(
        () => ids.every((id) => sink.of(id).some((p) => p.quality === 'good')),
        20_000,
        'values after the edits',
      );
      expect(drivers.map((d) => d.health().state)).toEqual(['connected', 'connected', 'connected']);
      for (const d of drivers) expect(d.health().lastError ?? '').not.toMatch(/failed/);
    } finally {
      for (const d of drivers) await d.stop();
    }
  }, 90_000);
});
