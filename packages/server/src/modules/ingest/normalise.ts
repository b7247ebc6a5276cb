import type { Quality } from '@aegis/shared';
import type { StoredTag } from '../tags/index.js';
import type { PointValue } from './types.js';

/** The earliest source time taken as plausible; older stamps are a device clock that was never set. */
export const EARLIEST_PLAUSIBLE_MS = Date.UTC(2000, 0, 1);
/**
 * Beyond this a source time is not epoch milliseconds at all (microseconds, nanoseconds, 1e20):
 * the point is refused alone, as it cannot even be shown as a date.
 */
export const LATEST_POSSIBLE_MS = Date.UTC(2200, 0, 1);

export type Normalised =
  | { ok: true; value: PointValue; quality: Quality; ts: number; note?: string }
  | { ok: false; reason: string };

/**
 * Makes a value fit its tag's type and decides its quality. A value that is not a number (NaN,
 * Infinity), outside the engineering range, or stamped far in the future is kept as bad
 * quality — never stored as good; a value of the wrong kind altogether is refused.
 */
export function normalise(
  tag: Pick<StoredTag, 'type' | 'engLow' | 'engHigh'>,
  value: unknown,
  ts: number,
  quality: Quality,
  nowMs: number,
  futureToleranceMs: number,
): Normalised {
  let q = quality;
  let at = ts;
  let note: string | undefined;
  if (typeof at !== 'number' || !Number.isFinite(at))
    return { ok: false, reason: `source time ${describe(at)} is not a number of epoch milliseconds` };
  if (at < 0 || at > LATEST_POSSIBLE_MS)
    return {
      ok: false,
      reason: `source time ${at} is not a time in epoch milliseconds (microseconds or nanoseconds?)`,
    };
  if (at > nowMs + futureToleranceMs) {
    note = `source time ${new Date(at).toISOString()} is in the future; stored at arrival time as bad`;
    at = nowMs;
    q = 'bad';
  } else if (at < EARLIEST_PLAUSIBLE_MS) {
    note = 'source time before 2000; stored at arrival time as bad';
    at = nowMs;
    q = 'bad';
  }
  if (value === null || value === undefined) {
    return { ok: true, value: null, quality: q === 'good' ? 'bad' : q, ts: at, note };
  }
  switch (tag.type) {
    case 'number': {
      let n: number;
      if (typeof value === 'number') n = value;
      else if (typeof value === 'boolean') n = value ? 1 : 0;
      else if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)))
        n = Number(value);
      // JSON has no NaN or Infinity: gateways send them as text; kept as bad quality like the number.
      else if (typeof value === 'string' && NOT_A_VALUE.test(value))
        return { ok: true, value: null, quality: 'bad', ts: at, note: `${value.trim()} is not a value` };
      else return { ok: false, reason: `expected a number, got ${describe(value)}` };
      if (!Number.isFinite(n))
        return { ok: true, value: null, quality: 'bad', ts: at, note: `${n} is not a value` };
      if ((tag.engLow !== null && n < tag.engLow) || (tag.engHigh !== null && n > tag.engHigh)) {
        return { ok: true, value: n, quality: 'bad', ts: at, note: `${n} is outside the engineering range` };
      }
      return { ok: true, value: n, quality: q, ts: at, note };
    }
    case 'boolean': {
      if (typeof value === 'boolean') return { ok: true, value, quality: q, ts: at, note };
      if (value === 0 || value === 1) return { ok: true, value: value === 1, quality: q, ts: at, note };
      if (typeof value === 'string' && /^(true|false|0|1)$/i.test(value.trim())) {
        return { ok: true, value: /^(true|1)$/i.test(value.trim()), quality: q, ts: at, note };
      }
      return { ok: false, reason: `expected true/false, got ${describe(value)}` };
    }
    case 'state': {
      if (typeof value === 'number' && Number.isFinite(value))
        return { ok: true, value, quality: q, ts: at, note };
      if (typeof value === 'string' && value.length <= 200)
        return { ok: true, value, quality: q, ts: at, note };
      if (typeof value === 'boolean') return { ok: true, value: value ? 1 : 0, quality: q, ts: at, note };
      return { ok: false, reason: `expected a state number or name, got ${describe(value)}` };
    }
    case 'string': {
      if (typeof value === 'string')
        return { ok: true, value: value.slice(0, 1000), quality: q, ts: at, note };
      if (typeof value === 'number' || typeof value === 'boolean') {
        return { ok: true, value: String(value), quality: q, ts: at, note };
      }
      return { ok: false, reason: `expected text, got ${describe(value)}` };
    }
  }
}

const NOT_A_VALUE = /^\s*[+-]?(nan|inf|infinity)\s*$/i;

function describe(v: unknown) {
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  return String(v);
}
