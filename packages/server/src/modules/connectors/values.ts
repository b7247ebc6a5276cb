import type { BoundTag, PointValue } from '../ingest/types.js';

/** Returned by the decoders below when a raw value cannot be a value of the tag. */
export const INVALID: unique symbol = Symbol('invalid');
export type Coerced = Exclude<PointValue, null> | typeof INVALID;

/** Long (protobuf 64-bit integers) and friends: anything with toNumber(). */
function longToNumber(raw: unknown): number | undefined {
  if (
    raw !== null &&
    typeof raw === 'object' &&
    typeof (raw as { toNumber?: unknown }).toNumber === 'function'
  ) {
    return (raw as { toNumber(): number }).toNumber();
  }
  return undefined;
}

/**
 * A raw value from the wire as a value of the tag's type. Numeric text is a number; booleans
 * also come as 0/1 or "true"/"false" (PLC gateways send all three); a state is a number or a
 * label; a string tag takes text, numbers and booleans as text.
 */
export function coerce(type: BoundTag['type'], raw: unknown): Coerced {
  const long = longToNumber(raw);
  const v = long ?? raw;
  switch (type) {
    case 'number':
      if (typeof v === 'number') return Number.isFinite(v) ? v : INVALID;
      if (typeof v === 'string' && v.trim() !== '') {
        const n = Number(v);
        return Number.isFinite(n) ? n : INVALID;
      }
      return INVALID;
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (v === 0 || v === 1) return v === 1;
      if (v === 'true' || v === '1') return true;
      if (v === 'false' || v === '0') return false;
      return INVALID;
    case 'state':
      if (typeof v === 'number') return Number.isFinite(v) ? v : INVALID;
      if (typeof v === 'string' && v.length > 0 && v.length <= 1000) return v;
      return INVALID;
    case 'string':
      if (typeof v === 'string') return v.length <= 1000 ? v : INVALID;
      if (typeof v === 'number' || typeof v === 'boolean') return String(v);
      return INVALID;
  }
}

/** A source timestamp: epoch ms (number, numeric text or 64-bit integer) or ISO 8601 text. */
export function parseTimestamp(raw: unknown): number | typeof INVALID {
  const long = longToNumber(raw);
  const v = long ?? raw;
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.trunc(v) : INVALID;
  if (typeof v === 'string' && v.length > 0) {
    const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
    return Number.isFinite(n) && n >= 0 ? n : INVALID;
  }
  return INVALID;
}

/** Whether a value read back from the equipment is the one commanded (floats within 1 ppm). */
export function sameValue(a: PointValue, b: PointValue): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    return a === b || Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
  }
  return a === b;
}
