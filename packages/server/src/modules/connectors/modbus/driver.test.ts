import { ServerTCP } from 'modbus-serial';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../clock.js';
import type { BoundTag } from '../../ingest/types.js';
import type { ConnectorDriver } from '../types.js';
import type { ModbusSource } from './codec.js';
import { createModbusDriver } from './driver.js';
import {
  eventually,
  freePort,
  type MemoryDirectory,
  memoryDirectory,
  memorySink,
  silentLog,
} from './testing.js';

const CONNECTOR = 7;

/** A slave with a register map; unit 9 answers slowly, address 200 raises "illegal data address". */
const holding = new Array<number>(1000).fill(0);
const input = new Array<number>(1000).fill(0);
const coils = new Array<boolean>(1000).fill(false);

function illegal(addr: number) {
  if (addr >= 200 && addr < 210) throw { modbusErrorCode: 2, msg: 'illegal data address' };
}
const vector = {
  async getHoldingRegister(addr: number, unitID: number) {
    if (unitID === 9) {
      slowReadStarted?.();
      await new Promise((r) => setTimeout(r, 300));
    }
    illegal(addr);
    return holding[addr] ?? 0;
  },
  getInputRegister(addr: number) {
    illegal(addr);
    return input[addr] ?? 0;
  },
  getCoil(addr: number) {
    illegal(addr);
    return coils[addr] ?? false;
  },
  getDiscreteInput: (addr: number) => coils[addr] ?? false,
  setRegister: (addr: number, value: number) => {
    holding[addr] = value;
  },
  setCoil: (addr: number, value: boolean) => {
    coils[addr] = value;
  },
};

/** Called when unit 9 begins a (slow) read: a poll is then waiting for the device. */
let slowReadStarted: (() => void) | null = null;
let port = 0;
let server: ServerTCP | null = null;

async function startServer() {
  const s = new ServerTCP(vector, { host: '127.0.0.1', port, unitID: 255 });
  await new Promise<void>((resolve, reject) => {
    s.on('initialized', () => resolve());
    s.on('serverError', (err) => reject(err));
  });
  s.on('socketError', () => undefined);
  server = s;
}

async function stopServer() {
  const s = server;
  server = null;
  if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
}

let nextId = 1;
function tag(source: Partial<ModbusSource>, type: BoundTag['type'] = 'number'): BoundTag {
  const id = nextId++;
  return {
    id,
    code: `T${id}`,
    equipmentCode: 'PUMP-1',
    type,
    source: {
      kind: 'modbus',
      connectorId: CONNECTOR,
      unitId: 1,
      area: 'holding',
      address: 0,
      dataType: 'int16',
      scale: 1,
      offset: 0,
      wordOrder: 'big',
      ...source,
    },
  };
}

function writeWords(addr: number, words: number[]) {
  words.forEach((w, i) => {
    holding[addr + i] = w;
  });
}

const drivers: ConnectorDriver[] = [];
function driver(dir: MemoryDirectory, sink = memorySink(), pollIntervalMs = 100) {
  const d = createModbusDriver({
    connectorId: CONNECTOR,
    code: 'PLC-1',
    config: { host: '127.0.0.1', port, pollIntervalMs, timeoutMs: 500 },
    tags: dir,
    sink,
    log: silentLog,
    clock: systemClock,
  });
  drivers.push(d);
  return { d, sink };
}

beforeAll(async () => {
  port = await freePort();
  await startServer();
});
afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.stop()));
});
afterAll(async () => {
  await stopServer();
});

