import { ALARM_KPI_TARGETS, type KpiVerdict } from '@aegis/shared';

/** Pure arithmetic of the alarm KPIs: the database hands over counts per 10-minute bin and per alarm. */

export const TEN_MIN = 600_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export const round = (x: number, digits = 2) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** acceptable ≤ target < manageable ≤ limit < overloaded. */
export function verdictOf(value: number, limits: { acceptable: number; manageable: number }): KpiVerdict {
  if (value <= limits.acceptable) return 'acceptable';
  if (value <= limits.manageable) return 'manageable';
  return 'overloaded';
}

const ORDER: KpiVerdict[] = ['acceptable', 'manageable', 'overloaded'];
export const worst = (...v: KpiVerdict[]): KpiVerdict =>
  ORDER[Math.max(...v.map((x) => ORDER.indexOf(x)))] ?? 'acceptable';

/** The plant-local calendar day of an instant, e.g. 2026-03-02 in Asia/Shanghai. */
export function dayKeyer(timezone: string) {
  const fmt = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  return (ms: number) => fmt.format(new Date(ms));
}

/** Every 10-minute bin of the period (clock-aligned, the first and last possibly partial) with its count. */
export function fillBins(from: number, to: number, counts: Map<number, number>) {
  const bins: Array<{ start: number; count: number }> = [];
  for (let b = Math.floor(from / TEN_MIN); b * TEN_MIN < to; b++)
    bins.push({ start: b * TEN_MIN, count: counts.get(b) ?? 0 });
  return bins;
}

interface Window {
  start: number;
  count: number;
}
const peakOf = (windows: Window[]) =>
  windows.reduce<Window | null>((best, w) => (w.count > (best?.count ?? 0) ? w : best), null);

function group(bins: Window[], keyOf: (start: number) => string | number) {
  const out = new Map<string | number, Window>();
  for (const b of bins) {
    const k = keyOf(b.start);
    const w = out.get(k);
    if (w) w.count += b.count;
    else out.set(k, { start: b.start, count: b.count });
  }
  return [...out.values()];
}

/** Average and peak activations per operator per 10 min, hour and plant day, with verdicts against EEMUA 191. */
export function rates(bins: Window[], from: number, to: number, operators: number, timezone: string) {
  const total = bins.reduce((s, b) => s + b.count, 0);
  const span = to - from;
  const figure = (windows: Window[], length: number, limits: { acceptable: number; manageable: number }) => {
    const peak = peakOf(windows);
    const average = round(total / (span / length) / operators, 3);
    return {
      average,
      peak: round((peak?.count ?? 0) / operators, 3),
      peakAt: peak ? new Date(peak.start).toISOString() : null,
      verdict: verdictOf(average, limits),
    };
  };
  const day = dayKeyer(timezone);
  const per10Min = figure(bins, TEN_MIN, ALARM_KPI_TARGETS.per10Min);
  const perHour = figure(
    group(bins, (s) => Math.floor(s / HOUR)),
    HOUR,
    ALARM_KPI_TARGETS.perHour,
  );
  const perDay = figure(group(bins, day), DAY, ALARM_KPI_TARGETS.perDay);
  return {
    total,
    rate: { per10Min, perHour, perDay, verdict: worst(per10Min.verdict, perHour.verdict, perDay.verdict) },
  };
}

/** Runs of consecutive 10-minute windows with more than `above` activations per operator. */
export function floodPeriods(bins: Window[], operators: number, above: number, from: number, to: number) {
  const periods: Array<{ start: number; end: number; count: number }> = [];
  let run: { start: number; end: number; count: number } | null = null;
  let windows = 0;
  for (const b of bins) {
    if (b.count > above * operators) {
      windows++;
      const end = Math.min(b.start + TEN_MIN, to);
      if (run && run.end === b.start) {
        run.end = end;
        run.count += b.count;
      } else {
        run = { start: Math.max(b.start, from), end, count: b.count };
        periods.push(run);
      }
    }
  }
  const inFlood = periods.reduce((s, p) => s + (p.end - p.start), 0);
  const percentTime = round((inFlood / (to - from)) * 100, 2);
  const longestMinutes = periods.reduce((m, p) => Math.max(m, (p.end - p.start) / 60_000), 0);
  return {
    windows,
    totalWindows: bins.length,
    percentTime,
    periodCount: periods.length,
    longestMinutes: round(longestMinutes, 1),
    periods,
    verdict: verdictOf(percentTime, { acceptable: ALARM_KPI_TARGETS.floodPercent, manageable: 5 }),
  };
}

