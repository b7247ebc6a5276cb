import { describe, expect, it } from 'vitest';
import { createSwingingDoor, type SwingingDoorSettings } from './swinging-door.js';

interface P {
  ts: number;
  v: number;
}

/** Seeded PRNG (mulberry32): the same walk every run, many walks over the seeds. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs the points through a door and flushes at the end: the archived points, in order. */
function compress(points: P[], s: SwingingDoorSettings) {
  const door = createSwingingDoor<P>(s);
  const out: P[] = [];
  for (const p of points) door.offer(p.ts, p.v, p, out);
  door.flush(out);
  return out;
}

/** The largest distance of a raw value from the linear interpolation of the archived points around it. */
function worstError(raw: P[], archived: P[]) {
  let worst = 0;
  let j = 0;
  for (const p of raw) {
    while (j + 1 < archived.length && archived[j + 1]!.ts <= p.ts) j++;
    const a = archived[j]!;
    const b = archived[j + 1];
    const at = a.ts === p.ts || !b ? a.v : a.v + ((b.v - a.v) * (p.ts - a.ts)) / (b.ts - a.ts);
    worst = Math.max(worst, Math.abs(at - p.v) / (1 + 1e-9 * Math.max(1, Math.abs(p.v))));
  }
  return worst;
}

function randomWalk(seed: number, n: number, step = 1, startTs = 0) {
  const r = rng(seed);
  const out: P[] = [];
  let v = (r() - 0.5) * 100;
  let ts = startTs;
  for (let i = 0; i < n; i++) {
    ts += 1 + Math.floor(r() * 3) * 500; // irregular sampling
    v += (r() - 0.5) * 2 * step;
    out.push({ ts, v });
  }
  return out;
}

/** A temperature drifting slowly (a daily swing of ±5 °C) with ±0.01 °C sensor noise, sampled every second. */
function drift(seconds: number, seed = 1) {
  const r = rng(seed);
  const out: P[] = [];
  for (let i = 0; i < seconds; i++) {
    out.push({ ts: i * 1000, v: 60 + 5 * Math.sin((2 * Math.PI * i) / 86_400) + (r() - 0.5) * 0.02 });
  }
  return out;
}