describe('Modbus driver against a real slave', () => {
  it('polls every bound tag, decoded and scaled, with good quality in one batch per cycle', async () => {
    holding[0] = 0xfffb; // -5
    holding[1] = 65000;
    writeWords(2, [0x4148, 0x0000]); // 12.5, big word order
    writeWords(4, [0x0000, 0x4148]); // 12.5, little word order
    writeWords(6, [0xffff, 0xff9c]); // -100 int32 → ×0.5
    input[10] = 650; // ×0.1 − 40 = 25
    coils[3] = true;
    const tags = [
      tag({ address: 0 }),
      tag({ address: 1, dataType: 'uint16' }),
      tag({ address: 2, dataType: 'float32' }),
      tag({ address: 4, dataType: 'float32', wordOrder: 'little' }),
      tag({ address: 6, dataType: 'int32', scale: 0.5 }),
      tag({ area: 'input', address: 10, scale: 0.1, offset: -40 }),
      tag({ area: 'coil', address: 3, dataType: 'bool' }, 'boolean'),
      // another connector's tag is not polled
      { ...tag({ address: 0 }), source: { ...tag({}).source, connectorId: CONNECTOR + 1 } as ModbusSource },
    ];
    const { d, sink } = driver(memoryDirectory(tags), memorySink(), 250);
    await d.start();
    await eventually(() => sink.batches.length >= 2, 5000, 'two poll cycles');

    const [batch] = sink.batches;
    expect(batch).toHaveLength(7);
    const values = tags.slice(0, 7).map((t) => sink.last(t.id));
    expect(values.map((p) => p?.value)).toEqual([-5, 65000, 12.5, 12.5, -50, expect.closeTo(25, 9), true]);
    expect(values.every((p) => p?.quality === 'good')).toBe(true);
    expect(sink.of(tags[7]!.id)).toEqual([]);
    expect(d.health().state).toBe('connected');
    // On a loaded test machine a cycle may be skipped; no read may fail.
    expect(d.health().lastError ?? 'skipped').toMatch(/skipped/);
    expect(d.health().points).toBeGreaterThanOrEqual(14);
  });

  it('marks the tags of a failing read bad and counts the error, while other reads stay good', async () => {
    holding[0] = 42;
    const ok = tag({ address: 0 });
    const refused = tag({ address: 205 });
    const { d, sink } = driver(memoryDirectory([ok, refused]));
    await d.start();
    await eventually(() => sink.batches.length >= 1, 5000, 'a poll cycle');

    expect(sink.last(ok.id)).toMatchObject({ value: 42, quality: 'good' });
    expect(sink.last(refused.id)).toMatchObject({ value: null, quality: 'bad' });
    expect(d.health().errors).toBeGreaterThanOrEqual(1);
    expect(d.health().lastError).toMatch(/holding 205.*exception 2/);
    expect(d.health().state).toBe('connected');
  });

  it('skips a cycle rather than overlapping polls when the device is slow, and counts it', async () => {
    const { d, sink } = driver(memoryDirectory([tag({ unitId: 9, address: 0 })]), memorySink(), 100);
    await d.start();
    await eventually(() => sink.batches.length >= 2, 5000, 'two slow poll cycles');
    expect(d.health().errors).toBeGreaterThanOrEqual(1);
    expect(d.health().lastError).toMatch(/skipped/);
    expect(sink.batches[0]![0]).toMatchObject({ quality: 'good' });
  });

  it('picks up a tag added in the directory at the next poll', async () => {
    holding[20] = 7;
    holding[21] = 8;
    const first = tag({ address: 20 });
    const dir = memoryDirectory([first]);
    const { d, sink } = driver(dir);
    await d.start();
    await eventually(() => sink.last(first.id), 5000, 'the first tag');
    const added = tag({ address: 21 });
    dir.set([first, added]);
    await eventually(() => sink.last(added.id), 5000, 'the added tag');
    expect(sink.last(added.id)).toMatchObject({ value: 8, quality: 'good' });
  });

  it('writes a scaled setpoint and confirms it by reading it back', async () => {
    const setpoint = tag({ address: 30, scale: 0.1 });
    const flow = tag({ address: 32, dataType: 'float32', wordOrder: 'little' });
    const valve = tag({ area: 'coil', address: 40, dataType: 'bool' }, 'boolean');
    const { d } = driver(memoryDirectory([setpoint, flow, valve]));
    await d.start();
    await eventually(() => d.health().state === 'connected', 5000, 'connected');

    expect(await d.write(setpoint, 12.3, 2000)).toMatchObject({ confirmed: true });
    expect(holding[30]).toBe(123);
    expect(await d.write(flow, -2.5, 2000)).toMatchObject({ confirmed: true });
    expect([holding[32], holding[33]]).toEqual([0x0000, 0xc020]);
    expect(await d.write(valve, true, 2000)).toMatchObject({ confirmed: true });
    expect(coils[40]).toBe(true);
    expect(await d.write(valve, false, 2000)).toMatchObject({ confirmed: true });
    expect(coils[40]).toBe(false);
  });

  it('refuses a write that does not fit the data type, or goes to a read-only area, without touching the device', async () => {
    holding[50] = 1;
    const small = tag({ address: 50 });
    const scaled = tag({ address: 51, scale: 0.1 });
    const measured = tag({ area: 'input', address: 10 });
    const { d } = driver(memoryDirectory([small, scaled, measured]));
    await d.start();
    await eventually(() => d.health().state === 'connected', 5000, 'connected');

    const tooBig = await d.write(small, 40000, 2000);
    expect(tooBig.confirmed).toBe(false);
    expect(tooBig.detail).toMatch(/refused.*40000.*int16/);
    expect(holding[50]).toBe(1);
    expect(await d.write(scaled, 12.34, 2000)).toMatchObject({
      confirmed: false,
      detail: /not representable/,
    });
    expect(await d.write(measured, 1, 2000)).toMatchObject({
      confirmed: false,
      failed: true,
      detail: /read-only/,
    });
  });

  it('answers a write while disconnected with confirmed=false', async () => {
    const t = tag({ address: 0 });
    const d = createModbusDriver({
      connectorId: CONNECTOR,
      code: 'PLC-X',
      config: { host: '127.0.0.1', port: await freePort(), pollIntervalMs: 100, timeoutMs: 500 },
      tags: memoryDirectory([t]),
      sink: memorySink(),
      log: silentLog,
      clock: systemClock,
    });
    drivers.push(d);
    await d.start();
    expect(await d.write(t, 1, 500)).toMatchObject({ confirmed: false, detail: /not connected/ });
    await eventually(() => d.health().state === 'disconnected', 5000, 'disconnected');
    expect(d.health().lastError).toMatch(/connect to 127.0.0.1/);
  });

  it('marks every tag bad when the slave goes away and resumes after it comes back', async () => {
    holding[60] = 5;
    holding[61] = 6;
    const a = tag({ address: 60 });
    const b = tag({ address: 61 });
    const { d, sink } = driver(memoryDirectory([a, b]));
    await d.start();
    await eventually(() => sink.last(a.id)?.quality === 'good', 5000, 'good values');

    await stopServer();
    await eventually(() => d.health().state === 'disconnected', 5000, 'disconnected');
    await eventually(
      () => sink.last(a.id)?.quality === 'bad' && sink.last(b.id)?.quality === 'bad',
      5000,
      'bad',
    );
    expect(sink.last(a.id)?.value).toBeNull();

    holding[60] = 15;
    await startServer();
    await eventually(() => d.health().state === 'connected', 15_000, 'reconnected');
    await eventually(() => sink.last(a.id)?.value === 15, 5000, 'fresh value');
    expect(sink.last(a.id)?.quality).toBe('good');
    expect(d.health().reconnects).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it('keeps polling when its tags are edited while a poll waits for the device', async () => {
    const slow = tag({ unitId: 9, address: 300 });
    holding[300] = 11;
    holding[301] = 22;
    const dir = memoryDirectory([slow]);
    const { d, sink } = driver(dir, memorySink(), 50);
    for (let edit = 0; edit < 5; edit++) {
      const reading = new Promise<void>((resolve) => {
        slowReadStarted = resolve;
      });
      if (edit === 0) await d.start();
      await reading;
      // The edit lands while the poll awaits unit 9's answer: the poll plan is replanned under it.
      dir.set([{ ...slow, source: { ...(slow.source as ModbusSource), address: 300 + (edit % 2) } }]);
    }
    slowReadStarted = null;
    sink.clear();
    await eventually(() => sink.last(slow.id)?.quality === 'good', 5000, 'values after the edits');
    expect([11, 22]).toContain(sink.last(slow.id)?.value);
    expect(d.health().state).toBe('connected');
    expect(d.health().lastError ?? '').not.toMatch(/poll failed/);
  });

  it('submits nothing after stop()', async () => {
    const t = tag({ address: 0 });
    const { d, sink } = driver(memoryDirectory([t]));
    await d.start();
    await eventually(() => sink.batches.length >= 1, 5000, 'a poll');
    await d.stop();
    const count = sink.batches.length;
    // Barrier: a second driver on the same slave and interval polls three times meanwhile.
    const witness = driver(memoryDirectory([t]));
    await witness.d.start();
    await eventually(() => witness.sink.batches.length >= 3, 5000, 'three polls of the witness');
    expect(sink.batches.length).toBe(count);
    expect(d.health().state).toBe('stopped');
  });
});
