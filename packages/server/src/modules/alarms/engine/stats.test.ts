import { describe, expect, it } from 'vitest';
import {
  addToStats,
  emptyStats,
  ewmaSigmaFactor,
  ewmaStep,
  stdDev,
  violatesWesternElectric,
} from './stats.js';

describe('running statistics', () => {
  it('estimates mean and sample standard deviation without keeping the samples', () => {
    const s = [2, 4, 4, 4, 5, 5, 7, 9].reduce(addToStats, emptyStats());
    expect(s.n).toBe(8);
    expect(s.mean).toBeCloseTo(5, 12);
    expect(stdDev(s)).toBeCloseTo(Math.sqrt(32 / 7), 12);
  });

  it('reports no spread before two samples', () => {
    expect(stdDev(addToStats(emptyStats(), 3))).toBe(0);
  });
});

describe('EWMA', () => {
  it('weights the newest sample by lambda', () => {
    expect(ewmaStep(10, 20, 0.2)).toBeCloseTo(12, 12);
  });

  it('widens the EWMA sigma from λ to its steady state sqrt(λ/(2−λ))', () => {
    expect(ewmaSigmaFactor(0.2, 1)).toBeCloseTo(0.2, 12);
    expect(ewmaSigmaFactor(0.2, 1000)).toBeCloseTo(Math.sqrt(0.2 / 1.8), 12);
    expect(ewmaSigmaFactor(0.2, 2)).toBeLessThan(ewmaSigmaFactor(0.2, 10));
  });
});

describe('Western Electric rules', () => {
  it('fires rule 1 on one point beyond 3 sigma, either side', () => {
    expect(violatesWesternElectric([0, 3.1], 1)).toBe(true);
    expect(violatesWesternElectric([0, -3.1], 1)).toBe(true);
    expect(violatesWesternElectric([0, 2.9], 1)).toBe(false);
  });

  it('fires rule 2 on two of three points beyond 2 sigma on the same side', () => {
    expect(violatesWesternElectric([2.5, 0.3, 2.1], 2)).toBe(true);
    expect(violatesWesternElectric([-2.5, 0.3, -2.1], 2)).toBe(true);
    expect(violatesWesternElectric([2.5, 0.3, -2.1], 2)).toBe(false);
    expect(violatesWesternElectric([2.5, 2.5, 0.3], 2)).toBe(false); // the newest point is not part of it
  });

  it('fires rule 3 on four of five points beyond 1 sigma on the same side', () => {
    expect(violatesWesternElectric([1.2, 0.5, 1.5, 1.1, 1.3], 3)).toBe(true);
    expect(violatesWesternElectric([1.2, 0.5, 0.5, 1.1, 1.3], 3)).toBe(false);
  });

  it('fires rule 4 on a run of points on one side of the mean, with a configurable length', () => {
    const run = [0.1, 0.4, 0.2, 0.3, 0.5, 0.1, 0.2, 0.3];
    expect(violatesWesternElectric(run, 4, 8)).toBe(true);
    expect(violatesWesternElectric([...run.slice(0, 7), -0.1], 4, 8)).toBe(false);
    expect(violatesWesternElectric(run.slice(0, 6), 4, 6)).toBe(true);
    expect(violatesWesternElectric(run.slice(0, 6), 4, 8)).toBe(false);
  });
});
