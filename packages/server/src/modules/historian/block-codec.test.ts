import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../test/random.js';
import { type BlockColumns, blockCount, decodeBlock, encodeBlock } from './block-codec.js';

const T0 = Date.UTC(2026, 2, 29, 0, 0, 0) * 1000;
const HOUR = 3600;

const f64 = new Float64Array(1);
const u8 = new Uint8Array(f64.buffer);
function bitsOf(v: number): string {
  f64[0] = v;
  return Buffer.from(u8).toString('hex');
}
/** A NaN with the given payload bits in the low mantissa word. */
function nanWithPayload(lo: number, negative = false, quiet = true): number {
  const u32 = new Uint32Array(f64.buffer);
  u32[0] = lo;
  u32[1] = (negative ? 0x80000000 : 0) | (quiet ? 0x7ff80000 : 0x7ff00000);
  return f64[0]!;
}

/** Row by row, bit for bit: null is not '' and not 0, -0 is not 0, a NaN keeps its payload. */
function firstDifference(got: BlockColumns, want: BlockColumns): string | null {
  const n = want.us.length;
  for (const col of ['us', 'num', 'txt', 'quality'] as const) {
    if (got[col].length !== n) return `${col} has ${got[col].length} rows, want ${n}`;
  }
  for (let i = 0; i < n; i++) {
    if (got.us[i] !== want.us[i]) return `row ${i}: us ${got.us[i]} vs ${want.us[i]}`;
    const a = got.num[i];
    const b = want.num[i];
    if (b === null ? a !== null : typeof a !== 'number' || !Object.is(a, b) || bitsOf(a) !== bitsOf(b)) {
      return `row ${i}: num ${a} (${typeof a === 'number' ? bitsOf(a) : '-'}) vs ${b} (${b === null ? '-' : bitsOf(b)})`;
    }
    if (got.txt[i] !== want.txt[i])
      return `row ${i}: txt ${JSON.stringify(got.txt[i])} vs ${JSON.stringify(want.txt[i])}`;
    if (got.quality[i] !== want.quality[i])
      return `row ${i}: quality ${got.quality[i]} vs ${want.quality[i]}`;
  }
  return null;
}

function roundTrip(c: BlockColumns): Buffer {
  const b = encodeBlock(c);
  expect(blockCount(b)).toBe(c.us.length);
  expect(firstDifference(decodeBlock(b), c)).toBeNull();
  return b;
}

type Shape =
  | 'walk2'
  | 'walkFloat'
  | 'constant'
  | 'boolean'
  | 'steps'
  | 'textStates'
  | 'mixed'
  | 'integers'
  | 'float32';

/** One tag over one block: a value shape, a time pattern, and now and then nulls and bad quality. */
function block(
  seed: number,
  shape: Shape,
  opts: { points?: number; time?: 'regular' | 'jitter' | 'sub-ms' } = {},
) {
  const r = seededRandom(seed);
  const n = opts.points ?? 1 + Math.floor(r() * 5000);
  const c: BlockColumns = { us: [], num: [], txt: [], quality: [] };
  let t = T0 + Math.floor(r() * 1e12);
  let v = (r() - 0.5) * 10 ** Math.floor(r() * 6);
  let state = 0;
  const gaps = r() < 0.5;
  const states = ['RUN', 'IDLE', '', 'FAULT ⚠', 'Störung 🔥', '停机'];
  for (let i = 0; i < n; i++) {
    c.us.push(t);
    const time = opts.time ?? (['regular', 'jitter', 'sub-ms'] as const)[seed % 3]!;
    if (time === 'regular') t += 1_000_000;
    else if (time === 'jitter') t += 1_000_000 + Math.floor((r() - 0.5) * 40) * 1000;
    else t += 1 + Math.floor(r() * 900);
    if (gaps && r() < 0.01) t += Math.floor(r() * 600e6);

    let num: number | null = null;
    let txt: string | null = null;
    v += (r() - 0.5) * 2;
    if (shape === 'walk2') num = Math.round(v * 100) / 100;
    else if (shape === 'walkFloat') num = v;
    else if (shape === 'float32') num = Math.fround(v);
    else if (shape === 'integers') num = Math.round(v * 1000);
    else if (shape === 'constant') num = 17.25;
    else if (shape === 'boolean') {
      if (r() < 0.02) state = 1 - state;
      num = state;
    } else if (shape === 'steps') {
      if (r() < 0.01) state = Math.round((r() - 0.5) * 200) / 4;
      num = state;
    } else if (shape === 'textStates') {
      if (r() < 0.03) state = Math.floor(r() * states.length);
      txt = states[state]!;
    } else {
      const pick = r();
      if (pick < 0.3) num = Math.round(v * 10) / 10;
      else if (pick < 0.5) num = v;
      else if (pick < 0.7) txt = states[Math.floor(r() * states.length)]!;
      else if (pick < 0.8) {
        num = Math.round(v);
        txt = String(num);
      }
    }
    if (shape !== 'mixed' && r() < 0.01) num = null;
    c.num.push(num);
    c.txt.push(txt);
    c.quality.push(r() < 0.97 ? 0 : [1, 2, 192, 32767][Math.floor(r() * 4)]!);
  }
  return c;
}

