import { describe, expect, it } from 'vitest';
import type { BoundTag } from '../../ingest/types.js';
import {
  decodeRegisters,
  encodeRegisters,
  type ModbusSource,
  toRaw,
  toTagValue,
  valueWidth,
} from './codec.js';

function source(over: Partial<ModbusSource> = {}): ModbusSource {
  return {
    kind: 'modbus',
    connectorId: 1,
    unitId: 1,
    area: 'holding',
    address: 0,
    dataType: 'int16',
    scale: 1,
    offset: 0,
    wordOrder: 'big',
    ...over,
  };
}

function tag(type: BoundTag['type'], over: Partial<ModbusSource> = {}): BoundTag {
  return { id: 1, code: 'T', equipmentCode: 'E', type, source: source(over) };
}

describe('decodeRegisters', () => {
  it('reads int16 as signed and uint16 as unsigned', () => {
    expect(decodeRegisters([0xffff], 'int16', 'big')).toBe(-1);
    expect(decodeRegisters([0x8000], 'int16', 'big')).toBe(-32768);
    expect(decodeRegisters([0xffff], 'uint16', 'big')).toBe(65535);
  });

  it('joins 32-bit values high word first for big word order, low word first for little', () => {
    expect(decodeRegisters([0x0001, 0x0002], 'uint32', 'big')).toBe(0x00010002);
    expect(decodeRegisters([0x0002, 0x0001], 'uint32', 'little')).toBe(0x00010002);
    expect(decodeRegisters([0xffff, 0xfffe], 'int32', 'big')).toBe(-2);
    expect(decodeRegisters([0xffff, 0xffff], 'uint32', 'big')).toBe(4294967295);
  });

  it('reads IEEE float32 in either word order', () => {
    // 12.5 = 0x41480000
    expect(decodeRegisters([0x4148, 0x0000], 'float32', 'big')).toBe(12.5);
    expect(decodeRegisters([0x0000, 0x4148], 'float32', 'little')).toBe(12.5);
  });

  it('reads a bool register as true when non-zero', () => {
    expect(decodeRegisters([0], 'bool', 'big')).toBe(false);
    expect(decodeRegisters([7], 'bool', 'big')).toBe(true);
  });
});

describe('encodeRegisters', () => {
  it('round-trips every data type through decode', () => {
    const cases: Array<[ModbusSource['dataType'], number]> = [
      ['int16', -1234],
      ['uint16', 65535],
      ['int32', -100000],
      ['uint32', 3000000000],
      ['float32', -2.5],
    ];
    for (const order of ['big', 'little'] as const) {
      for (const [type, v] of cases) {
        const e = encodeRegisters(v, type, order);
        expect(e.ok).toBe(true);
        if (e.ok) expect(decodeRegisters(e.words, type, order)).toBe(v);
      }
    }
  });

  it('refuses values the data type cannot hold', () => {
    expect(encodeRegisters(32768, 'int16', 'big')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('int16'),
    });
    expect(encodeRegisters(-1, 'uint16', 'big').ok).toBe(false);
    expect(encodeRegisters(1.5, 'int32', 'big').ok).toBe(false);
    expect(encodeRegisters(2 ** 32, 'uint32', 'big').ok).toBe(false);
    expect(encodeRegisters(1e39, 'float32', 'big').ok).toBe(false);
    expect(encodeRegisters(Number.NaN, 'float32', 'big').ok).toBe(false);
    expect(encodeRegisters(2, 'bool', 'big').ok).toBe(false);
  });
});

describe('scaling', () => {
  it('gives engineering value = raw × scale + offset for number tags', () => {
    expect(toTagValue(tag('number', { scale: 0.1, offset: -40 }), 650)).toBeCloseTo(25);
  });

  it('keeps booleans unscaled and turns numbers into booleans for boolean tags', () => {
    expect(toTagValue(tag('boolean', { area: 'coil', scale: 10 }), true)).toBe(true);
    expect(toTagValue(tag('boolean'), 3)).toBe(true);
    expect(toTagValue(tag('number', { area: 'coil' }), true)).toBe(1);
  });

  it('inverts the scaling for writes and snaps rounding noise to the integer', () => {
    expect(toRaw(source({ scale: 0.1 }), 12.3)).toEqual({ ok: true, raw: 123 });
    expect(toRaw(source({ scale: 0.1, offset: -40 }), 25)).toEqual({ ok: true, raw: 650 });
    expect(toRaw(source({ dataType: 'float32', scale: 2 }), 5)).toEqual({ ok: true, raw: 2.5 });
  });

  it('refuses a write that no raw integer represents', () => {
    const r = toRaw(source({ scale: 0.1 }), 12.35);
    expect(r.ok).toBe(false);
    expect(toRaw(source({ scale: 0 }), 1).ok).toBe(false);
    expect(toRaw(source(), 'abc').ok).toBe(false);
  });

  it('accepts only booleans or 0/1 for coils', () => {
    expect(toRaw(source({ area: 'coil' }), true)).toEqual({ ok: true, raw: true });
    expect(toRaw(source({ area: 'coil' }), 0)).toEqual({ ok: true, raw: false });
    expect(toRaw(source({ area: 'coil' }), 2).ok).toBe(false);
  });

  it('knows how wide each value is', () => {
    expect(valueWidth('holding', 'float32')).toBe(2);
    expect(valueWidth('input', 'uint16')).toBe(1);
    expect(valueWidth('coil', 'float32')).toBe(1);
  });
});
