import { describe, expect, it } from 'vitest';
import { nextLevel, rawLevel } from './levels.js';

const t = { warnPercent: 15, alarmPercent: 8, refusePercent: 2 };

/** The levels a disk passes through when its free space takes these values in turn. */
function walk(frees: number[]) {
  let level: ReturnType<typeof nextLevel> | null = null;
  return frees.map((f) => {
    level = nextLevel(level, f, t);
    return level;
  });
}

describe('disk levels', () => {
  it('names the level by free space: ok, warning below 15 %, alarm below 8 %, full below 2 %', () => {
    expect([40, 15, 14.9, 8, 7.9, 2, 1.9, 0].map((f) => rawLevel(f, t))).toEqual([
      'ok',
      'ok',
      'warning',
      'warning',
      'alarm',
      'alarm',
      'full',
      'full',
    ]);
  });

  it('gets worse at once, also by several levels in one step', () => {
    expect(walk([50, 1])).toEqual(['ok', 'full']);
    expect(walk([50, 14, 7, 1.5])).toEqual(['ok', 'warning', 'alarm', 'full']);
  });

  it('does not flap around a threshold: a level is left only 1 point above it', () => {
    // Free space hovering around 8 % while values are written and old partitions dropped.
    expect(walk([8.2, 7.9, 8.1, 7.95, 8.9, 9.0])).toEqual([
      'warning',
      'alarm',
      'alarm',
      'alarm',
      'alarm',
      'warning',
    ]);
    expect(walk([1.9, 2.1, 2.9, 3.0])).toEqual(['full', 'full', 'full', 'alarm']);
    expect(walk([14.5, 15.5, 15.9, 16])).toEqual(['warning', 'warning', 'warning', 'ok']);
  });

  it('recovers through every level a large freeing passes (full straight to ok)', () => {
    expect(walk([1, 60])).toEqual(['full', 'ok']);
    expect(walk([1, 8.5])).toEqual(['full', 'alarm']);
  });
});