const SHAPES: Shape[] = [
  'walk2',
  'walkFloat',
  'constant',
  'boolean',
  'steps',
  'textStates',
  'mixed',
  'integers',
  'float32',
];

describe('historian block codec', () => {
  it('gives back every row bit for bit over many random blocks of every shape', () => {
    for (let seed = 1; seed <= 270; seed++) roundTrip(block(seed, SHAPES[seed % SHAPES.length]!));
  });

  it('keeps an empty block, a single point and two points', () => {
    const empty = roundTrip({ us: [], num: [], txt: [], quality: [] });
    expect(blockCount(empty)).toBe(0);
    roundTrip({ us: [T0], num: [21.5], txt: [null], quality: [0] });
    roundTrip({ us: [T0], num: [null], txt: [null], quality: [2] });
    roundTrip({ us: [T0, T0 + 1], num: [Number.NaN, -0], txt: ['', null], quality: [1, 32767] });
  });

  it('keeps a day of 1 s values in one block', () => {
    const c = block(42, 'walk2', { points: 24 * HOUR, time: 'jitter' });
    const b = roundTrip(c);
    expect(b.length / c.us.length).toBeLessThan(2.5);
  });

  it('keeps special floats bit for bit, also inside a block of decimal values', () => {
    const specials = [
      -0,
      0,
      Number.NaN,
      nanWithPayload(0xdeadbeef),
      nanWithPayload(1, true),
      nanWithPayload(1, false, false),
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.MIN_VALUE,
      -Number.MIN_VALUE,
      2.2250738585072e-308,
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
      2 ** 60,
      0.1 + 0.2,
      1 / 3,
      Number.EPSILON,
    ];
    for (const special of specials) {
      // The special among plain 2-decimal values: the block must not lose it to the decimal path.
      const c = block(7, 'walk2', { points: 50, time: 'regular' });
      c.num[25] = special;
      roundTrip(c);
      roundTrip({ us: [T0, T0 + 1e6], num: [special, special], txt: [null, null], quality: [0, 0] });
    }
    roundTrip({
      us: specials.map((_, i) => T0 + i),
      num: specials,
      txt: specials.map(() => null),
      quality: specials.map(() => 0),
    });
  });

  it('keeps widened float32 values (OPC UA Float, Modbus floats) exactly, special ones too', () => {
    const f32s = [-0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.401298464324817e-45];
    f32s.push(-1.401298464324817e-45, 3.4028234663852886e38, -3.4028234663852886e38, Math.fround(0.1));
    for (const special of f32s) {
      const c = block(8, 'float32', { points: 60, time: 'sub-ms' });
      c.num[30] = special;
      c.num[31] = -Math.fround(123.456);
      roundTrip(c);
    }
  });

  it('keeps decimal values whose scaled integers are large or need many decimals', () => {
    const values = [123456789.123, -0.000001, 1e-9, 12.3456789, 4503599627370.5, 1e15, -1e15 + 0.5];
    for (const v of values) {
      roundTrip({
        us: [T0, T0 + 1, T0 + 2],
        num: [v, v + 1, 0.1],
        txt: [null, null, null],
        quality: [0, 0, 0],
      });
    }
  });

  it('keeps null apart from empty text, and any string including non-BMP and lone surrogates', () => {
    const texts = [
      '',
      'a',
      '😀 emoji',
      '\u{10FFFF}',
      '\uD800',
      'x\uDC00y',
      '\uDBFF\uDFFF',
      'e\u0301',
      'x'.repeat(70000),
    ];
    const c: BlockColumns = { us: [], num: [], txt: [], quality: [] };
    for (let i = 0; i < texts.length * 3; i++) {
      c.us.push(T0 + i * 1000);
      c.txt.push(i % 3 === 2 ? null : texts[i % texts.length]!);
      c.num.push(i % 4 === 0 ? i : null);
      c.quality.push(i % 5);
    }
    roundTrip(c);
  });

  it('keeps times before 1970, at the edges of exact integers, and with huge gaps', () => {
    const edge = Number.MAX_SAFE_INTEGER;
    for (const us of [
      [-edge, -edge + 1, 0, edge - 1, edge],
      [-1_000_000, -1, 0, 1],
      [0, 2 ** 51 + 3, 2 ** 52 + 1],
      [T0, T0 + 1, T0 + 3_600_000_000, T0 + 3_600_000_001],
    ]) {
      roundTrip({ us, num: us.map(() => 1.5), txt: us.map(() => null), quality: us.map(() => 0) });
    }
  });

  it('refuses columns it cannot keep exactly, with a message naming the row', () => {
    const ok = (): BlockColumns => ({ us: [T0, T0 + 1], num: [1, 2], txt: [null, null], quality: [0, 0] });
    const bad: [string, (c: BlockColumns) => void, RegExp][] = [
      ['lengths', (c) => c.num.pop(), /differ in length/],
      ['order', (c) => (c.us[1] = T0), /not strictly increasing at row 1/],
      ['fraction', (c) => (c.us[1] = T0 + 0.5), /not a whole µs/],
      ['unsafe', (c) => (c.us[1] = 2 ** 54), /not a whole µs/],
      ['quality', (c) => (c.quality[1] = 32768), /quality 32768 at row 1/],
      ['quality fraction', (c) => (c.quality[0] = 0.5), /quality 0.5 at row 0/],
      ['num type', (c) => (c.num[1] = '2' as unknown as number), /num at row 1/],
      ['num undefined', (c) => (c.num[1] = undefined as unknown as number), /num at row 1/],
      ['txt type', (c) => (c.txt[0] = 5 as unknown as string), /txt at row 0/],
    ];
    for (const [name, spoil, message] of bad) {
      const c = ok();
      spoil(c);
      expect(() => encodeBlock(c), name).toThrow(message);
    }
  });

  it('throws on every truncation and every flipped bit instead of returning wrong data', () => {
    for (const shape of ['walk2', 'walkFloat', 'mixed'] as const) {
      const b = encodeBlock(block(11, shape, { points: 40, time: 'jitter' }));
      for (let len = 0; len < b.length; len++) {
        expect(() => decodeBlock(b.subarray(0, len)), `${shape} cut at ${len}`).toThrow(
          /corrupt historian block/,
        );
      }
      for (let bit = 0; bit < b.length * 8; bit++) {
        const spoilt = Buffer.from(b);
        spoilt[bit >> 3]! ^= 1 << (bit & 7);
        expect(() => decodeBlock(spoilt), `${shape} bit ${bit}`).toThrow(/corrupt historian block/);
      }
    }
  });

  it('reads a block handed over as a plain Uint8Array (PGlite bytea)', () => {
    const c = block(12, 'mixed', { points: 100 });
    const b = encodeBlock(c);
    const copy = new Uint8Array(b.length + 3).subarray(3);
    copy.set(b);
    expect(blockCount(copy)).toBe(100);
    expect(firstDifference(decodeBlock(copy), c)).toBeNull();
  });

  it('rejects an unknown format version and a block with bytes appended', () => {
    const b = encodeBlock(block(3, 'walk2', { points: 10 }));
    const v2 = Buffer.from(b);
    v2[0] = 2;
    expect(() => decodeBlock(v2)).toThrow(/unknown format version 2/);
    expect(() => blockCount(v2)).toThrow(/unknown format version 2/);
    expect(() => decodeBlock(Buffer.concat([b, Buffer.from([0])]))).toThrow(/corrupt historian block/);
  });

  it('stays in bounds on payloads spoilt behind a valid checksum (damage the checksum cannot see)', () => {
    const r = seededRandom(99);
    for (const shape of SHAPES) {
      const b = encodeBlock(block(5, shape, { points: 300, time: 'sub-ms' }));
      for (let k = 0; k < 150; k++) {
        const spoilt = Buffer.from(b);
        const at = 1 + Math.floor(r() * (b.length - 5));
        spoilt[at] = Math.floor(r() * 256);
        spoilt.writeUInt32LE(crc32(spoilt.subarray(0, spoilt.length - 4)), spoilt.length - 4);
        let got: BlockColumns | null = null;
        try {
          got = decodeBlock(spoilt);
        } catch (err) {
          expect((err as Error).message, `${shape} byte ${at}`).toMatch(/corrupt historian block/);
          continue;
        }
        // Decoded: then it is a well-formed block of the declared size.
        expect(got.us.length).toBe(blockCount(spoilt));
        for (let i = 1; i < got.us.length; i++) expect(got.us[i]! > got.us[i - 1]!).toBe(true);
      }
    }
  });

  describe('size of an hour at 1 s (3600 points)', () => {
    const perPoint = (c: BlockColumns) => encodeBlock(c).length / c.us.length;
    const hour = (seed: number, f: (i: number, r: () => number) => number): BlockColumns => {
      const r = seededRandom(seed);
      const c: BlockColumns = { us: [], num: [], txt: [], quality: [] };
      for (let i = 0; i < HOUR; i++) {
        c.us.push(T0 + i * 1_000_000);
        c.num.push(f(i, r));
        c.txt.push(null);
        c.quality.push(0);
      }
      return c;
    };

    it('a random walk quantised to 2 decimals takes at most 2.5 bytes per point', () => {
      for (const step of [0.1, 1, 10]) {
        let v = 100;
        const c = hour(1, (_, r) => {
          v += (r() - 0.5) * step;
          return Math.round(v * 100) / 100;
        });
        expect(perPoint(c), `step ${step}`).toBeLessThanOrEqual(2.5);
      }
    });

    it('a 2-decimal walk across zero, with its -0 values and a NaN, still takes at most 2.5 bytes per point', () => {
      let v = 0;
      const c = hour(7, (i, r) => {
        v += (r() - 0.5) * 0.05;
        return i === 1000 ? Number.NaN : Math.round(v * 100) / 100;
      });
      expect(c.num.some((x) => Object.is(x, -0))).toBe(true);
      expect(perPoint(c)).toBeLessThanOrEqual(2.5);
      expect(firstDifference(decodeBlock(encodeBlock(c)), c)).toBeNull();
    });

    it('a constant value takes at most 0.1 byte per point', () => {
      expect(perPoint(hour(2, () => 73.4))).toBeLessThanOrEqual(0.1);
    });

    it('a boolean that flips now and then takes at most 0.2 byte per point', () => {
      let on = 0;
      const c = hour(3, (_, r) => {
        if (r() < 0.01) on = 1 - on;
        return on;
      });
      expect(perPoint(c)).toBeLessThanOrEqual(0.2);
    });

    it('a float32 sensor random walk takes at most 3 bytes per point', () => {
      let v = 20;
      const c = hour(8, (_, r) => {
        v += (r() - 0.5) * 0.4;
        return Math.fround(v);
      });
      expect(perPoint(c)).toBeLessThanOrEqual(3);
    });

    it('a full-precision float random walk takes at most 9 bytes per point', () => {
      let v = 100;
      const c = hour(4, (_, r) => {
        v += (r() - 0.5) * 3.7;
        return v;
      });
      expect(perPoint(c)).toBeLessThanOrEqual(9);
    });

    it('regular 1 s times cost almost nothing, millisecond jitter about a byte', () => {
      const c = hour(5, () => 1);
      for (let i = 0; i < HOUR; i++) c.num[i] = null;
      expect(encodeBlock(c).length).toBeLessThan(60);
      const r = seededRandom(6);
      for (let i = 1; i < HOUR; i++) c.us[i] = T0 + i * 1_000_000 + Math.floor(r() * 50) * 1000;
      expect(perPoint(c)).toBeLessThanOrEqual(1.2);
    });
  });
});
