/**
 * The lossless block codec of the historian: the rows of one tag over one block of time
 * (an hour, up to a day) to one compact `bytea`, and back, bit for bit.
 * (Provisional body: the API is final, the format is not yet; nothing is stored with it.)
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

const PROVISIONAL = 0;

export function encodeBlock(c: BlockColumns): Buffer {
  const n = c.us.length;
  if (c.num.length !== n || c.txt.length !== n || c.quality.length !== n) {
    throw new Error('block columns differ in length');
  }
  const f = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    f[i] = c.us[i]!;
    f[n + i] = c.num[i] ?? 0;
  }
  const meta = JSON.stringify({ nn: c.num.map((v) => v === null), txt: c.txt, q: c.quality });
  const head = Buffer.alloc(5);
  head[0] = PROVISIONAL;
  head.writeUInt32LE(n, 1);
  return Buffer.concat([head, Buffer.from(f.buffer), Buffer.from(meta, 'utf16le')]);
}

export function decodeBlock(b: Buffer): BlockColumns {
  const n = blockCount(b);
  const f = new Float64Array(b.buffer.slice(b.byteOffset + 5, b.byteOffset + 5 + n * 16));
  const meta = JSON.parse(b.subarray(5 + n * 16).toString('utf16le')) as {
    nn: boolean[];
    txt: (string | null)[];
    q: number[];
  };
  const us: number[] = [];
  const num: (number | null)[] = [];
  for (let i = 0; i < n; i++) {
    us.push(f[i]!);
    num.push(meta.nn[i] ? null : f[n + i]!);
  }
  return { us, num, txt: meta.txt, quality: meta.q };
}

/** Number of points in an encoded block without decoding the values (header only). */
export function blockCount(b: Buffer): number {
  if (b.length < 5 || b[0] !== PROVISIONAL) throw new Error('not a historian block');
  return b.readUInt32LE(1);
}
