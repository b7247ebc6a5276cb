import { describe, expect, it } from 'vitest';
import {
  betaI,
  binomialPmf,
  binomialTestTwoSided,
  chiSquareEqualRates,
  chiSquareSf,
  clopperPearson,
  gammaP,
  gammaQ,
  logGamma,
  mulberry32,
  poissonMeanInterval,
  poissonRate,
  poissonSample,
  rateRatioTest,
} from './stats.js';

// Reference values: SciPy 1.17 (scipy.stats.binomtest, chi2, scipy.special.gammainc/betainc/gammaln),
// which implement the same definitions as R's binom.test / poisson.test; or closed forms.

describe('special functions', () => {
  it('matches ln Γ, the incomplete gamma and beta functions', () => {
    expect(logGamma(0.3)).toBeCloseTo(1.0957979948180756, 12);
    expect(logGamma(100.5)).toBeCloseTo(361.43554046777757, 9);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(gammaP(2.5, 1.3)).toBeCloseTo(0.23863473215498604, 12);
    expect(gammaQ(30, 60) / 6.876264968732136e-6).toBeCloseTo(1, 9);
    expect(betaI(0.3, 2, 5)).toBeCloseTo(0.579825, 12);
    expect(betaI(0.45, 50, 60)).toBeCloseTo(0.4642352914306031, 10);
  });

  it('gives chi-square tail probabilities', () => {
    // the 5 % critical values of df 1 and 10, and a closed form for df 2: P = exp(−x/2)
    expect(chiSquareSf(3.841458820694124, 1)).toBeCloseTo(0.05, 12);
    expect(chiSquareSf(18.307038053275146, 10)).toBeCloseTo(0.05, 12);
    expect(chiSquareSf(7.3, 2)).toBeCloseTo(Math.exp(-3.65), 14);
    expect(chiSquareSf(50, 3) / 7.989179244951495e-11).toBeCloseTo(1, 8);
    expect(chiSquareSf(0.5, 4)).toBeCloseTo(0.9735009788392561, 12);
  });
});

describe('exact binomial test and interval', () => {
  /** P(X = k) by exact integer arithmetic: C(n, k) p^k (1 − p)^(n − k) with p = a / b. */
  function exactPmf(k: number, n: number, a: number, b: number) {
    let c = 1n;
    for (let i = 0; i < k; i++) c = (c * BigInt(n - i)) / BigInt(i + 1);
    const num = c * BigInt(a) ** BigInt(k) * BigInt(b - a) ** BigInt(n - k);
    return Number(num) / Number(BigInt(b) ** BigInt(n));
  }

  it('computes binomial probabilities exactly on small numbers', () => {
    for (const [n, a, b] of [
      [10, 1, 2],
      [12, 1, 3],
      [17, 3, 7],
    ] as const)
      for (let k = 0; k <= n; k++) expect(binomialPmf(k, n, a / b)).toBeCloseTo(exactPmf(k, n, a, b), 13);
  });

  it('sums the outcomes no more likely than the observed one (two-sided)', () => {
    // enumerated by hand: n = 12, p = 1/3, x = 8
    const n = 12;
    const observed = exactPmf(8, n, 1, 3);
    let expected = 0;
    for (let k = 0; k <= n; k++)
      if (exactPmf(k, n, 1, 3) <= observed * (1 + 1e-7)) expected += exactPmf(k, n, 1, 3);
    expect(binomialTestTwoSided(8, n, 1 / 3)).toBeCloseTo(expected, 13);
    expect(binomialTestTwoSided(9, 10, 0.5)).toBeCloseTo(0.021484375, 14); // 22 / 1024
    expect(binomialTestTwoSided(7, 20, 0.5)).toBeCloseTo(0.26317596435546875, 13);
    expect(binomialTestTwoSided(3, 40, 0.2)).toBeCloseTo(0.04786946338839313, 12);
    expect(binomialTestTwoSided(130, 200, 1 / 3) / 7.189158788348756e-20).toBeCloseTo(1, 6);
    expect(binomialTestTwoSided(5, 10, 0.5)).toBe(1);
  });

  it('gives the Clopper–Pearson interval', () => {
    const ci = clopperPearson(7, 20);
    expect(ci.low).toBeCloseTo(0.1539092047845412, 10);
    expect(ci.high).toBeCloseTo(0.5921885345328283, 10);
    // closed forms at the edges: x = 0 → high = 1 − (α/2)^(1/n); x = n → low = (α/2)^(1/n)
    expect(clopperPearson(0, 10)).toEqual({ low: 0, high: expect.closeTo(0.30849710781876083, 10) });
    expect(clopperPearson(10, 10)).toEqual({ low: expect.closeTo(0.025 ** 0.1, 10), high: 1 });
  });
});

