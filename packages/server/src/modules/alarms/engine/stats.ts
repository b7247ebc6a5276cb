import type { RunningStats, WesternElectricRule } from './types.js';

export const emptyStats = (): RunningStats => ({ n: 0, mean: 0, m2: 0 });

/** Welford's update: numerically stable, and the state stays three numbers. */
export function addToStats(s: RunningStats, x: number): RunningStats {
  const n = s.n + 1;
  const delta = x - s.mean;
  const mean = s.mean + delta / n;
  return { n, mean, m2: s.m2 + delta * (x - mean) };
}

/** Sample standard deviation (n − 1); 0 until there are two values. */
export const stdDev = (s: RunningStats): number => (s.n < 2 ? 0 : Math.sqrt(s.m2 / (s.n - 1)));

export const ewmaStep = (previous: number, x: number, lambda: number): number =>
  lambda * x + (1 - lambda) * previous;

/**
 * Sigma of the EWMA statistic after `i` updates, as a multiple of the process sigma.
 * The exact (time-varying) form keeps the first points from alarming on a narrow start.
 */
export const ewmaSigmaFactor = (lambda: number, i: number): number =>
  Math.sqrt((lambda / (2 - lambda)) * (1 - (1 - lambda) ** (2 * i)));

/** Points kept for the Western Electric rules. */
export const spcWindowSize = (runLength: number): number => Math.max(5, runLength);

/**
 * Whether the newest z-score (last in `zs`) completes a pattern of Western Electric rule `rule`:
 * 1 one point beyond 3σ; 2 two of three beyond 2σ on one side; 3 four of five beyond 1σ on one
 * side; 4 `runLength` in a row on one side of the mean. The newest point must be part of the
 * pattern, so the condition clears as soon as the process behaves again.
 */
export function violatesWesternElectric(zs: number[], rule: WesternElectricRule, runLength = 8): boolean {
  const last = zs.at(-1);
  if (last === undefined || last === 0) return false;
  const side = Math.sign(last);
  const beyond = (window: number, sigmas: number) =>
    zs.slice(-window).filter((z) => z * side > sigmas).length;
  switch (rule) {
    case 1:
      return Math.abs(last) > 3;
    case 2:
      return zs.length >= 3 && last * side > 2 && beyond(3, 2) >= 2;
    case 3:
      return zs.length >= 5 && last * side > 1 && beyond(5, 1) >= 4;
    case 4:
      return zs.length >= runLength && beyond(runLength, 0) === runLength;
  }
}
