import { constants, crc32, deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * The lossless block codec of the historian: the rows of one tag over one block of time
 * (an hour, up to a day) to one compact `bytea`, and back, bit for bit.
 *
 * Block, format 1 (all integers little-endian):
 *   u8 version = 1 · u32 count · u8 flags (bit 0: body is raw-deflated) · u32 payload length
 *   · body · u32 CRC-32 of everything before it.
 * Payload, in order (varint = unsigned LEB128; zz = zigzag; "zero-run" = a zz varint per value,
 * where a 0 is followed by a varint of (run length − 1) of equal values):
 *   1. time: u8 mode; mode 0: f64 first µs, varint unit (the GCD of the deltas, e.g. 1000 for
 *      whole ms), varint first delta / unit, zero-run delta-of-deltas / unit;
 *      mode 1 (a delta beyond 2^51 µs): f64 per row.
 *   2. row kinds (bit 0 number present, bit 1 text present): runs of u8 kind + varint length.
 *   3. quality: runs of varint quality + varint length.
 *   4. numbers of the rows that have one: u8 mode;
 *      mode 0 (every value exactly integer / 10^k, k ≤ 9, but for at most one in eight): u8 k,
 *      varint step (GCD of the integer deltas), varint exception count, per exception varint
 *      index gap + f64, zero-run deltas / step (0 at an exception);
 *      mode 2 (every value a widened float32, none NaN): zero-run deltas of the 32-bit patterns
 *      (wrapped to int32);
 *      mode 1: byte-aligned XOR with the previous value's bits (Gorilla-like): one u8 per value
 *      (leading zero bytes << 4 | trailing zero bytes), then all the middle bytes.
 *   5. texts of the rows that have one: varint dictionary size, entries (varint byte length × 2
 *      + 1 if UTF-16LE else UTF-8, bytes), runs of varint entry + varint length.
 */

/** The values of one tag over one block of time, in time order, one entry per stored row. */
export interface BlockColumns {
  /** Source time in whole microseconds since the epoch (what timestamptz keeps), strictly increasing. */
  us: number[];
  /** Numeric value (numbers, booleans as 0/1, numeric states), or null. Any float64 incl. -0, NaN, ±Infinity, subnormals, kept bit for bit. */
  num: (number | null)[];
  /** Text value (string tags, text states) or null. Any JS string incl. '' and non-BMP characters. */
  txt: (string | null)[];
  /** 0 good, 1 uncertain, 2 bad (int2 in the database; keep any value 0..32767 exactly). */
  quality: number[];
}

const VERSION = 1;
const HEADER = 10;
const TRAILER = 4;
const FLAG_DEFLATED = 1;
/** Far above a day of 100 Hz samples; bounds what a corrupt header could make us allocate. */
const MAX_COUNT = 50_000_000;
const MAX_PAYLOAD = 1 << 30;
/** Deltas and zigzag values stay exact doubles below this; larger ones take the raw path. */
const SAFE_DELTA = 2 ** 51;
const MAX_SCALE = 9;
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
/** Payloads this small gain nothing from deflate (its framing alone costs a few bytes). */
const MIN_DEFLATE = 32;
const DEFLATE = { level: 1, strategy: constants.Z_RLE };

// Float bits are read through typed-array views, whose byte order is the machine's.
const f64 = new Float64Array(1);
const u8of64 = new Uint8Array(f64.buffer);
const u32of64 = new Uint32Array(f64.buffer);
const f32 = new Float32Array(1);
const u32of32 = new Uint32Array(f32.buffer);
f64[0] = 1;
if (u8of64[7] !== 0x3f) throw new Error('the historian block codec needs a little-endian machine');

class CorruptBlock extends Error {
  constructor(what: string) {
    super(`corrupt historian block: ${what}`);
    this.name = 'CorruptBlock';
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

class Writer {
  buf: Uint8Array;
  pos = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(Math.max(64, size));
  }
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }
  /** An unsigned integer below 2^53. */
  varint(v: number): void {
    this.ensure(8);
    const b = this.buf;
    let p = this.pos;
    if (v < 0x10000000) {
      while (v >= 0x80) {
        b[p++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
    } else {
      while (v >= 0x80) {
        b[p++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
    }
    b[p++] = v;
    this.pos = p;
  }
  f64(v: number): void {
    this.ensure(8);
    f64[0] = v;
    this.buf.set(u8of64, this.pos);
    this.pos += 8;
  }
  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }
}

const zigzag = (d: number): number =>
  d >= -0x40000000 && d < 0x40000000 ? ((d << 1) ^ (d >> 31)) >>> 0 : d >= 0 ? d * 2 : -d * 2 - 1;

/** Signed deltas (each |d| < 2^51) as zigzag varints, a run of zeros as 0 + varint(run − 1). */
function writeZeroRun(w: Writer, d: Float64Array, n: number): void {
  let i = 0;
  while (i < n) {
    const v = d[i]!;
    if (v === 0) {
      let j = i + 1;
      while (j < n && d[j] === 0) j++;
      w.u8(0);
      w.varint(j - i - 1);
      i = j;
    } else {
      w.varint(zigzag(v));
      i++;
    }
  }
}

function checkColumns(c: BlockColumns): number {
  const n = c.us.length;
  if (c.num.length !== n || c.txt.length !== n || c.quality.length !== n) {
    throw new Error(
      `historian block: columns differ in length (us ${n}, num ${c.num.length}, txt ${c.txt.length}, quality ${c.quality.length})`,
    );
  }
  if (n > MAX_COUNT) throw new Error(`historian block: ${n} points exceed the limit of ${MAX_COUNT}`);
  return n;
}

/** Greatest common divisor of two positive integers below 2^53. */
function gcd(a: number, b: number): number {
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

function writeTime(w: Writer, us: number[], n: number, scratch: Float64Array): void {
  let prev = 0;
  let prevDelta = 0;
  let exact = true;
  // Sources stamping whole milliseconds or seconds make every delta a multiple of 1000 or 10^6.
  let unit = 0;
  for (let i = 0; i < n; i++) {
    const t = us[i]!;
    if (!Number.isSafeInteger(t)) throw new Error(`historian block: time ${t} at row ${i} is not a whole µs`);
    if (i > 0) {
      if (!(t > prev)) throw new Error(`historian block: time not strictly increasing at row ${i}`);
      const delta = t - prev;
      const dod = delta - prevDelta;
      if (!(delta < SAFE_DELTA && dod > -SAFE_DELTA && dod < SAFE_DELTA)) exact = false;
      if (unit !== 1 && (unit === 0 || delta % unit !== 0)) unit = gcd(delta, unit);
      if (i > 1) scratch[i - 2] = dod;
      prevDelta = delta;
    }
    prev = t;
  }
  if (!exact) {
    w.u8(1);
    for (let i = 0; i < n; i++) w.f64(us[i]!);
    return;
  }
  w.u8(0);
  if (n > 0) w.f64(us[0]!);
  if (n > 1) {
    w.varint(unit);
    w.varint((us[1]! - us[0]!) / unit);
  }
  if (n > 2) {
    if (unit !== 1) for (let i = 0; i < n - 2; i++) scratch[i] = scratch[i]! / unit;
    writeZeroRun(w, scratch, n - 2);
  }
}

/** Row kinds (bit 0 number, bit 1 text) and qualities as runs; returns how many numbers and texts. */
function writeKindsAndQuality(w: Writer, c: BlockColumns, n: number): { nums: number; texts: number } {
  let nums = 0;
  let texts = 0;
  let i = 0;
  while (i < n) {
    const kind = kindOf(c, i);
    let j = i + 1;
    while (j < n && kindOf(c, j) === kind) j++;
    w.u8(kind);
    w.varint(j - i);
    if (kind & 1) nums += j - i;
    if (kind & 2) texts += j - i;
    i = j;
  }
  i = 0;
  while (i < n) {
    const q = c.quality[i]!;
    if (!(Number.isInteger(q) && q >= 0 && q <= 32767)) {
      throw new Error(`historian block: quality ${q} at row ${i} is not an integer 0..32767`);
    }
    let j = i + 1;
    while (j < n && c.quality[j] === q) j++;
    w.varint(q);
    w.varint(j - i);
    i = j;
  }
  return { nums, texts };
}

function kindOf(c: BlockColumns, i: number): number {
  const v = c.num[i];
  const t = c.txt[i];
  let kind = 0;
  if (v !== null) {
    if (typeof v !== 'number')
      throw new Error(`historian block: num at row ${i} is neither a number nor null`);
    kind = 1;
  }
  if (t !== null) {
    if (typeof t !== 'string')
      throw new Error(`historian block: txt at row ${i} is neither a string nor null`);
    kind |= 2;
  }
  return kind;
}

/** True if v is exactly (integer / 10^k) as the decoder computes it; -0 never is (the integer is +0). */
function isDecimal(v: number, k: number): boolean {
  const p = POW10[k]!;
  const s = Math.round(v * p) + 0;
  return Math.abs(s) < SAFE_DELTA / 2 && Object.is(s / p, v);
}

/**
 * The smallest k for which the values are exactly (integer / 10^k), but for at most `limit`
 * exceptions (NaN, -0, a stray full-precision value…); -1 if there would be more.
 */
function decimalScale(vals: Float64Array, m: number, limit: number): number {
  let k = 0;
  let misses = 0;
  for (let i = 0; i < m; i++) {
    const v = vals[i]!;
    if (isDecimal(v, k)) continue;
    let j = k + 1;
    while (j <= MAX_SCALE && !isDecimal(v, j)) j++;
    if (j <= MAX_SCALE) k = j;
    else if (++misses > limit) return -1;
  }
  return k;
}

/** Mode 0, if the values are decimal but for a few exceptions; false if they are not. */
function writeDecimals(w: Writer, vals: Float64Array, m: number, d: Float64Array): boolean {
  // Each exception costs ~10 bytes and XOR ~6 per value: beyond one in eight, XOR wins.
  const limit = m >> 3;
  const k = decimalScale(vals, m, limit);
  if (k < 0) return false;
  const p = POW10[k]!;
  const misses: number[] = [];
  let prev = 0;
  // Values quantised in steps (0.5, 0.25, 5 …) make every delta a multiple of one step.
  let step = 0;
  for (let i = 0; i < m; i++) {
    const v = vals[i]!;
    const s = Math.round(v * p) + 0;
    // Verified again at the final k: an exception keeps the previous integer (delta 0).
    if (!(Math.abs(s) < SAFE_DELTA / 2 && Object.is(s / p, v))) {
      if (misses.push(i) > limit) return false;
      d[i] = 0;
      continue;
    }
    const delta = s - prev;
    d[i] = delta;
    if (delta !== 0 && step !== 1 && (step === 0 || delta % step !== 0)) step = gcd(Math.abs(delta), step);
    prev = s;
  }
  if (step === 0) step = 1;
  w.u8(0);
  w.u8(k);
  w.varint(step);
  w.varint(misses.length);
  let last = 0;
  for (const i of misses) {
    w.varint(i - last);
    w.f64(vals[i]!);
    last = i;
  }
  if (step !== 1) for (let i = 0; i < m; i++) d[i] = d[i]! / step;
  writeZeroRun(w, d, m);
  return true;
}

/**
 * Mode 2, if every value is a float32 widened (OPC UA Float, Modbus float registers): zero-run
 * deltas of the 32-bit patterns, wrapped to int32. NaN goes to XOR, as fround may change its bits.
 */
function writeFloat32s(w: Writer, vals: Float64Array, m: number, d: Float64Array): boolean {
  for (let i = 0; i < m; i++) {
    const v = vals[i]!;
    if (Number.isNaN(v) || !Object.is(Math.fround(v), v)) return false;
  }
  let prev = 0;
  for (let i = 0; i < m; i++) {
    f32[0] = vals[i]!;
    const bits = u32of32[0]!;
    d[i] = (bits - prev) | 0;
    prev = bits;
  }
  w.u8(2);
  writeZeroRun(w, d, m);
  return true;
}

function writeNumbers(w: Writer, c: BlockColumns, n: number, m: number, vals: Float64Array, d: Float64Array) {
  let j = 0;
  for (let i = 0; i < n; i++) {
    const v = c.num[i];
    if (v !== null) vals[j++] = v as number;
  }
  if (writeDecimals(w, vals, m, d)) return;
  if (writeFloat32s(w, vals, m, d)) return;
  w.u8(1);
  w.ensure(m * 9);
  const b = w.buf;
  const heads = w.pos;
  let p = heads + m;
  let prevLo = 0;
  let prevHi = 0;
  for (let i = 0; i < m; i++) {
    f64[0] = vals[i]!;
    const lo = u32of64[0]!;
    const hi = u32of64[1]!;
    u32of64[0] = lo ^ prevLo;
    u32of64[1] = hi ^ prevHi;
    prevLo = lo;
    prevHi = hi;
    const xhi = u32of64[1]!;
    const xlo = u32of64[0]!;
    if ((xhi | xlo) === 0) {
      b[heads + i] = 0x80;
      continue;
    }
    const lead = (xhi !== 0 ? Math.clz32(xhi) : 32 + Math.clz32(xlo)) >> 3;
    const trail = (xlo !== 0 ? 31 - Math.clz32(xlo & -xlo) : 63 - Math.clz32(xhi & -xhi)) >> 3;
    b[heads + i] = (lead << 4) | trail;
    for (let x = trail; x < 8 - lead; x++) b[p++] = u8of64[x]!;
  }
  w.pos = p;
}

function hasLoneSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
      else return true;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

function writeTexts(w: Writer, c: BlockColumns, n: number): void {
  const dict = new Map<string, number>();
  const entries: string[] = [];
  const idx = new Uint32Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const t = c.txt[i];
    if (t === null) continue;
    let e = dict.get(t as string);
    if (e === undefined) {
      e = entries.length;
      dict.set(t as string, e);
      entries.push(t as string);
    }
    idx[m++] = e;
  }
  w.varint(entries.length);
  for (const s of entries) {
    // UTF-8 would turn a lone surrogate into U+FFFD; such strings go as UTF-16LE.
    const wide = hasLoneSurrogate(s);
    const bytes = Buffer.from(s, wide ? 'utf16le' : 'utf8');
    w.varint(bytes.length * 2 + (wide ? 1 : 0));
    w.bytes(bytes);
  }
  let i = 0;
  while (i < m) {
    const e = idx[i]!;
    let j = i + 1;
    while (j < m && idx[j] === e) j++;
    w.varint(e);
    w.varint(j - i);
    i = j;
  }
}

export function encodeBlock(c: BlockColumns): Buffer {
  const n = checkColumns(c);
  const w = new Writer(n * 4 + 64);
  w.pos = HEADER;
  const scratch = new Float64Array(n);
  writeTime(w, c.us, n, scratch);
  const { nums, texts } = writeKindsAndQuality(w, c, n);
  if (nums > 0) writeNumbers(w, c, n, nums, new Float64Array(nums), scratch);
  if (texts > 0) writeTexts(w, c, n);
  const payloadLength = w.pos - HEADER;
  if (payloadLength > MAX_PAYLOAD) throw new Error('historian block: payload exceeds 1 GiB');

  let out: Buffer;
  let flags = 0;
  const payload = w.buf.subarray(HEADER, w.pos);
  // Z_RLE: the runs and the skewed bytes are what is left to gain, at several times deflate's default speed.
  const packed = payloadLength >= MIN_DEFLATE ? deflateRawSync(payload, DEFLATE) : null;
  if (packed && packed.length < payloadLength) {
    flags = FLAG_DEFLATED;
    out = Buffer.allocUnsafe(HEADER + packed.length + TRAILER);
    packed.copy(out, HEADER);
  } else {
    out = Buffer.allocUnsafe(HEADER + payloadLength + TRAILER);
    out.set(payload, HEADER);
  }
  out[0] = VERSION;
  out.writeUInt32LE(n, 1);
  out[5] = flags;
  out.writeUInt32LE(payloadLength, 6);
  out.writeUInt32LE(crc32(out.subarray(0, out.length - TRAILER)), out.length - TRAILER);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reading: every read is bounds-checked and every run checked against the count it fills.

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  u8(): number {
    if (this.pos >= this.buf.length) throw new CorruptBlock('payload ends early');
    return this.buf[this.pos++]!;
  }
  varint(): number {
    const b = this.buf;
    let p = this.pos;
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      if (p >= b.length) throw new CorruptBlock('payload ends early');
      const x = b[p++]!;
      v += (x & 0x7f) * mul;
      if (x < 0x80) {
        this.pos = p;
        return v;
      }
      mul *= 0x80;
    }
    throw new CorruptBlock('varint longer than 8 bytes');
  }
  f64(): number {
    if (this.pos + 8 > this.buf.length) throw new CorruptBlock('payload ends early');
    for (let i = 0; i < 8; i++) u8of64[i] = this.buf[this.pos + i]!;
    this.pos += 8;
    return f64[0]!;
  }
  /** The run length after a value: at least 1, at most `left`. */
  run(left: number): number {
    const r = this.varint();
    if (r < 1 || r > left) throw new CorruptBlock(`run of ${r} where ${left} values remain`);
    return r;
  }
  /** The length of a zero run, stored as (length − 1): at least 1, at most `left`. */
  zeroRun(left: number): number {
    const r = this.varint() + 1;
    if (r > left) throw new CorruptBlock(`run of ${r} where ${left} values remain`);
    return r;
  }
}

const unzigzag = (z: number): number =>
  z < 0x80000000 ? (z >>> 1) ^ -(z & 1) : z % 2 === 0 ? z / 2 : -(z + 1) / 2;

/** Reads m zero-run deltas into out[0..m) as their running sum. */
function readZeroRun(r: Reader, out: Float64Array, m: number): void {
  let acc = 0;
  let i = 0;
  while (i < m) {
    const z = r.varint();
    if (z === 0) {
      for (const end = i + r.zeroRun(m - i); i < end; i++) out[i] = acc;
    } else {
      acc += unzigzag(z);
      out[i++] = acc;
    }
  }
}

/** Reads m zero-run delta-of-deltas (in `unit` µs) into out[0..m) as times after `start`, whose delta was `delta`. */
function readZeroRunDod(r: Reader, out: Float64Array, m: number, start: number, delta: number, unit: number) {
  let acc = start;
  let step = delta;
  let i = 0;
  while (i < m) {
    const z = r.varint();
    if (z === 0) {
      const inc = step * unit;
      for (const end = i + r.zeroRun(m - i); i < end; i++) {
        acc += inc;
        out[i] = acc;
      }
    } else {
      step += unzigzag(z);
      acc += step * unit;
      out[i++] = acc;
    }
  }
}

function readTime(r: Reader, n: number): number[] {
  const us = new Array<number>(n);
  const mode = r.u8();
  if (mode === 1) {
    for (let i = 0; i < n; i++) us[i] = r.f64();
  } else if (mode === 0) {
    if (n > 0) us[0] = r.f64();
    let unit = 1;
    if (n > 1) {
      unit = r.varint();
      if (unit < 1) throw new CorruptBlock('time unit 0');
      us[1] = us[0]! + r.varint() * unit;
    }
    if (n > 2) {
      const t = new Float64Array(n - 2);
      readZeroRunDod(r, t, n - 2, us[1]!, (us[1]! - us[0]!) / unit, unit);
      for (let i = 2; i < n; i++) us[i] = t[i - 2]!;
    }
  } else throw new CorruptBlock(`unknown time mode ${mode}`);
  for (let i = 1; i < n; i++) {
    if (!(us[i]! > us[i - 1]!) || !Number.isSafeInteger(us[i])) throw new CorruptBlock('times out of order');
  }
  if (n > 0 && !Number.isSafeInteger(us[0])) throw new CorruptBlock('time is not a whole µs');
  return us;
}

function readNumbers(r: Reader, m: number): Float64Array {
  const vals = new Float64Array(m);
  const mode = r.u8();
  if (mode === 0) {
    const k = r.u8();
    if (k > MAX_SCALE) throw new CorruptBlock(`decimal scale ${k}`);
    const step = r.varint();
    if (step < 1) throw new CorruptBlock('decimal step 0');
    const count = r.varint();
    if (count > m) throw new CorruptBlock(`${count} exceptions among ${m} values`);
    const at = new Uint32Array(count);
    const raw = new Float64Array(count);
    for (let x = 0, last = 0; x < count; x++) {
      last += r.varint();
      if (last >= m || (x > 0 && last === at[x - 1])) throw new CorruptBlock(`exception at ${last}`);
      at[x] = last;
      raw[x] = r.f64();
    }
    readZeroRun(r, vals, m);
    const p = POW10[k]!;
    for (let i = 0; i < m; i++) vals[i] = (vals[i]! * step) / p;
    for (let x = 0; x < count; x++) vals[at[x]!] = raw[x]!;
    return vals;
  }
  if (mode === 2) {
    readZeroRun(r, vals, m);
    for (let i = 0; i < m; i++) {
      // The running sum is the pattern modulo 2^32 (exact: it stays far below 2^53).
      u32of32[0] = vals[i]! >>> 0;
      vals[i] = f32[0]!;
    }
    return vals;
  }
  if (mode !== 1) throw new CorruptBlock(`unknown number mode ${mode}`);
  const b = r.buf;
  const heads = r.pos;
  if (heads + m > b.length) throw new CorruptBlock('payload ends early');
  let p = heads + m;
  let prevLo = 0;
  let prevHi = 0;
  for (let i = 0; i < m; i++) {
    const h = b[heads + i]!;
    const lead = h >> 4;
    const trail = h & 15;
    if (lead + trail > 8 || (lead === 8 && trail !== 0)) throw new CorruptBlock(`XOR header ${h}`);
    const end = 8 - lead;
    if (p + end - trail > b.length) throw new CorruptBlock('payload ends early');
    u32of64[0] = 0;
    u32of64[1] = 0;
    for (let x = trail; x < end; x++) u8of64[x] = b[p++]!;
    prevLo = (prevLo ^ u32of64[0]!) >>> 0;
    prevHi = (prevHi ^ u32of64[1]!) >>> 0;
    u32of64[0] = prevLo;
    u32of64[1] = prevHi;
    vals[i] = f64[0]!;
  }
  r.pos = p;
  return vals;
}

function readTexts(r: Reader, m: number): string[] {
  const size = r.varint();
  if (size < 1 || size > m) throw new CorruptBlock(`text dictionary of ${size} for ${m} texts`);
  const entries = new Array<string>(size);
  const b = r.buf;
  for (let e = 0; e < size; e++) {
    const h = r.varint();
    const len = Math.floor(h / 2);
    if (r.pos + len > b.length) throw new CorruptBlock('payload ends early');
    const bytes = Buffer.from(b.buffer, b.byteOffset + r.pos, len);
    entries[e] = bytes.toString(h % 2 === 1 ? 'utf16le' : 'utf8');
    r.pos += len;
  }
  const out = new Array<string>(m);
  let i = 0;
  while (i < m) {
    const e = r.varint();
    if (e >= size) throw new CorruptBlock(`text entry ${e} of ${size}`);
    const s = entries[e]!;
    for (const end = i + r.run(m - i); i < end; i++) out[i] = s;
  }
  return out;
}

/** PGlite hands bytea over as a plain Uint8Array, node-postgres as a Buffer: take both. */
const asBuffer = (b: Uint8Array): Buffer =>
  Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);

function openPayload(block: Uint8Array): { n: number; payload: Uint8Array } {
  const b = asBuffer(block);
  const n = blockCount(b);
  if (crc32(b.subarray(0, b.length - TRAILER)) !== b.readUInt32LE(b.length - TRAILER)) {
    throw new CorruptBlock('checksum mismatch');
  }
  const flags = b[5]!;
  const length = b.readUInt32LE(6);
  if (flags & ~FLAG_DEFLATED) throw new CorruptBlock(`unknown flags ${flags}`);
  if (length > MAX_PAYLOAD) throw new CorruptBlock(`payload length ${length}`);
  const body = b.subarray(HEADER, b.length - TRAILER);
  let payload: Uint8Array = body;
  if (flags & FLAG_DEFLATED) {
    try {
      payload = inflateRawSync(body, { maxOutputLength: Math.max(1, length) });
    } catch (err) {
      throw new CorruptBlock(`deflated body does not inflate (${(err as Error).message})`);
    }
  }
  if (payload.length !== length)
    throw new CorruptBlock(`payload of ${payload.length} bytes, header says ${length}`);
  return { n, payload };
}

export function decodeBlock(b: Buffer | Uint8Array): BlockColumns {
  const { n, payload } = openPayload(b);
  const r = new Reader(payload);
  const us = readTime(r, n);

  const kinds = new Uint8Array(n);
  let nums = 0;
  let texts = 0;
  for (let i = 0; i < n; ) {
    const kind = r.u8();
    if (kind > 3) throw new CorruptBlock(`row kind ${kind}`);
    const run = r.run(n - i);
    kinds.fill(kind, i, i + run);
    if (kind & 1) nums += run;
    if (kind & 2) texts += run;
    i += run;
  }
  const quality = new Array<number>(n);
  for (let i = 0; i < n; ) {
    const q = r.varint();
    if (q > 32767) throw new CorruptBlock(`quality ${q}`);
    for (const end = i + r.run(n - i); i < end; i++) quality[i] = q;
  }
  const vals = nums > 0 ? readNumbers(r, nums) : null;
  const strs = texts > 0 ? readTexts(r, texts) : null;
  if (r.pos !== payload.length) throw new CorruptBlock(`${payload.length - r.pos} bytes left over`);

  const num = new Array<number | null>(n);
  const txt = new Array<string | null>(n);
  let vi = 0;
  let ti = 0;
  for (let i = 0; i < n; i++) {
    const kind = kinds[i]!;
    num[i] = kind & 1 ? vals![vi++]! : null;
    txt[i] = kind & 2 ? strs![ti++]! : null;
  }
  return { us, num, txt, quality };
}

/** Number of points in an encoded block without decoding the values (header only). */
export function blockCount(block: Buffer | Uint8Array): number {
  const b = asBuffer(block);
  if (b.length < HEADER + TRAILER) throw new CorruptBlock(`${b.length} bytes are too short for a block`);
  if (b[0] !== VERSION) throw new CorruptBlock(`unknown format version ${b[0]}`);
  const n = b.readUInt32LE(1);
  if (n > MAX_COUNT) throw new CorruptBlock(`count ${n}`);
  return n;
}
