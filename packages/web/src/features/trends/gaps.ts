import type { AlarmPriority, AlarmRuleRecord } from '@aegis/shared';

export type TrendPoint = [number, number | null];

/**
 * The same points with a null between two that lie further apart than `gapMs`, so a line
 * (and the zoom strip's shadow) breaks where no data was stored instead of bridging the gap.
 */
export function withGaps(points: readonly TrendPoint[], gapMs: number): TrendPoint[] {
  const out: TrendPoint[] = [];
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    const prev = points[i - 1];
    if (prev && p[0] - prev[0] > gapMs) out.push([prev[0] + Math.round((p[0] - prev[0]) / 2), null]);
    out.push(p);
  }
  return out;
}

/**
 * How far apart two stored values may be before the line breaks: a bucketed series has one
 * point per bucket; a raw one at least one per storage heartbeat (values are stored on change
 * or at the heartbeat), so more than two heartbeats without a value is a gap. A tag with
 * swinging-door compression stores only the trend's turning points, so the straight line
 * between them is the trend: it breaks only after two heartbeats (never without one).
 */
export function gapThresholdMs(opts: {
  bucketMs?: number | null;
  heartbeatMs?: number | null;
  compressed?: boolean;
}): number {
  if (opts.compressed) {
    if (!opts.heartbeatMs) return Number.POSITIVE_INFINITY;
    return Math.max(2 * opts.heartbeatMs, 1.5 * (opts.bucketMs ?? 0), 5_000);
  }
  if (opts.bucketMs) return opts.bucketMs * 1.5;
  return Math.max(2 * (opts.heartbeatMs || 60_000), 5_000);
}

export interface LimitLine {
  /** HH, H, L, LL */
  name: string;
  value: number;
  priority: AlarmPriority;
}

/** The limits of a tag's enabled limit rules, drawn as horizontal lines on its trend. */
export function limitLines(rules: readonly Pick<AlarmRuleRecord, 'enabled' | 'rule'>[]): LimitLine[] {
  const out: LimitLine[] = [];
  for (const r of rules) {
    if (!r.enabled || r.rule.type !== 'limit') continue;
    for (const name of ['HH', 'H', 'L', 'LL'] as const) {
      const level = r.rule.levels[name];
      if (level) out.push({ name, value: level.setpoint, priority: level.priority });
    }
  }
  return out;
}