describe('swinging-door compression', () => {
  it('keeps every value of 200 random walks within the deviation of the stored trend, with or without heartbeat', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const raw = randomWalk(seed, 2_000, 1 + (seed % 7));
      const deviation = [0, 0.01, 0.5, 2, 10][seed % 5]!;
      const heartbeatMs = seed % 3 === 0 ? 20_000 : 0;
      const archived = compress(raw, { deviation, deadband: 0, heartbeatMs });
      expect(worstError(raw, archived), `seed ${seed}, deviation ${deviation}`).toBeLessThanOrEqual(
        deviation + 1e-9,
      );
      // The first and last values are always stored.
      expect(archived[0]).toBe(raw[0]);
      expect(archived.at(-1)).toBe(raw.at(-1));
    }
  });

  it('keeps every value within deviation + 2 × deadband when an exception deadband filters first', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const raw = randomWalk(seed, 2_000, 1);
      const deviation = [0.2, 0.5, 1][seed % 3]!;
      const deadband = [0.05, 0.25, 0.5][seed % 3]!;
      const archived = compress(raw, { deviation, deadband, heartbeatMs: seed % 2 ? 20_000 : 0 });
      expect(worstError(raw, archived), `seed ${seed}`).toBeLessThanOrEqual(deviation + 2 * deadband + 1e-9);
    }
  });

  it('stores a slow drift as a handful of points an hour', () => {
    const raw = drift(24 * 3600);
    const archived = compress(raw, { deviation: 0.05, deadband: 0, heartbeatMs: 0 });
    expect(worstError(raw, archived)).toBeLessThanOrEqual(0.05 + 1e-9);
    const perHour = archived.length / 24;
    expect(perHour).toBeLessThan(10);
    expect(archived.length / raw.length).toBeLessThan(0.003);
  });

  it('compresses a random walk less, as expected, and stays within the deviation', () => {
    const raw = randomWalk(42, 20_000, 0.1);
    const archived = compress(raw, { deviation: 0.5, deadband: 0, heartbeatMs: 0 });
    expect(worstError(raw, archived)).toBeLessThanOrEqual(0.5 + 1e-9);
    expect(archived.length).toBeLessThan(raw.length / 3);
  });

  it('stores both corners of a step', () => {
    const raw: P[] = [];
    for (let i = 0; i < 100; i++) raw.push({ ts: i * 1000, v: i < 50 ? 10 : 80 });
    const archived = compress(raw, { deviation: 0.5, deadband: 0, heartbeatMs: 0 });
    expect(archived.map((p) => [p.ts, p.v])).toEqual([
      [0, 10],
      [49_000, 10],
      [50_000, 80],
      [99_000, 80],
    ]);
  });

  it('keeps the corners of a step behind an exception deadband too', () => {
    const raw: P[] = [];
    for (let i = 0; i < 100; i++) raw.push({ ts: i * 1000, v: i < 50 ? 10 : 80 });
    const archived = compress(raw, { deviation: 0.5, deadband: 0.2, heartbeatMs: 0 });
    expect(archived.map((p) => [p.ts, p.v])).toEqual([
      [0, 10],
      [49_000, 10],
      [50_000, 80],
      [99_000, 80],
    ]);
  });

  it('keeps every corner of a ramp-up, plateau and ramp-down', () => {
    const raw: P[] = [];
    for (let i = 0; i <= 300; i++) {
      const v = i < 100 ? i * 0.5 : i < 200 ? 50 : 50 - (i - 200) * 0.25;
      raw.push({ ts: i * 1000, v });
    }
    const archived = compress(raw, { deviation: 0.1, deadband: 0, heartbeatMs: 0 });
    expect(archived.map((p) => p.ts / 1000)).toEqual([0, 100, 200, 300]);
  });

  it('stores a flat value at least once per heartbeat', () => {
    const raw: P[] = [];
    for (let i = 0; i < 3600; i++) raw.push({ ts: i * 1000, v: 7 });
    for (const deadband of [0, 0.5]) {
      // With a deadband that holds back every value, the heartbeat still passes one on.
      const archived = compress(raw, { deviation: 1, deadband, heartbeatMs: 600_000 });
      const gaps = archived.slice(1).map((p, i) => p.ts - archived[i]!.ts);
      expect(Math.max(...gaps)).toBeLessThanOrEqual(600_000);
      // The held value just before each 10 minutes, then the last one (flushed).
      expect(archived.map((p) => p.ts / 1000)).toEqual([0, 599, 1198, 1797, 2396, 2995, 3594, 3599]);
    }
  });

  it('holds the newest point until the next one decides, and flush archives it', () => {
    const door = createSwingingDoor<string>({ deviation: 1, deadband: 0, heartbeatMs: 0 });
    const out: string[] = [];
    door.offer(0, 0, 'a', out);
    expect(out).toEqual(['a']);
    door.offer(1000, 0.1, 'b', out);
    door.offer(2000, 0.2, 'c', out);
    expect(out).toEqual(['a']);
    expect(door.held()).toBe('c');
    const pending: string[] = [];
    door.unarchived(pending);
    expect(pending).toEqual(['c']);
    door.offer(3000, 9, 'd', out);
    expect(out).toEqual(['a', 'c']);
    door.flush(out);
    expect(out).toEqual(['a', 'c', 'd']);
    expect(door.held()).toBeNull();
    door.reset();
    door.offer(4000, 9, 'e', out);
    expect(out.at(-1)).toBe('e');
  });

  it('refuses negative settings', () => {
    expect(() => createSwingingDoor({ deviation: -1, deadband: 0, heartbeatMs: 0 })).toThrow(RangeError);
  });
});
