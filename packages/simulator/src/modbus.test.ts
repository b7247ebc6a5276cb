import modbusSerial from 'modbus-serial';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from './simulator.js';
import { sleep } from './test/peers.js';

let sim: Simulator;
// modbus-serial is CommonJS: its class is the default export's `default`.
const ModbusRTU = modbusSerial.default;
let client: InstanceType<typeof ModbusRTU>;

beforeAll(async () => {
  sim = await startSimulator({ transports: ['modbus'], modbus: { port: 0 }, rateMs: 100, seed: 8 });
  client = new ModbusRTU();
  await client.connectTCP('127.0.0.1', { port: sim.ports.modbus! });
  client.setID(1);
  client.setTimeout(1000);
});

afterAll(async () => {
  await new Promise<void>((resolve) => client.close(() => resolve()));
  await sim.stop();
});

const sourceOf = (equipment: string, code: string) => {
  const tag = sim.plant.tags.find((t) => t.equipmentCode === equipment && t.code === code)!;
  if (tag.source.kind !== 'modbus') throw new Error(`${equipment}.${code} is not on Modbus`);
  return tag.source;
};

/** Reads until the model and the slave agree on a value (the model moves every 100 ms). */
async function readAgreeing<T, E>(
  read: () => Promise<T>,
  expected: () => E,
  equal: (got: T, want: E) => boolean,
) {
  for (let i = 0; i < 5; i++) {
    const got = await read();
    if (equal(got, expected())) return got;
    await sleep(20);
  }
  throw new Error('the slave never agreed with the model');
}

describe('Modbus TCP slave', () => {
  it('reports the port it bound when asked for port 0', () => {
    expect(sim.ports.modbus).toBeGreaterThan(0);
    expect(sim.ports.opcua).toBeNull();
  });

  it('serves level and temperature as int16 ×0.1 and pressure as float32 in the tank block', async () => {
    const level = sourceOf('TK-102', 'LEVEL');
    const temp = sourceOf('TK-102', 'TEMP');
    const press = sourceOf('TK-102', 'PRESS');
    expect([level.address, temp.address, press.address]).toEqual([10, 11, 12]);
    expect(level).toMatchObject({ area: 'holding', dataType: 'int16', scale: 0.1, unitId: 1 });
    expect(press).toMatchObject({ dataType: 'float32', wordOrder: 'big' });

    const regs = await readAgreeing(
      async () => (await client.readHoldingRegisters(level.address, 4)).buffer,
      () => sim.model.values('TK-102'),
      (buf, values) => Math.abs(buf.readInt16BE(0) * 0.1 - (values.LEVEL as number)) < 0.051,
    );
    const values = sim.model.values('TK-102');
    expect(regs.readInt16BE(0) * level.scale).toBeCloseTo(values.LEVEL as number, 1);
    expect(regs.readInt16BE(2) * temp.scale).toBeCloseTo(values.TEMP as number, 0);
    const pressure = regs.readFloatBE(4);
    expect(pressure).toBeGreaterThan(0);
    expect(pressure).toBeLessThan(20);
  });

  it('writes the feed valve coil and reads it back, the tank leaving automatic control', async () => {
    const valve = sourceOf('TK-201', 'FEED_VALVE');
    const auto = sourceOf('TK-201', 'AUTO');
    expect(valve.area).toBe('coil');
    await client.writeCoil(valve.address, false);
    const coils = await client.readCoils(valve.address, 2);
    expect(coils.data.slice(0, 2)).toEqual([false, false]);
    expect(auto.address).toBe(valve.address + 1);
    expect(sim.model.values('TK-201').FEED_VALVE).toBe(false);
    await client.writeCoil(valve.address, true);
    expect((await client.readCoils(valve.address, 1)).data[0]).toBe(true);
  });

  it('writes a fill setpoint register and reads it back scaled', async () => {
    const sp = sourceOf('TK-103', 'FILL_STOP_SP');
    await client.writeRegister(sp.address, 755);
    expect(sim.model.values('TK-103').FILL_STOP_SP).toBe(75.5);
    expect((await client.readHoldingRegisters(sp.address, 1)).data[0]).toBe(755);
    await client.writeRegisters(sp.address, [700, 250]);
    expect(sim.model.values('TK-103')).toMatchObject({ FILL_STOP_SP: 70, FILL_START_SP: 25 });
  });

  it('answers read-only writes, unknown addresses and lost links with Modbus exceptions', async () => {
    const level = sourceOf('TK-101', 'LEVEL');
    await expect(client.writeRegister(level.address, 100)).rejects.toMatchObject({ modbusCode: 2 });
    await expect(client.readHoldingRegisters(5000, 2)).rejects.toMatchObject({ modbusCode: 2 });
    await expect(
      client.writeRegister(sourceOf('TK-101', 'FILL_STOP_SP').address, 1200),
    ).rejects.toMatchObject({
      modbusCode: 3,
    });
    sim.injectFault('TK-101', 'link-loss');
    await expect(client.readHoldingRegisters(level.address, 1)).rejects.toMatchObject({ modbusCode: 11 });
    // The other tanks still answer.
    await client.readHoldingRegisters(sourceOf('TK-202', 'LEVEL').address, 1);
    sim.clearFault('TK-101');
    await client.readHoldingRegisters(level.address, 1);
  });

  it('keeps serving frozen values while the sensors are stuck, as the process moves on elsewhere', async () => {
    const stuck = sourceOf('TK-203', 'PRESS');
    const live = sourceOf('TK-202', 'PRESS');
    sim.injectFault('TK-203', 'sensor-stuck');
    const stuckReads: number[] = [];
    const liveReads: number[] = [];
    // Barrier: read until the live tank has moved on twice, then the stuck one must not have moved.
    for (let i = 0; i < 100 && new Set(liveReads).size < 3; i++) {
      stuckReads.push((await client.readHoldingRegisters(stuck.address, 2)).buffer.readFloatBE(0));
      liveReads.push((await client.readHoldingRegisters(live.address, 2)).buffer.readFloatBE(0));
      await sleep(20);
    }
    expect(new Set(liveReads).size).toBe(3);
    expect(new Set(stuckReads).size).toBe(1);
    sim.clearFault('TK-203');
  });
});
