// The statistics of the shift analysis, pure and without dependencies: exact Poisson rate
// confidence intervals, the exact conditional test of two Poisson rates (given the total, the
// count of group 1 is binomial), and the chi-square test of equal rates for k groups.
// Special functions follow Numerical Recipes (Lanczos log-gamma, series and continued fractions
// for the regularized incomplete gamma and beta functions).

const EPS = 1e-15;
const TINY = 1e-300;

const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; relative error about 1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = 0.99999999999980993;
  const t = z + 7.5;
  for (let i = 0; i < LANCZOS.length; i++) a += LANCZOS[i]! / (z + i + 1);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The regularized lower incomplete gamma function P(a, x). */
export function gammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  if (x < a + 1) return gammaSeries(a, x);
  return 1 - gammaContinuedFraction(a, x);
}

/** The regularized upper incomplete gamma function Q(a, x) = 1 − P(a, x), accurate in the far tail. */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  if (x < a + 1) return 1 - gammaSeries(a, x);
  return gammaContinuedFraction(a, x);
}

function gammaSeries(a: number, x: number) {
  let ap = a;
  let sum = 1 / a;
  let del = sum;
  for (let n = 0; n < 10_000; n++) {
    ap += 1;
    del *= x / ap;
    sum += del;
    if (Math.abs(del) < Math.abs(sum) * EPS) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
}

function gammaContinuedFraction(a: number, x: number) {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

/** The regularized incomplete beta function I_x(a, b). */
export function betaI(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  // the continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

function betaContinuedFraction(x: number, a: number, b: number) {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/** The x in [lo, hi] where the increasing function f reaches `target` (bisection to machine precision). */
function solveIncreasing(f: (x: number) => number, target: number, lo: number, hi: number) {
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (f(mid) < target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The q-quantile of the Beta(a, b) distribution. */
export function betaQuantile(q: number, a: number, b: number): number {
  if (q <= 0) return 0;
  if (q >= 1) return 1;
  return solveIncreasing((x) => betaI(x, a, b), q, 0, 1);
}

/** The q-quantile of the Gamma(shape a, scale 1) distribution. */
export function gammaQuantile(q: number, a: number): number {
  if (q <= 0) return 0;
  let hi = Math.max(1, a);
  while (gammaP(a, hi) < q) hi *= 2;
  return solveIncreasing((x) => gammaP(a, x), q, 0, hi);
}

/** The upper tail P(X² ≥ x) of the chi-square distribution with df degrees of freedom. */
export const chiSquareSf = (x: number, df: number) => gammaQ(df / 2, x / 2);

/** The binomial probability P(X = k) for X ~ Bin(n, p), through logs (n may be large). */
export function binomialPmf(k: number, n: number, p: number): number {
  if (k < 0 || k > n) return 0;
  if (p === 0) return k === 0 ? 1 : 0;
  if (p === 1) return k === n ? 1 : 0;
  return Math.exp(
    logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p),
  );
}

/**
 * The exact two-sided binomial test of H0: p = p0 (as R's binom.test): the probability of all
 * outcomes no more likely than the observed one (with a relative tolerance of 1e-7 for ties).
 */
export function binomialTestTwoSided(x: number, n: number, p0: number): number {
  if (n === 0) return 1;
  const observed = binomialPmf(x, n, p0);
  const limit = observed * (1 + 1e-7);
  let p = 0;
  for (let k = 0; k <= n; k++) {
    const d = binomialPmf(k, n, p0);
    if (d <= limit) p += d;
  }
  return Math.min(1, p);
}

/** The exact (Clopper–Pearson) confidence interval of a binomial proportion x / n. */
export function clopperPearson(x: number, n: number, level = 0.95) {
  const a = (1 - level) / 2;
  return {
    low: x === 0 ? 0 : betaQuantile(a, x, n - x + 1),
    high: x === n ? 1 : betaQuantile(1 - a, x + 1, n - x),
  };
}

/** The exact (Garwood) confidence interval of a Poisson mean, given the count x. */
export function poissonMeanInterval(x: number, level = 0.95) {
  const a = (1 - level) / 2;
  return { low: x === 0 ? 0 : gammaQuantile(a, x), high: gammaQuantile(1 - a, x + 1) };
}

/** A rate per `per` units of exposure with its exact 95 % interval; null without exposure. */
export function poissonRate(count: number, exposure: number, per = 1, level = 0.95) {
  if (!(exposure > 0)) return null;
  const ci = poissonMeanInterval(count, level);
  return { rate: (count / exposure) * per, low: (ci.low / exposure) * per, high: (ci.high / exposure) * per };
}

export interface RateRatioTest {
  /** (x1 / e1) / (x2 / e2); null when x2 = 0 (infinite) or both are 0 */
  estimate: number | null;
  low: number;
  /** null: unbounded (x2 = 0) */
  high: number | null;
  pValue: number;
}

/**
 * The exact conditional test of two Poisson rates (as R's poisson.test): given n = x1 + x2, x1 is
 * Bin(n, p) with p = r·e1 / (r·e1 + e2), r the rate ratio; H0 r = 1. The interval is Clopper–Pearson
 * for p, transformed: r = p / (1 − p) · e2 / e1.
 */
export function rateRatioTest(x1: number, e1: number, x2: number, e2: number, level = 0.95): RateRatioTest {
  if (!(e1 > 0 && e2 > 0)) throw new RangeError('exposures must be positive');
  const n = x1 + x2;
  const pValue = binomialTestTwoSided(x1, n, e1 / (e1 + e2));
  const odds = (p: number) => (p / (1 - p)) * (e2 / e1);
  if (n === 0) return { estimate: null, low: 0, high: null, pValue };
  const ci = clopperPearson(x1, n, level);
  return {
    estimate: x2 === 0 ? null : x1 / e1 / (x2 / e2),
    low: odds(ci.low),
    high: ci.high >= 1 ? null : odds(ci.high),
    pValue,
  };
}

export interface ChiSquareTest {
  statistic: number;
  df: number;
  pValue: number;
  minExpected: number;
}

/**
 * Pearson's chi-square test that k Poisson rates are equal: under H0 the expected count of group i
 * is N · e_i / Σe (N the total); X² = Σ (O − E)² / E on k − 1 degrees of freedom.
 */
export function chiSquareEqualRates(groups: readonly { count: number; exposure: number }[]): ChiSquareTest {
  const total = groups.reduce((s, g) => s + g.count, 0);
  const exposure = groups.reduce((s, g) => s + g.exposure, 0);
  if (groups.length < 2 || !(exposure > 0)) throw new RangeError('needs two groups with exposure');
  let statistic = 0;
  let minExpected = Number.POSITIVE_INFINITY;
  for (const g of groups) {
    const expected = (total * g.exposure) / exposure;
    minExpected = Math.min(minExpected, expected);
    if (expected > 0) statistic += (g.count - expected) ** 2 / expected;
  }
  const df = groups.length - 1;
  return { statistic, df, pValue: total === 0 ? 1 : chiSquareSf(statistic, df), minExpected };
}

/** A seeded pseudo-random generator (mulberry32) for reproducible simulations. */
export function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A Poisson-distributed count with mean `mean` (Knuth for small means, a normal approximation beyond 500). */
export function poissonSample(mean: number, random: () => number): number {
  if (mean > 500) {
    const u = Math.max(random(), 1e-12);
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
  }
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}
