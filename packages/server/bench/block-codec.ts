/**
 * Micro-bench of the historian block codec: bytes per point and encode/decode speed per data shape
 * (100 blocks × 3600 points at 1 s). Prints one JSON line; speeds are points per CPU-second (million). Run: npx tsx packages/server/bench/block-codec.ts
 */
import { type BlockColumns, decodeBlock, encodeBlock } from '../src/modules/historian/block-codec.js';
import { seededRandom } from '../src/test/random.js';

const POINTS = 3600;
const BLOCKS = 100;
const ROUNDS = Number(process.env.ROUNDS ?? 8);
const T0 = Date.UTC(2026, 0, 1) * 1000;

function block(shape: string, seed: number): BlockColumns {
  const r = seededRandom(seed);
  const us: number[] = [];
  const num: (number | null)[] = [];
  const txt: (string | null)[] = [];
  const quality: number[] = [];
  let v = 50 + r() * 10;
  let on = 0;
  for (let i = 0; i < POINTS; i++) {
    let t = T0 + seed * 3_600_000_000 + i * 1_000_000;
    if (shape === 'jittered-ms') t += Math.floor(r() * 20) * 1000;
    us.push(t);
    quality.push(0);
    txt.push(null);
    if (shape === 'walk-2-decimals' || shape === 'jittered-ms') {
      v += (r() - 0.5) * 0.4;
      num.push(Math.round(v * 100) / 100);
    } else if (shape === 'constant') num.push(42.5);
    else if (shape === 'boolean-flips') {
      if (r() < 0.01) on = 1 - on;
      num.push(on);
    } else if (shape === 'walk-float') {
      v += (r() - 0.5) * 0.4;
      num.push(v);
    } else if (shape === 'float32-sensor') {
      v += (r() - 0.5) * 0.4;
      num.push(Math.fround(v));
    } else if (shape === 'text-states') {
      if (r() < 0.01) on = (on + 1) % 4;
      num[i] = null;
      txt[i] = ['RUN', 'IDLE', 'FAULT', 'SETUP'][on]!;
    }
  }
  return { us, num, txt, quality };
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const SHAPES = [
  'walk-2-decimals',
  'constant',
  'boolean-flips',
  'walk-float',
  'float32-sensor',
  'text-states',
  'jittered-ms',
];
const result: Record<string, { bytesPerPoint: number; encodeMpps: number; decodeMpps: number }> = {};
for (const shape of SHAPES) {
  const blocks = Array.from({ length: BLOCKS }, (_, i) => block(shape, i + 1));
  let encoded: Buffer[] = [];
  // The best of several rounds in CPU time: the machine is shared (wall time would measure the
  // neighbours), and the first rounds warm the JIT. The codec runs on this one thread only.
  let encodeMs = Number.POSITIVE_INFINITY;
  let decodeMs = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    const e0 = cpuMs();
    encoded = blocks.map(encodeBlock);
    const e1 = cpuMs();
    for (const b of encoded) decodeBlock(b);
    const d1 = cpuMs();
    encodeMs = Math.min(encodeMs, e1 - e0);
    decodeMs = Math.min(decodeMs, d1 - e1);
  }
  const bytes = encoded.reduce((sum, b) => sum + b.length, 0);
  const points = BLOCKS * POINTS;
  result[shape] = {
    bytesPerPoint: Number((bytes / points).toFixed(3)),
    encodeMpps: Number((points / encodeMs / 1000).toFixed(2)),
    decodeMpps: Number((points / decodeMs / 1000).toFixed(2)),
  };
}
console.log(
  JSON.stringify({ bench: 'historian-block-codec', blocks: BLOCKS, pointsPerBlock: POINTS, shapes: result }),
);
