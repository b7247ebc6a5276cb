import { type IServiceVector, ServerTCP } from 'modbus-serial';
import { freePort, isAddressInUse } from './connections.js';
import type { PlantModel } from './model.js';
import { MODBUS_BLOCK_SIZE, MODBUS_UNIT_ID, type SimulatedEquipment, type SimulatedTag } from './plant.js';

/**
 * The tank farm PLC as a Modbus TCP slave. Each tank has a block of MODBUS_BLOCK_SIZE
 * addresses: holding registers for level/temperature (int16 ×0.1), vapour pressure (float32,
 * high word first) and the fill setpoints (uint16 ×0.1, writable); coils for the feed valve
 * and automatic mode (writable); a discrete input for the high-high level switch.
 * Writes change the simulated tank, so an interlock can read its write back.
 */
export interface ModbusSlaveOptions {
  model: PlantModel;
  /** The equipment served over Modbus. */
  equipment: SimulatedEquipment[];
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 5020 (502 needs root); 0 picks a free port. */
  port?: number;
  /** Default 1. Requests to unit 0 or 255 (common for TCP devices) are answered too. */
  unitId?: number;
}

export interface ModbusSlaveStats {
  host: string;
  port: number;
  requests: number;
  writes: number;
  /** Requests answered with a Modbus exception (unknown address, read-only, bad value, link lost). */
  exceptions: number;
  lastError: string | null;
}

export interface ModbusSlave {
  port: number;
  stop(): Promise<void>;
  stats(): ModbusSlaveStats;
}

const ILLEGAL_DATA_ADDRESS = 0x02;
const ILLEGAL_DATA_VALUE = 0x03;
const SLAVE_DEVICE_FAILURE = 0x04;
const GATEWAY_TARGET_FAILED = 0x0b;

interface Binding {
  equipment: string;
  tag: SimulatedTag & { source: { kind: 'modbus' } };
  /** Which 16-bit word of the value this address holds. */
  word: number;
}

const wordsOf = (dataType: string) => (dataType.endsWith('32') ? 2 : 1);

/** The 16-bit words of an engineering value as the tag's source describes it. */
export function encodeRegisters(tag: Binding['tag'], value: number): number[] {
  const { dataType, scale, offset, wordOrder } = tag.source;
  const raw = (value - offset) / scale;
  const buf = Buffer.alloc(4);
  switch (dataType) {
    case 'float32':
      buf.writeFloatBE(raw);
      break;
    case 'int32':
      buf.writeInt32BE(clamp(Math.round(raw), -0x80000000, 0x7fffffff));
      break;
    case 'uint32':
      buf.writeUInt32BE(clamp(Math.round(raw), 0, 0xffffffff));
      break;
    case 'int16':
      return [clamp(Math.round(raw), -0x8000, 0x7fff) & 0xffff];
    default:
      return [clamp(Math.round(raw), 0, 0xffff)];
  }
  const words = [buf.readUInt16BE(0), buf.readUInt16BE(2)];
  return wordOrder === 'little' ? words.reverse() : words;
}