describe('Poisson rates', () => {
  it('gives the exact (Garwood) interval of a count', () => {
    const ten = poissonMeanInterval(10);
    expect(ten.low).toBeCloseTo(4.7953886961324335, 9);
    expect(ten.high).toBeCloseTo(18.39035604201778, 9);
    expect(poissonMeanInterval(0)).toEqual({ low: 0, high: expect.closeTo(-Math.log(0.025), 10) });
  });

  it('scales the rate and its interval to events per 100 h, and has none without exposure', () => {
    const r = poissonRate(10, 200, 100)!;
    expect(r.rate).toBe(5);
    expect(r.low).toBeCloseTo(4.7953886961324335 / 2, 9);
    expect(r.high).toBeCloseTo(18.39035604201778 / 2, 9);
    expect(poissonRate(3, 0, 100)).toBeNull();
  });

  it('tests a rate ratio exactly, conditional on the total (as R poisson.test)', () => {
    const equal = rateRatioTest(40, 100, 20, 100);
    expect(equal.estimate).toBe(2);
    expect(equal.pValue).toBeCloseTo(0.01348929373119186, 12);
    expect(equal.low).toBeCloseTo(1.1419116048090903, 8);
    expect(equal.high!).toBeCloseTo(3.6110691066316147, 8);
    // unequal exposures: 30 events in 50 h against 25 in 120 h
    const unequal = rateRatioTest(30, 50, 25, 120);
    expect(unequal.estimate).toBeCloseTo(30 / 50 / (25 / 120), 12);
    expect(unequal.pValue).toBeCloseTo(0.0001456286425827877, 10);
    expect(unequal.low).toBeCloseTo(1.6373107477746094, 7);
    expect(unequal.high!).toBeCloseTo(5.107021880705056, 7);
  });

  it('leaves the ratio unbounded when the second group has no events', () => {
    const r = rateRatioTest(6, 10, 0, 10);
    expect(r.estimate).toBeNull();
    expect(r.high).toBeNull();
    expect(r.low).toBeGreaterThan(1);
    expect(r.pValue).toBeCloseTo(2 * 0.5 ** 6, 12);
  });

  it('tests k rates with exposure by chi-square', () => {
    // expected counts 20, 20, 40 (exposures 1:1:2, total 80): X² = (10²/20 + 0 + 10²/40) = 7.5, df 2
    const t = chiSquareEqualRates([
      { count: 30, exposure: 100 },
      { count: 20, exposure: 100 },
      { count: 30, exposure: 200 },
    ]);
    expect(t.statistic).toBeCloseTo(7.5, 12);
    expect(t.df).toBe(2);
    expect(t.pValue).toBeCloseTo(Math.exp(-3.75), 12);
    expect(t.minExpected).toBeCloseTo(20, 12);
  });
});

describe('on synthetic data with a known rate ratio (500 seeds each)', () => {
  const SEEDS = 500;
  /** a month of shifts: 30 nights and 30 days of 12 h; the day shift's rate gives `dayMean` events */
  function simulate(seed: number, ratio: number, dayMean: number, nightHours = 360, dayHours = 360) {
    const random = mulberry32(seed);
    const night = poissonSample(((dayMean * ratio) / dayHours) * nightHours, random);
    const day = poissonSample(dayMean, random);
    return rateRatioTest(night, nightHours, day, dayHours);
  }

  it('finds a real difference (night twice the day rate) in at least 90 % of the seeds (about 50 day and 100 night events)', () => {
    let found = 0;
    let covered = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const t = simulate(seed, 2, 50);
      if (t.pValue < 0.05 && t.estimate !== null && t.estimate > 1) found++;
      if (t.low <= 2 && (t.high === null || t.high >= 2)) covered++;
    }
    expect(found / SEEDS).toBeGreaterThanOrEqual(0.9);
    // the 95 % interval holds the true ratio about 95 % of the time
    expect(covered / SEEDS).toBeGreaterThanOrEqual(0.9);
  });

  it('finds no difference where there is none in at most 8 % of the seeds (α = 5 %)', () => {
    let equalShifts = 0;
    let unequalShifts = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      if (simulate(seed, 1, 30).pValue < 0.05) equalShifts++;
      // an 8 h night against a 16 h day at the same rate: more day events, no difference in rate
      if (simulate(seed + 10_000, 1, 40, 240, 480).pValue < 0.05) unequalShifts++;
    }
    expect(equalShifts / SEEDS).toBeLessThanOrEqual(0.08);
    expect(unequalShifts / SEEDS).toBeLessThanOrEqual(0.08);
  });

  it('the chi-square test of four groups detects one group at twice the rate and keeps its level otherwise', () => {
    const exposures = [100, 150, 200, 250];
    let found = 0;
    let falseAlarms = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const random = mulberry32(seed);
      const rate = 0.3;
      const withDouble = exposures.map((e, i) => ({
        exposure: e,
        count: poissonSample(rate * e * (i === 0 ? 2 : 1), random),
      }));
      const equal = exposures.map((e) => ({ exposure: e, count: poissonSample(rate * e, random) }));
      if (chiSquareEqualRates(withDouble).pValue < 0.05) found++;
      if (chiSquareEqualRates(equal).pValue < 0.05) falseAlarms++;
    }
    expect(found / SEEDS).toBeGreaterThanOrEqual(0.9);
    expect(falseAlarms / SEEDS).toBeLessThanOrEqual(0.08);
  });
});