/** The chart's bins: 10 minutes up to 7 days, hours up to 62 days, plant days beyond. */
export function series(bins: Window[], from: number, to: number, operators: number, timezone: string) {
  const span = to - from;
  const bin = span <= 7 * DAY ? '10m' : span <= 62 * DAY ? '1h' : '1d';
  const grouped =
    bin === '10m'
      ? bins
      : bin === '1h'
        ? group(bins, (s) => Math.floor(s / HOUR))
        : group(bins, dayKeyer(timezone));
  return {
    bin: bin as '10m' | '1h' | '1d',
    points: grouped.map((w) => ({
      at: new Date(w.start).toISOString(),
      count: w.count,
      perOperator: round(w.count / operators, 3),
    })),
  };
}

/** Activations per priority against 80/15/5 (low/medium/high); critical is judged apart and should stay rare. */
export function priorityMix(counts: Record<'critical' | 'high' | 'medium' | 'low', number>) {
  const total = counts.critical + counts.high + counts.medium + counts.low;
  const nonCritical = total - counts.critical;
  const target = ALARM_KPI_TARGETS.priorityShare;
  const items = (['critical', 'high', 'medium', 'low'] as const).map((priority) => ({
    priority,
    count: counts[priority],
    sharePercent: total ? round((counts[priority] / total) * 100, 1) : 0,
    targetPercent: priority === 'critical' ? null : target[priority],
  }));
  // The largest gap, in percentage points, between a non-critical share and its guideline.
  const gap = nonCritical
    ? Math.max(
        ...(['high', 'medium', 'low'] as const).map((p) =>
          Math.abs((counts[p] / nonCritical) * 100 - target[p]),
        ),
      )
    : 0;
  const criticalShare = total ? (counts.critical / total) * 100 : 0;
  const verdict = worst(
    verdictOf(gap, { acceptable: 10, manageable: 25 }),
    verdictOf(criticalShare, { acceptable: 1, manageable: 5 }),
  );
  return { items, verdict };
}

export const ACK_BUCKETS_S = [10, 30, 60, 300, 600, 1800, 3600] as const;

/**
 * Acknowledge-time buckets from the database's width_bucket index (0 = under the first bound,
 * i = at least bound i-1, under bound i; the last = at least the last bound).
 */
export function ackBuckets(rows: Array<{ bucket: number; n: number }>) {
  return [...ACK_BUCKETS_S, null].map((upToSeconds, i) => ({
    upToSeconds,
    count: rows.filter((r) => r.bucket === i).reduce((s, r) => s + r.n, 0),
  }));
}

/** Rounds up to two significant digits: 0.0432 → 0.044, 3.21 → 3.3, 127 → 130. */
export function niceCeil(x: number) {
  if (!(x > 0)) return 0;
  const step = 10 ** (Math.floor(Math.log10(x)) - 1);
  return round(Math.ceil(round(x / step, 6)) * step, 10);
}

export const DELAY_CANDIDATES_S = [1, 2, 5, 10, 15, 30, 60] as const;

/**
 * The shortest candidate delay that removes at least `share` of the `target` activations
 * (the fleeting ones for an on-delay, the quick returns for an off-delay), with what it removes.
 */
export function chooseDelay(
  removedBy: Array<{ seconds: number; removed: number }>,
  target: number,
  share = 0.8,
): { seconds: number; removed: number } | null {
  if (target <= 0) return null;
  const sorted = [...removedBy].sort((a, b) => a.seconds - b.seconds);
  return sorted.find((c) => c.removed >= target * share) ?? null;
}