/** The engineering value of a tag's words. */
export function decodeRegisters(tag: Binding['tag'], words: number[]): number {
  const { dataType, scale, offset, wordOrder } = tag.source;
  const buf = Buffer.alloc(4);
  const [hi, lo] = wordOrder === 'little' ? [words[1] ?? 0, words[0] ?? 0] : [words[0] ?? 0, words[1] ?? 0];
  buf.writeUInt16BE(hi, 0);
  buf.writeUInt16BE(lo, 2);
  const raw =
    dataType === 'float32'
      ? buf.readFloatBE(0)
      : dataType === 'int32'
        ? buf.readInt32BE(0)
        : dataType === 'uint32'
          ? buf.readUInt32BE(0)
          : dataType === 'int16'
            ? buf.readInt16BE(0)
            : buf.readUInt16BE(0);
  return raw * scale + offset;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

function modbusError(code: number, message: string) {
  return Object.assign(new Error(message), { modbusErrorCode: code });
}

export async function startModbusSlave(opts: ModbusSlaveOptions): Promise<ModbusSlave> {
  const host = opts.host ?? '127.0.0.1';
  const unitId = opts.unitId ?? MODBUS_UNIT_ID;
  const { model } = opts;
  const holding = new Map<number, Binding>();
  const coils = new Map<number, Binding>();
  const discrete = new Map<number, Binding>();
  let span = 0;
  for (const e of opts.equipment) {
    for (const tag of e.tags) {
      if (tag.source.kind !== 'modbus') continue;
      const t = tag as Binding['tag'];
      const table = t.source.area === 'holding' ? holding : t.source.area === 'coil' ? coils : discrete;
      for (let w = 0; w < wordsOf(t.source.dataType); w++)
        table.set(t.source.address + w, { equipment: e.code, tag: t, word: w });
    }
    if (e.modbusBase !== null) span = Math.max(span, e.modbusBase + MODBUS_BLOCK_SIZE);
  }
  const stats: ModbusSlaveStats = { host, port: 0, requests: 0, writes: 0, exceptions: 0, lastError: null };

  const fail = (code: number, message: string) => {
    stats.exceptions++;
    stats.lastError = message;
    return modbusError(code, message);
  };
  const checkUnit = (unit: number) => {
    stats.requests++;
    if (unit !== unitId && unit !== 0 && unit !== 255) throw fail(GATEWAY_TARGET_FAILED, `no unit ${unit}`);
  };
  // Inside the tanks' blocks, unused addresses read as 0 so block reads work, as on a real PLC.
  const lookup = (table: Map<number, Binding>, addr: number): Binding | null => {
    const b = table.get(addr);
    if (b) {
      if (!model.online(b.equipment)) throw fail(GATEWAY_TARGET_FAILED, `${b.equipment} does not answer`);
      return b;
    }
    if (addr < span) return null;
    throw fail(ILLEGAL_DATA_ADDRESS, `no register at ${addr}`);
  };
  const readWord = (addr: number) => {
    const b = lookup(holding, addr);
    if (!b) return 0;
    const v = model.values(b.equipment)[b.tag.code];
    return typeof v === 'number' ? (encodeRegisters(b.tag, v)[b.word] ?? 0) : 0;
  };
  const readBit = (table: Map<number, Binding>, addr: number) => {
    const b = lookup(table, addr);
    return b ? model.values(b.equipment)[b.tag.code] === true : false;
  };
  const write = (b: Binding, value: unknown) => {
    const result = model.write(b.equipment, b.tag.code, value);
    if (!result.ok) {
      const code =
        result.code === 'read-only'
          ? ILLEGAL_DATA_ADDRESS
          : result.code === 'link-loss'
            ? GATEWAY_TARGET_FAILED
            : result.code === 'bad-value' || result.code === 'out-of-range'
              ? ILLEGAL_DATA_VALUE
              : SLAVE_DEVICE_FAILURE;
      throw fail(code, result.message);
    }
    stats.writes++;
  };
  const writeWords = (addr: number, words: number[]) => {
    for (let i = 0; i < words.length; ) {
      const b = lookup(holding, addr + i);
      if (!b) throw fail(ILLEGAL_DATA_ADDRESS, `no register at ${addr + i}`);
      const n = wordsOf(b.tag.source.dataType);
      // A 32-bit value must be written whole, in one request.
      if (b.word !== 0 || i + n > words.length)
        throw fail(ILLEGAL_DATA_VALUE, `${b.tag.code} needs ${n} registers`);
      write(b, decodeRegisters(b.tag, words.slice(i, i + n)));
      i += n;
    }
  };

  const vector: IServiceVector = {
    getHoldingRegister: (addr: number, unit: number) => {
      checkUnit(unit);
      return readWord(addr);
    },
    getMultipleHoldingRegisters: (addr: number, length: number, unit: number) => {
      checkUnit(unit);
      return Array.from({ length }, (_, i) => readWord(addr + i));
    },
    getInputRegister: (addr: number, unit: number) => {
      checkUnit(unit);
      throw fail(ILLEGAL_DATA_ADDRESS, `no input register at ${addr}`);
    },
    getCoil: (addr: number, unit: number) => {
      checkUnit(unit);
      return readBit(coils, addr);
    },
    getDiscreteInput: (addr: number, unit: number) => {
      checkUnit(unit);
      return readBit(discrete, addr);
    },
    setCoil: (addr: number, value: boolean, unit: number) => {
      checkUnit(unit);
      const b = lookup(coils, addr);
      if (!b) throw fail(ILLEGAL_DATA_ADDRESS, `no coil at ${addr}`);
      write(b, value);
    },
    setRegister: (addr: number, value: number, unit: number) => {
      checkUnit(unit);
      writeWords(addr, [value]);
    },
    setRegisterArray: (addr: number, values: number[], unit: number) => {
      checkUnit(unit);
      writeWords(addr, values);
    },
  };

  let server: ServerTCP | null = null;
  let port = opts.port ?? 5020;
  for (let attempt = 0; ; attempt++) {
    if (opts.port === 0) port = await freePort(host);
    try {
      server = await listen(vector, host, port);
      break;
    } catch (err) {
      // Another process took the free port between the probe and the listen: pick again.
      if (opts.port !== 0 || !isAddressInUse(err) || attempt >= 4) throw err;
    }
  }
  const s = server;
  stats.port = port;
  // A client dropping its socket is not our failure; only note it.
  const note = (err: Error | null) => {
    if (err) stats.lastError = err.message;
  };
  s.on('socketError', note);
  s.on('error', note);

  return {
    port,
    stop: () => new Promise<void>((resolve) => s.close(() => resolve())),
    stats: () => ({ ...stats }),
  };
}

function listen(vector: IServiceVector, host: string, port: number): Promise<ServerTCP> {
  return new Promise((resolve, reject) => {
    const server = new ServerTCP(vector, { host, port, unitID: 255 });
    const onError = (err: Error) => {
      server.close(() => {});
      reject(err);
    };
    server.once('serverError', onError);
    server.once('initialized', () => {
      server.removeListener('serverError', onError);
      resolve(server);
    });
  });
}
