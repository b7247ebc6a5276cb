import { join } from 'node:path';
import {
  AttributeIds,
  type ClientSession,
  DataType,
  OPCUACertificateManager,
  OPCUAClient,
  StatusCodes,
} from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_PKI_DIR } from './opcua.js';
import { type Simulator, startSimulator } from './simulator.js';

// One server and one session for the file: node-opcua's start-up is the slow part.
let sim: Simulator;
let client: OPCUAClient;
let session: ClientSession;

beforeAll(async () => {
  sim = await startSimulator({ transports: ['opcua'], opcua: { port: 0 }, rateMs: 100, seed: 6 });
  client = OPCUAClient.create({
    endpointMustExist: false,
    connectionStrategy: { maxRetry: 1, initialDelay: 100 },
    clientCertificateManager: new OPCUACertificateManager({
      rootFolder: join(DEFAULT_PKI_DIR, 'client'),
      disableFileWatchers: true,
    }),
  });
  await client.connect(sim.opcuaEndpointUrl!);
  session = await client.createSession();
});

afterAll(async () => {
  await session?.close();
  await client?.disconnect();
  await sim?.stop();
});

const read = (nodeId: string) => session.read({ nodeId, attributeId: AttributeIds.Value });

describe('OPC UA server', () => {
  it('serves the pump flow at ns=1;s=PMP-101.Flow, updating with the model', async () => {
    const tag = sim.plant.tags.find((t) => t.equipmentCode === 'PMP-101' && t.code === 'FLOW')!;
    expect(tag.source).toMatchObject({ kind: 'opcua', nodeId: 'ns=1;s=PMP-101.Flow' });
    const first = await read('ns=1;s=PMP-101.Flow');
    expect(first.statusCode).toBe(StatusCodes.Good);
    expect(first.value.dataType).toBe(DataType.Double);
    expect(first.value.value).toBeGreaterThan(20);
    expect(first.value.value).toBeLessThan(60);
    expect(Math.abs(first.sourceTimestamp!.getTime() - Date.now())).toBeLessThan(2000);
    const later = await vi.waitFor(async () => {
      const value = await read('ns=1;s=PMP-101.Flow');
      expect(value.sourceTimestamp!.getTime()).toBeGreaterThan(first.sourceTimestamp!.getTime());
      return value;
    });
    expect(later.value.value).toBeCloseTo(sim.model.values('PMP-101').FLOW as number, 0);
  });

  it('takes a run command write into the pump and reads it back', async () => {
    const status = await session.write({
      nodeId: 'ns=1;s=PMP-101.RunCommand',
      attributeId: AttributeIds.Value,
      value: { value: { dataType: DataType.Boolean, value: false } },
    });
    expect(status).toBe(StatusCodes.Good);
    expect((await read('ns=1;s=PMP-101.RunCommand')).value.value).toBe(false);
    expect(sim.model.values('PMP-101').RUN_CMD).toBe(false);
    // The pump runs down on the model's next step.
    await vi.waitFor(async () => expect((await read('ns=1;s=PMP-101.State')).value.value).toBe(0));
    const refused = await session.write({
      nodeId: 'ns=1;s=PMP-101.SpeedSetpoint',
      attributeId: AttributeIds.Value,
      value: { value: { dataType: DataType.Double, value: 250 } },
    });
    expect(refused).toBe(StatusCodes.BadOutOfRange);
  });

  it('marks an equipment’s values BadNoCommunication while its link is lost', async () => {
    sim.injectFault('HYD-01', 'link-loss');
    await vi.waitFor(async () =>
      expect((await read('ns=1;s=HYD-01.OilPressure')).statusCode).toBe(StatusCodes.BadNoCommunication),
    );
    expect((await read('ns=1;s=SCR-201.pH')).statusCode).toBe(StatusCodes.Good);
    sim.clearFault('HYD-01');
    await vi.waitFor(async () =>
      expect((await read('ns=1;s=HYD-01.OilPressure')).statusCode).toBe(StatusCodes.Good),
    );
  });
});
