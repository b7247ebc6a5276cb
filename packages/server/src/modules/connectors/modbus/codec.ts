import type { TagSource } from '@aegis/shared';
import type { BoundTag, PointValue } from '../../ingest/types.js';

export type ModbusSource = Extract<TagSource, { kind: 'modbus' }>;
export type ModbusDataType = ModbusSource['dataType'];
export type ModbusArea = ModbusSource['area'];

/** Coils and discrete inputs are single bits; everything else is 16-bit registers. */
export function isBitArea(area: ModbusArea) {
  return area === 'coil' || area === 'discrete';
}

/** How many registers (or bits, in a bit area) one value occupies. */
export function valueWidth(area: ModbusArea, dataType: ModbusDataType) {
  if (isBitArea(area)) return 1;
  return dataType === 'int32' || dataType === 'uint32' || dataType === 'float32' ? 2 : 1;
}

/** The 16-bit words of a 32-bit value, high word first when wordOrder is big. */
function join32(words: readonly number[], wordOrder: 'big' | 'little') {
  const [a = 0, b = 0] = words;
  const buf = Buffer.alloc(4);
  buf.writeUInt16BE(wordOrder === 'big' ? a : b, 0);
  buf.writeUInt16BE(wordOrder === 'big' ? b : a, 2);
  return buf;
}

/** Decodes the raw (unscaled) value from the registers of one tag. */
export function decodeRegisters(
  words: readonly number[],
  dataType: ModbusDataType,
  wordOrder: 'big' | 'little',
): number | boolean {
  const w0 = (words[0] ?? 0) & 0xffff;
  switch (dataType) {
    case 'bool':
      return w0 !== 0;
    case 'int16':
      return (w0 << 16) >> 16;
    case 'uint16':
      return w0;
    case 'int32':
      return join32(words, wordOrder).readInt32BE(0);
    case 'uint32':
      return join32(words, wordOrder).readUInt32BE(0);
    case 'float32':
      return join32(words, wordOrder).readFloatBE(0);
  }
}

const RANGES: Record<Exclude<ModbusDataType, 'bool' | 'float32'>, [number, number]> = {
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};
const FLOAT32_MAX = 3.4028234663852886e38;

export type Encoded = { ok: true; words: number[] } | { ok: false; detail: string };

/** Encodes a raw (unscaled) value into registers, refusing what the data type cannot hold. */
export function encodeRegisters(raw: number, dataType: ModbusDataType, wordOrder: 'big' | 'little'): Encoded {
  if (!Number.isFinite(raw)) return { ok: false, detail: `${raw} is not a finite number` };
  if (dataType === 'bool') {
    if (raw !== 0 && raw !== 1) return { ok: false, detail: `${raw} is not 0 or 1 (bool register)` };
    return { ok: true, words: [raw] };
  }
  const buf = Buffer.alloc(4);
  if (dataType === 'float32') {
    if (Math.abs(raw) > FLOAT32_MAX) return { ok: false, detail: `${raw} is outside the float32 range` };
    buf.writeFloatBE(raw, 0);
  } else {
    const [min, max] = RANGES[dataType];
    if (!Number.isInteger(raw)) return { ok: false, detail: `${raw} is not an integer (${dataType})` };
    if (raw < min || raw > max) return { ok: false, detail: `${raw} is outside ${dataType} (${min}…${max})` };
    if (dataType === 'int16' || dataType === 'uint16') return { ok: true, words: [raw & 0xffff] };
    if (dataType === 'int32') buf.writeInt32BE(raw, 0);
    else buf.writeUInt32BE(raw, 0);
  }
  const hi = buf.readUInt16BE(0);
  const lo = buf.readUInt16BE(2);
  return { ok: true, words: wordOrder === 'big' ? [hi, lo] : [lo, hi] };
}

/** Engineering value = raw × scale + offset; booleans are not scaled. */
export function toEngineering(raw: number | boolean, scale: number, offset: number): number | boolean {
  return typeof raw === 'boolean' ? raw : raw * scale + offset;
}

/** A decoded raw value as the tag's type wants it. */
export function toTagValue(tag: BoundTag, raw: number | boolean): PointValue {
  const source = tag.source as ModbusSource;
  switch (tag.type) {
    case 'boolean':
      return typeof raw === 'boolean' ? raw : raw !== 0;
    case 'string':
      return String(toEngineering(raw, source.scale, source.offset));
    default: {
      const eng = toEngineering(raw, source.scale, source.offset);
      return typeof eng === 'boolean' ? (eng ? 1 : 0) : eng;
    }
  }
}

export type RawForWrite = { ok: true; raw: number | boolean } | { ok: false; detail: string };

/**
 * The raw value to write for an engineering value: (value − offset) / scale, snapped to an
 * integer when it is within rounding noise of one, so 12.3 with scale 0.1 writes 123.
 */
export function toRaw(source: ModbusSource, value: number | boolean | string): RawForWrite {
  if (isBitArea(source.area)) {
    if (typeof value === 'boolean') return { ok: true, raw: value };
    const n = typeof value === 'number' ? value : Number(value);
    if (n === 0 || n === 1) return { ok: true, raw: n === 1 };
    return { ok: false, detail: `${JSON.stringify(value)} is not a boolean (coil)` };
  }
  let eng: number;
  if (typeof value === 'boolean') eng = value ? 1 : 0;
  else if (typeof value === 'number') eng = value;
  else if (value.trim() !== '' && Number.isFinite(Number(value))) eng = Number(value);
  else return { ok: false, detail: `${JSON.stringify(value)} is not a number` };
  if (source.dataType === 'bool' || typeof value === 'boolean') {
    return eng === 0 || eng === 1 ? { ok: true, raw: eng } : { ok: false, detail: `${eng} is not 0 or 1` };
  }
  if (source.scale === 0)
    return { ok: false, detail: 'the tag scale is 0, so no raw value gives this value' };
  let raw = (eng - source.offset) / source.scale;
  if (source.dataType !== 'float32') {
    const rounded = Math.round(raw);
    if (Math.abs(raw - rounded) > 1e-6 * Math.max(1, Math.abs(raw))) {
      return {
        ok: false,
        detail: `${eng} is not representable in ${source.dataType} with scale ${source.scale} and offset ${source.offset} (raw ${raw})`,
      };
    }
    raw = rounded;
  }
  return { ok: true, raw };
}
