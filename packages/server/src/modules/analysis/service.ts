import {
  ANALYSIS_ALPHA,
  type AnalysisGroup,
  type AnalysisTest,
  type AnalysisTrend,
  type AnalysisTrendQuerySchema,
  type AnalysisWarning,
  type AnalysisWords,
  type ShiftAnalysisQuerySchema,
  type ShiftAnalysisResult,
} from '@aegis/shared';
import type { z } from 'zod';
import type { Clock } from '../../clock.js';
import type { RequestContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { invalid } from '../../errors.js';
import type { AccessGuard } from '../access/guard.js';
import type { Scope } from '../access/policy.js';
import type { OrgService } from '../org/index.js';
import { addDays } from '../org/shift-time.js';
import type { PlantService } from '../plant/index.js';
import {
  DIMENSION_WORDS,
  findingOf,
  MEASURE_WORDS,
  monthLabel,
  NONE_LABEL,
  weekdayLabel,
} from './finding.js';
import {
  daySegments,
  type GroupDef,
  groupsFromSegments,
  HOUR_MS,
  hoursWithin,
  isoWeekday,
  NONE_KEY,
  periodWindow,
  rosterIndex,
  type Span,
  segmentAt,
  shiftSegments,
  trendBuckets,
} from './model.js';
import * as repo from './repo.js';
import { chiSquareEqualRates, poissonRate, rateRatioTest } from './stats.js';

export type CompareQuery = z.output<typeof ShiftAnalysisQuerySchema>;
export type TrendQuery = z.output<typeof AnalysisTrendQuerySchema>;

/** Rates are events per 100 hours of exposure. */
const PER_HOURS = 100;
/** The trend chart shows at most this many groups: those with the most events. */
const TREND_SERIES = 10;

/** The events of one analysis, each with its group, and the groups with their exposure spans. */
interface Tabulation {
  window: Span;
  groups: GroupDef[];
  events: { at: number; key: string }[];
}

/** Trend and shift analysis: event rates per group with an exact or chi-square test. */
export function createAnalysisService(deps: {
  db: Db;
  guard: AccessGuard;
  clock: Clock;
  /** the plant's time zone (config.timezone), in which shifts, days, weekdays and months are read */
  timezone: string;
  plant: Pick<PlantService, 'byId'>;
  org: Pick<OrgService, 'listShifts'>;
}) {
  const { db, guard, clock, timezone, plant, org } = deps;

  /** The node analysed (in the caller's scope) or the caller's whole scope. */
  async function place(ctx: RequestContext, nodeId: number | undefined) {
    if (nodeId === undefined) {
      const scope = guard.scope(ctx, 'report.read');
      const name = scope.all ? { zh: '全厂', en: 'Whole plant' } : { zh: '我的范围', en: 'My scope' };
      return { scope, nodeId: null, nodeName: name };
    }
    const node = guard.readable(ctx, 'report.read', await plant.byId(nodeId), 'plant node', nodeId);
    const scope: Scope = { all: false, paths: [node.path] };
    return { scope, nodeId: node.id, nodeName: { zh: node.nameZh, en: node.nameEn } };
  }

  /** Groups in their natural order: by `rank` (shift catalogue, weekday, month, name); "none" last. */
  function ordered(t: Tabulation, rank: (g: GroupDef) => string | number): Tabulation {
    const last = (g: GroupDef) => (g.key === NONE_KEY ? 1 : 0);
    t.groups.sort((a, b) => {
      const ra = rank(a);
      const rb = rank(b);
      return last(a) - last(b) || (ra < rb ? -1 : ra > rb ? 1 : 0);
    });
    return t;
  }

  async function tabulate(q: CompareQuery, scope: Scope): Promise<Tabulation> {
    const window = periodWindow(q.from, q.to, timezone, clock.now());
    if (window.end <= window.start)
      throw invalid('The period has not started yet', [{ path: 'from', message: 'in the future' }]);
    const [rows, nodes] = await Promise.all([
      repo.events(db, q.measure, scope, new Date(window.start), new Date(window.end)),
      repo.nodes(db, scope),
    ]);
    const nodeById = new Map(nodes.map((n) => [Number(n.id), n]));
    const bySegments = (
      segments: ReturnType<typeof shiftSegments>,
      label: (key: string) => AnalysisWords,
    ) => ({
      window,
      groups: groupsFromSegments(segments, label),
      events: rows.map((r) => ({ at: r.at, key: segmentAt(segments, r.at)?.key ?? NONE_KEY })),
    });

    switch (q.dimension) {
      case 'shift': {
        const shifts = await org.listShifts();
        const names = new Map(shifts.map((s) => [`shift:${s.id}`, s.name]));
        // shifts in the catalogue's order (by start time)
        const position = new Map(shifts.map((s, i) => [`shift:${s.id}`, i]));
        const t = bySegments(shiftSegments(shifts, window, timezone), (key) => {
          const name = names.get(key);
          return name ? { zh: name, en: name } : NONE_LABEL.shift;
        });
        return ordered(t, (g) => position.get(g.key) ?? 0);
      }
      case 'weekday':
        return ordered(
          bySegments(
            daySegments(window, timezone, (day) => `weekday:${isoWeekday(day)}`),
            (key) => weekdayLabel(Number(key.slice('weekday:'.length))),
          ),
          (g) => g.key,
        );
      case 'month':
        return bySegments(
          daySegments(window, timezone, (day) => `month:${day.slice(0, 7)}`),
          (key) => monthLabel(key.slice('month:'.length)),
        );
      case 'equipment': {
        // every piece of equipment in scope was "on" for the whole period, with or without events
        const whole = [{ start: window.start, end: window.end }];
        const groups = new Map<string, GroupDef>();
        const add = (id: number) => {
          const n = nodeById.get(id);
          const key = `node:${id}`;
          if (!groups.has(key))
            groups.set(key, {
              key,
              label: n ? { zh: n.name_zh, en: n.name_en } : { zh: key, en: key },
              spans: whole,
            });
          return key;
        };
        for (const n of nodes) if (n.level === 'equipment') add(Number(n.id));
        return {
          window,
          groups: [...groups.values()],
          events: rows.map((r) => ({ at: r.at, key: add(Number(r.node_id)) })),
        };
      }
      case 'team': {
        const shifts = await org.listShifts();
        const slots = await repo.roster(db, scope, addDays(q.from, -1), q.to);
        const index = rosterIndex(slots, shifts, timezone);
        const groups = index.teams().sort((a, b) => a.label.zh.localeCompare(b.label.zh, 'zh'));
        groups.push({ key: NONE_KEY, label: NONE_LABEL.team, spans: null });
        return {
          window,
          groups,
          events: rows.map((r) => {
            const path = nodeById.get(Number(r.node_id))?.path;
            const team = path ? index.teamAt(path, r.at) : null;
            return { at: r.at, key: team === null ? NONE_KEY : `team:${team}` };
          }),
        };
      }
    }
  }

  function periodOf(q: CompareQuery, where: Awaited<ReturnType<typeof place>>, window: Span) {
    return {
      measure: q.measure,
      dimension: q.dimension,
      nodeId: where.nodeId,
      nodeName: where.nodeName,
      from: q.from,
      to: q.to,
      timezone,
      periodStart: new Date(window.start).toISOString(),
      periodEnd: new Date(window.end).toISOString(),
      periodHours: (window.end - window.start) / HOUR_MS,
      definition: MEASURE_WORDS[q.measure].definition,
    };
  }

  /** The per-group table and the test, from a tabulation. */
  function analyse(q: CompareQuery, t: Tabulation) {
    const counts = new Map<string, number>();
    for (const e of t.events) counts.set(e.key, (counts.get(e.key) ?? 0) + 1);
    const chosen = q.groups ? new Set(q.groups) : null;
    if (q.groups) {
      if (q.groups[0] === q.groups[1])
        throw invalid('Pick two different groups to compare', [
          { path: 'groups', message: 'same group twice' },
        ]);
      for (const key of q.groups)
        if (!t.groups.some((g) => g.key === key && g.spans !== null))
          throw invalid(`Group ${key} has no exposure in this period and place`, [
            { path: 'groups', message: 'unknown group' },
          ]);
    }
    const groups: AnalysisGroup[] = t.groups
      .map((g) => {
        const count = counts.get(g.key) ?? 0;
        const exposureHours = hoursWithin(g.spans, t.window);
        const rate = exposureHours === null ? null : poissonRate(count, exposureHours, PER_HOURS);
        return {
          key: g.key,
          label: g.label,
          count,
          exposureHours,
          rate: rate?.rate ?? null,
          ci: rate ? { low: rate.low, high: rate.high } : null,
          tested: rate !== null && (chosen === null || chosen.has(g.key)),
        };
      })
      // a "none" group without events or time is no group at all
      .filter((g) => g.key !== NONE_KEY || g.count > 0 || (g.exposureHours ?? 0) > 0);
    return { groups, test: testOf(q, groups) };
  }

  function testOf(q: CompareQuery, groups: AnalysisGroup[]): AnalysisTest {
    const tested = groups.filter((g) => g.tested);
    const warnings: AnalysisWarning[] = [];
    if (groups.some((g) => !g.tested && g.exposureHours === null && g.count > 0))
      warnings.push('untested_events');
    const none = (w: AnalysisWarning): AnalysisTest => ({
      kind: 'none',
      alpha: ANALYSIS_ALPHA,
      pValue: null,
      significant: false,
      ratio: null,
      chiSquare: null,
      warnings: [...warnings, w],
    });
    if (tested.length < 2) return none('too_few_groups');
    if (tested.every((g) => g.count === 0)) return none('no_events');
    // more groups than the two compared: picking a pair out of many is a multiple comparison
    if (tested.length > 2 || (q.groups && groups.filter((g) => g.exposureHours !== null).length > 2))
      warnings.push('multiple_comparisons');
    if (tested.length === 2) {
      let [a, b] = tested as [AnalysisGroup, AnalysisGroup];
      if (q.groups) {
        if (a.key !== q.groups[0]) [a, b] = [b, a];
      } else if (a.rate! < b.rate!) [a, b] = [b, a];
      const r = rateRatioTest(a.count, a.exposureHours!, b.count, b.exposureHours!);
      return {
        kind: 'rate_ratio',
        alpha: ANALYSIS_ALPHA,
        pValue: r.pValue,
        significant: r.pValue < ANALYSIS_ALPHA,
        ratio: { numerator: a.key, denominator: b.key, estimate: r.estimate, low: r.low, high: r.high },
        chiSquare: null,
        warnings,
      };
    }
    const c = chiSquareEqualRates(tested.map((g) => ({ count: g.count, exposure: g.exposureHours! })));
    if (c.minExpected < 5) warnings.push('low_expected');
    return {
      kind: 'chi_square',
      alpha: ANALYSIS_ALPHA,
      pValue: c.pValue,
      significant: c.pValue < ANALYSIS_ALPHA,
      ratio: null,
      chiSquare: { statistic: c.statistic, df: c.df, minExpected: c.minExpected },
      warnings,
    };
  }

  return {
    /**
     * Rates per group of `dimension` (events per 100 h of exposure, with exact 95 % intervals)
     * and the test: the exact rate ratio for two groups, chi-square of equal rates for more.
     */
    async compare(ctx: RequestContext, q: CompareQuery): Promise<ShiftAnalysisResult> {
      const where = await place(ctx, q.nodeId);
      const t = await tabulate(q, where.scope);
      const { groups, test } = analyse(q, t);
      return {
        ...periodOf(q, where, t.window),
        groups,
        test,
        finding: findingOf(q.measure, q.dimension, test, groups),
      };
    },

    /** The same measure per day/week/month and group (the groups with the most events), for the chart. */
    async trend(ctx: RequestContext, q: TrendQuery): Promise<AnalysisTrend> {
      const where = await place(ctx, q.nodeId);
      const t = await tabulate(q, where.scope);
      const buckets = trendBuckets(t.window, timezone, q.bucket);
      const counts = new Map<string, number[]>();
      for (const e of t.events) {
        const i = bucketIndex(buckets, e.at);
        if (i < 0) continue;
        const row = counts.get(e.key) ?? buckets.map(() => 0);
        row[i]!++;
        counts.set(e.key, row);
      }
      const total = (key: string) => (counts.get(key) ?? []).reduce((s, n) => s + n, 0);
      const shown = t.groups
        .filter((g) => g.spans !== null || total(g.key) > 0)
        .sort((a, b) => total(b.key) - total(a.key))
        .slice(0, TREND_SERIES);
      return {
        ...periodOf(q, where, t.window),
        bucket: q.bucket,
        buckets: buckets.map((b) => b.day),
        series: shown.map((g) => {
          const c = counts.get(g.key) ?? buckets.map(() => 0);
          const exposure = buckets.map((b) => hoursWithin(g.spans, b));
          return {
            key: g.key,
            label: g.label,
            counts: c,
            exposureHours: exposure.map((h) => h ?? 0),
            rates: exposure.map((h, i) => (h ? (c[i]! / h) * PER_HOURS : null)),
          };
        }),
      };
    },

    /** The dimension's name, for report headings. */
    dimensionName: (d: CompareQuery['dimension']) => DIMENSION_WORDS[d],
  };
}

function bucketIndex(buckets: readonly Span[], at: number) {
  let lo = 0;
  let hi = buckets.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const b = buckets[mid]!;
    if (at < b.start) hi = mid - 1;
    else if (at >= b.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}

export type AnalysisService = ReturnType<typeof createAnalysisService>;
