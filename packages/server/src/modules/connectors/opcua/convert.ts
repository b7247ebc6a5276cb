import type { Quality, TagType } from '@aegis/shared';
import { DataType, type DataValue, type Variant, VariantArrayType } from 'node-opcua';
import type { Point, PointValue } from '../../ingest/types.js';

/** OPC UA status severity is in the two top bits: 00 good, 01 uncertain, 10/11 bad. */
export function qualityOf(statusCode: number): Quality {
  const severity = (statusCode >>> 30) & 0b11;
  return severity === 0 ? 'good' : severity === 1 ? 'uncertain' : 'bad';
}

/** Source timestamp, else server timestamp, else arrival; OPC UA's "no time" (year 1601, or null) does not count. */
export function timestampOf(
  dv: { sourceTimestamp?: Date | null; serverTimestamp?: Date | null },
  arrivalMs: number,
): number {
  for (const d of [dv.sourceTimestamp, dv.serverTimestamp]) {
    const ms = d?.getTime();
    if (ms !== undefined && Number.isFinite(ms) && ms > 0) return ms;
  }
  return arrivalMs;
}

type Converted = { ok: true; value: PointValue } | { ok: false; reason: string };

/** Int64 and UInt64 travel as [high, low] 32-bit words. */
function int64ToNumber(v: unknown, signed: boolean): number {
  if (typeof v === 'number') return v;
  const [high, low] = v as [number, number];
  const big = (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
  return Number(signed ? BigInt.asIntN(64, big) : big);
}

/** A scalar OPC UA value as plain JavaScript (number, boolean, string, Date or null). */
function plain(variant: Variant): number | boolean | string | Date | null | undefined {
  const v = variant.value as unknown;
  if (v === null || v === undefined) return null;
  switch (variant.dataType) {
    case DataType.Null:
      return null;
    case DataType.Boolean:
      return Boolean(v);
    case DataType.SByte:
    case DataType.Byte:
    case DataType.Int16:
    case DataType.UInt16:
    case DataType.Int32:
    case DataType.UInt32:
    case DataType.Float:
    case DataType.Double:
      return v as number;
    case DataType.Int64:
      return int64ToNumber(v, true);
    case DataType.UInt64:
      return int64ToNumber(v, false);
    case DataType.String:
    case DataType.XmlElement:
      return String(v);
    case DataType.DateTime:
      return v as Date;
    case DataType.LocalizedText:
      return (v as { text?: string | null }).text ?? null;
    case DataType.QualifiedName:
      return (v as { name?: string | null }).name ?? null;
    case DataType.StatusCode:
      return (v as { value: number }).value;
    case DataType.Guid:
    case DataType.NodeId:
    case DataType.ExpandedNodeId:
      return String(v);
    case DataType.ByteString:
      return Buffer.isBuffer(v) ? v.toString('base64') : null;
    default:
      return undefined;
  }
}

/** Converts an OPC UA value to what a tag of the given type holds. */
export function toTagValue(type: TagType, variant: Variant): Converted {
  if (variant.arrayType !== undefined && variant.arrayType !== VariantArrayType.Scalar) {
    return { ok: false, reason: 'arrays and matrices are not supported' };
  }
  const v = plain(variant);
  if (v === undefined)
    return { ok: false, reason: `data type ${DataType[variant.dataType]} is not supported` };
  if (v === null) return { ok: true, value: null };
  switch (type) {
    case 'number': {
      const n = typeof v === 'boolean' ? (v ? 1 : 0) : v instanceof Date ? v.getTime() : Number(v);
      if (typeof v === 'string' && v.trim() === '')
        return { ok: false, reason: 'empty text is not a number' };
      return Number.isFinite(n)
        ? { ok: true, value: n }
        : { ok: false, reason: `${String(v)} is not a number` };
    }
    case 'boolean': {
      if (typeof v === 'boolean') return { ok: true, value: v };
      if (typeof v === 'number') return { ok: true, value: v !== 0 };
      const s = String(v).trim().toLowerCase();
      if (s === 'true' || s === '1') return { ok: true, value: true };
      if (s === 'false' || s === '0') return { ok: true, value: false };
      return { ok: false, reason: `${String(v)} is not a boolean` };
    }
    case 'state':
      // A state is an enumeration, carried as its number or as its text.
      if (typeof v === 'boolean') return { ok: true, value: v ? 1 : 0 };
      if (v instanceof Date) return { ok: false, reason: 'a date is not a state' };
      return { ok: true, value: v };
    case 'string':
      return { ok: true, value: v instanceof Date ? v.toISOString() : String(v) };
  }
}

/**
 * One monitored-item notification as a point. A bad status carries no value; a value that does
 * not fit the tag becomes a bad point, with the reason to count as a decode error.
 */
export function toPoint(
  tag: { id: number; type: TagType },
  dv: DataValue,
  arrivalMs: number,
): { point: Point; error?: string } {
  const ts = timestampOf(dv, arrivalMs);
  const quality = qualityOf(dv.statusCode.value);
  if (quality === 'bad') return { point: { tagId: tag.id, ts, value: null, quality } };
  const converted = toTagValue(tag.type, dv.value);
  if (!converted.ok)
    return { point: { tagId: tag.id, ts, value: null, quality: 'bad' }, error: converted.reason };
  // A Good status with no value is not a usable value.
  if (converted.value === null) return { point: { tagId: tag.id, ts, value: null, quality: 'bad' } };
  return { point: { tagId: tag.id, ts, value: converted.value, quality } };
}

const INTEGER_RANGES: Partial<Record<DataType, [number, number]>> = {
  [DataType.SByte]: [-128, 127],
  [DataType.Byte]: [0, 255],
  [DataType.Int16]: [-32768, 32767],
  [DataType.UInt16]: [0, 65535],
  [DataType.Int32]: [-2147483648, 2147483647],
  [DataType.UInt32]: [0, 4294967295],
  [DataType.Int64]: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  [DataType.UInt64]: [0, Number.MAX_SAFE_INTEGER],
};
const FLOAT_MAX = 3.4028234663852886e38;

export type WriteValue = { ok: true; value: unknown } | { ok: false; detail: string };

function asNumber(value: number | boolean | string): number | null {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  return value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : null;
}

/** The Variant value to write for a node of `dataType`, or why the value does not fit. */
export function toWriteValue(dataType: DataType, value: number | boolean | string): WriteValue {
  const name = DataType[dataType] ?? `DataType ${dataType}`;
  switch (dataType) {
    case DataType.Boolean: {
      if (typeof value === 'boolean') return { ok: true, value };
      const n = asNumber(value);
      const s = String(value).trim().toLowerCase();
      if (n === 0 || n === 1) return { ok: true, value: n === 1 };
      if (s === 'true' || s === 'false') return { ok: true, value: s === 'true' };
      return { ok: false, detail: `${JSON.stringify(value)} is not a Boolean` };
    }
    case DataType.Float:
    case DataType.Double: {
      const n = asNumber(value);
      if (n === null || !Number.isFinite(n))
        return { ok: false, detail: `${JSON.stringify(value)} is not a number` };
      if (dataType === DataType.Float && Math.abs(n) > FLOAT_MAX) {
        return { ok: false, detail: `${n} is outside the Float range` };
      }
      return { ok: true, value: n };
    }
    case DataType.String:
      return { ok: true, value: String(value) };
    case DataType.LocalizedText:
      return { ok: true, value: { text: String(value) } };
    default: {
      const range = INTEGER_RANGES[dataType];
      if (!range) return { ok: false, detail: `writing to a node of data type ${name} is not supported` };
      const n = asNumber(value);
      if (n === null || !Number.isInteger(n))
        return { ok: false, detail: `${JSON.stringify(value)} is not an integer (${name})` };
      if (n < range[0] || n > range[1])
        return { ok: false, detail: `${n} is outside ${name} (${range[0]}…${range[1]})` };
      if (dataType === DataType.Int64 || dataType === DataType.UInt64) {
        const big = BigInt.asUintN(64, BigInt(n));
        return { ok: true, value: [Number(big >> 32n), Number(big & 0xffffffffn)] };
      }
      return { ok: true, value: n };
    }
  }
}

/** Whether a read-back value is the one written (Float compares at float precision). */
export function sameValue(dataType: DataType, written: unknown, readBack: unknown): boolean {
  switch (dataType) {
    case DataType.Float:
      return typeof readBack === 'number' && Math.fround(written as number) === Math.fround(readBack);
    case DataType.Int64:
    case DataType.UInt64:
      return (
        int64ToNumber(written, dataType === DataType.Int64) ===
        int64ToNumber(readBack, dataType === DataType.Int64)
      );
    case DataType.LocalizedText:
      return (written as { text: string }).text === (readBack as { text?: string } | null)?.text;
    default:
      return written === readBack;
  }
}
