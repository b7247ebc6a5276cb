import {
  ALARM_KPI_TARGETS,
  ALARM_KPI_THRESHOLDS,
  type AlarmKpiQuery,
  type AlarmKpiReport,
  type AlarmPriority,
  type KpiAlarmRef,
  type RationalisationRow,
  type RationalisationSheet,
  type RationalisationSuggestion,
} from '@aegis/shared';
import type { Clock } from '../../clock.js';
import type { RequestContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import type { AccessGuard } from '../access/guard.js';
import type { Scope } from '../access/policy.js';
import { getPlantNode } from '../plant/index.js';
import {
  ACK_BUCKETS_S,
  ackBuckets,
  chooseDelay,
  DELAY_CANDIDATES_S,
  fillBins,
  floodPeriods,
  niceCeil,
  priorityMix,
  rates,
  round,
  series,
  verdictOf,
} from './metrics.js';
import * as repo from './repo.js';

const T = ALARM_KPI_THRESHOLDS;
const LISTED = 50;

/** Alarm-management KPIs (ISA-18.2 / EEMUA 191) and the rationalisation worksheet, aggregated in SQL on the journal. */
export function createKpiService(deps: { db: Db; guard: AccessGuard; clock: Clock; timezone: string }) {
  const { db, guard, clock, timezone } = deps;

  /** The caller's report.read scope, narrowed to one node (404 when it is outside it or missing). */
  async function scopeOf(ctx: RequestContext, nodeId: number | undefined) {
    if (nodeId === undefined) return { scope: guard.scope(ctx, 'report.read'), node: null };
    const node = guard.readable(ctx, 'report.read', await getPlantNode(db, nodeId), 'plant node', nodeId);
    return {
      scope: { all: false, paths: [node.path] } as Scope,
      node: { id: node.id, nameZh: node.nameZh, nameEn: node.nameEn, path: node.path },
    };
  }

  async function refsOf(keys: Iterable<string>, to: Date) {
    const rows = await repo.alarmRefs(db, [...new Set(keys)], to);
    return new Map<string, KpiAlarmRef>(
      rows.map((r) => [
        r.key,
        {
          key: r.key,
          ruleId: Number(r.rule_id),
          condition: r.key.slice(r.key.indexOf(':') + 1),
          priority: r.priority,
          text: r.text,
          message: r.message,
          path: r.node_path,
        },
      ]),
    );
  }

  /** Activations per alarm, summed over the priorities an alarm had in the period. */
  function perKey(stats: repo.KeyStats[]) {
    const keys = new Map<
      string,
      {
        key: string;
        activations: number;
        fleeting: number;
        median: number | null;
        maxInWindow: number;
        episodes: number;
      }
    >();
    for (const s of stats) {
      const k = keys.get(s.key) ?? {
        key: s.key,
        activations: 0,
        fleeting: 0,
        median: null,
        maxInWindow: 0,
        episodes: 0,
      };
      k.activations += s.activations;
      k.fleeting += s.fleeting;
      k.median = k.median ?? s.fleeting_median;
      k.maxInWindow = Math.max(k.maxInWindow, s.max_in_window);
      k.episodes += s.episodes;
      keys.set(s.key, k);
    }
    return [...keys.values()].sort((a, b) => b.activations - a.activations || a.key.localeCompare(b.key));
  }

  const service = {
    async alarmPerformance(ctx: RequestContext, query: AlarmKpiQuery): Promise<AlarmKpiReport> {
      const { scope, node } = await scopeOf(ctx, query.nodeId);
      const from = new Date(query.from);
      const to = new Date(query.to);
      const f = from.getTime();
      const t = to.getTime();
      const ops = query.operators;

      const [counts, stats, acks, staleRows, current] = await Promise.all([
        repo.activationBins(db, scope, from, to),
        repo.keyStats(db, scope, from, to, {
          fleetingS: query.fleetingSeconds,
          chatterS: T.chatterWindowS,
          chatterCount: T.chatterCount,
        }),
        repo.ackStats(db, scope, from, to, ACK_BUCKETS_S),
        repo.staleAlarms(db, scope, to, T.staleHours * 3_600_000),
        repo.currentCounts(db, scope),
      ]);
      const bins = fillBins(f, t, counts);
      const { total, rate } = rates(bins, f, t, ops, timezone);
      const flood = floodPeriods(bins, ops, T.floodAbovePer10Min, f, t);
      const listedFloods = flood.periods.slice(0, 100);
      const contributors = await repo.floodContributors(db, scope, listedFloods);

      const keys = perKey(stats);
      const top = keys.slice(0, 10);
      const chattering = keys
        .filter((k) => k.episodes > 0)
        .sort((a, b) => b.episodes - a.episodes || b.activations - a.activations)
        .slice(0, LISTED);
      const fleeting = keys
        .filter((k) => k.fleeting > 0)
        .sort((a, b) => b.fleeting - a.fleeting || b.activations - a.activations)
        .slice(0, LISTED);
      const stale = staleRows.slice(0, 100);
      const refs = await refsOf(
        [...top, ...chattering, ...fleeting, ...stale, ...contributors].map((k) => k.key),
        to,
      );
      const ref = (key: string): KpiAlarmRef =>
        refs.get(key) ?? {
          key,
          ruleId: Number(key.split(':')[0]) || 0,
          condition: key.slice(key.indexOf(':') + 1),
          priority: 'low',
          text: null,
          message: key,
          path: '',
        };

      const byPriority = { critical: 0, high: 0, medium: 0, low: 0 } as Record<AlarmPriority, number>;
      for (const s of stats) byPriority[s.priority] += s.activations;
      const topCount = top.reduce((s, k) => s + k.activations, 0);
      const topSharePercent = total ? round((topCount / total) * 100, 1) : 0;

      return {
        node,
        from: from.toISOString(),
        to: to.toISOString(),
        operators: ops,
        fleetingSeconds: query.fleetingSeconds,
        generatedAt: clock.now().toISOString(),
        thresholds: { ...T, fleetingSeconds: query.fleetingSeconds },
        total,
        rate,
        flood: {
          ...flood,
          periods: listedFloods.map((period, i) => ({
            start: new Date(period.start).toISOString(),
            end: new Date(period.end).toISOString(),
            minutes: round((period.end - period.start) / 60_000, 1),
            count: period.count,
            top: contributors
              .filter((c) => Number(c.i) === i + 1)
              .map((c) => ({ ...ref(c.key), count: c.n })),
          })),
        },
        badActors: {
          items: top.map((k) => ({
            ...ref(k.key),
            count: k.activations,
            sharePercent: total ? round((k.activations / total) * 100, 1) : 0,
          })),
          topSharePercent,
          verdict: verdictOf(topSharePercent, {
            acceptable: ALARM_KPI_TARGETS.topTenSharePercent,
            manageable: 20,
          }),
        },
        chattering: chattering.map((k) => ({
          ...ref(k.key),
          activations: k.activations,
          episodes: k.episodes,
          maxInWindow: k.maxInWindow,
        })),
        fleeting: {
          total: keys.reduce((s, k) => s + k.fleeting, 0),
          items: fleeting.map((k) => ({
            ...ref(k.key),
            activations: k.activations,
            fleeting: k.fleeting,
            medianSeconds: round(k.median ?? 0, 1),
          })),
        },
        stale: stale.map((s) => ({
          ...ref(s.key),
          activeSince: s.since.toISOString(),
          hours: round((t - s.since.getTime()) / 3_600_000, 1),
        })),
        current: {
          standing: current.standing,
          unacknowledged: current.unacknowledged,
          shelved: current.shelved,
          suppressed: current.suppressed,
          outOfService: current.out_of_service,
        },
        priorities: priorityMix(byPriority),
        acknowledge: {
          acknowledged: acks.buckets.reduce((s, n) => s + n, 0),
          notAcknowledged: acks.none,
          medianSeconds: acks.p50 === null ? null : round(acks.p50, 1),
          p90Seconds: acks.p90 === null ? null : round(acks.p90, 1),
          buckets: ackBuckets(acks.buckets.map((n, bucket) => ({ bucket, n }))),
        },
        series: series(bins, f, t, ops, timezone),
      };
    },

    /** The bad actors with their rule's settings and suggestions measured on their own history. */
    async rationalisation(ctx: RequestContext, query: AlarmKpiQuery): Promise<RationalisationSheet> {
      const { scope, node } = await scopeOf(ctx, query.nodeId);
      const from = new Date(query.from);
      const to = new Date(query.to);
      const all = await repo.activationsPerKey(db, scope, from, to);
      const total = all.reduce((s, k) => s + k.activations, 0);
      const top = all.slice(0, 10);
      const keys = top.map((k) => k.key);
      const refs = await refsOf(keys, to);
      const candidates = [...new Set([...DELAY_CANDIDATES_S, query.fleetingSeconds, T.chatterWindowS])];
      const [ruleRows, effects] = await Promise.all([
        repo.rules(db, [...new Set([...refs.values()].map((r) => r.ruleId))]),
        keys.length ? repo.delayEffects(db, keys, from, to, candidates) : Promise.resolve([]),
      ]);
      const ruleById = new Map(ruleRows.map((r) => [Number(r.id), r.definition]));

      const rows = top.map((k) => {
        const r = refs.get(k.key);
        const condition = k.key.slice(k.key.indexOf(':') + 1);
        const rule = r ? ruleById.get(r.ruleId) : undefined;
        const mine = effects.filter((e) => e.key === k.key);
        const quickReturns = mine.find((e) => e.seconds === T.chatterWindowS)?.off_removed ?? 0;
        const fleeting = mine.find((e) => e.seconds === query.fleetingSeconds)?.on_removed ?? 0;
        let limit: number | null = null;
        let deadband: number | null = null;
        if (rule?.type === 'limit') {
          limit = rule.levels[condition as 'HH' | 'H' | 'L' | 'LL']?.setpoint ?? null;
          deadband = rule.deadband;
        } else if (rule?.type === 'deviation') {
          limit = rule.limit;
          deadband = rule.deadband;
        } else if (rule?.type === 'rate_of_change') limit = rule.limit;
        return {
          ...(r ?? {
            key: k.key,
            ruleId: Number(k.key.split(':')[0]) || 0,
            condition,
            priority: 'low' as const,
            text: null,
            message: k.key,
            path: '',
          }),
          activations: k.activations,
          sharePercent: total ? round((k.activations / total) * 100, 1) : 0,
          fleeting,
          quickReturns,
          settings: {
            ruleType: rule?.type ?? 'unknown',
            limit,
            deadband,
            onDelaySeconds: (rule?.onDelayMs ?? 0) / 1000,
            offDelaySeconds: (rule?.offDelayMs ?? 0) / 1000,
            priority: r?.priority ?? 'low',
            unit: r?.text?.unit ?? null,
          },
          suggestions: [] as RationalisationSuggestion[],
          mine,
          limitSign: rule?.type === 'limit' && limit !== null ? (condition.startsWith('H') ? 1 : -1) : 0,
        };
      });

      // Deadband: the value at the clear that preceded each quick return, measured against the limit.
      const limitRows = rows.filter((r) => r.limitSign !== 0 && r.quickReturns > 0);
      const limits = limitRows.map((r) => ({ key: r.key, setpoint: r.settings.limit!, sign: r.limitSign }));
      const first = await repo.clearDistances(
        db,
        limits.map((l) => ({ ...l, proposed: null })),
        from,
        to,
        T.chatterWindowS,
      );
      const proposals = new Map(
        first
          .filter((d) => d.p90 !== null && d.cycles > 0)
          .map((d) => [d.key, niceCeil(Math.max(d.p90!, 0))] as const),
      );
      const measured = await repo.clearDistances(
        db,
        limits
          .filter((l) => {
            const p = proposals.get(l.key);
            const current = rows.find((r) => r.key === l.key)?.settings.deadband ?? 0;
            return p !== undefined && p > current;
          })
          .map((l) => ({ ...l, proposed: proposals.get(l.key)! })),
        from,
        to,
        T.chatterWindowS,
      );

      const sheetRows: RationalisationRow[] = rows.map(({ mine, limitSign: _sign, ...row }) => {
        const s = row.settings;
        const pct = (n: number) => (row.activations ? round((n / row.activations) * 100, 1) : 0);
        const unit = s.unit ? ` ${s.unit}` : '';
        const on = chooseDelay(
          mine.map((e) => ({ seconds: e.seconds, removed: e.on_removed })),
          row.fleeting,
        );
        if (on) {
          const proposed = round(s.onDelaySeconds + on.seconds, 1);
          row.suggestions.push({
            kind: 'on_delay',
            current: s.onDelaySeconds,
            proposed,
            removed: on.removed,
            removedPercent: pct(on.removed),
            estimate: false,
            reason: {
              zh: `${row.activations} 次报警中有 ${row.fleeting} 次在 ${query.fleetingSeconds} 秒内自行恢复（瞬时报警）。把报警延时（on-delay）从 ${s.onDelaySeconds} 秒加到 ${proposed} 秒，按历史记录可少报 ${on.removed} 次（${pct(on.removed)}%）；持续存在的异常仍会报警，只晚 ${on.seconds} 秒。`,
              en: `${row.fleeting} of ${row.activations} activations cleared by themselves within ${query.fleetingSeconds} s (fleeting). Raising the on-delay from ${s.onDelaySeconds} s to ${proposed} s would, on this history, have removed ${on.removed} activations (${pct(on.removed)} %); a lasting condition still alarms, ${on.seconds} s later.`,
            },
          });
        }
        const off = chooseDelay(
          mine.map((e) => ({ seconds: e.seconds, removed: e.off_removed })),
          row.quickReturns,
        );
        if (off) {
          const proposed = round(s.offDelaySeconds + off.seconds, 1);
          row.suggestions.push({
            kind: 'off_delay',
            current: s.offDelaySeconds,
            proposed,
            removed: off.removed,
            removedPercent: pct(off.removed),
            estimate: false,
            reason: {
              zh: `${row.quickReturns} 次报警在恢复后 ${T.chatterWindowS} 秒内又再次报警（振荡）。把恢复延时（off-delay）从 ${s.offDelaySeconds} 秒加到 ${proposed} 秒，按历史记录这 ${off.removed} 次（${pct(off.removed)}%）会并入前一次报警，不再重复报出。`,
              en: `${row.quickReturns} activations came back within ${T.chatterWindowS} s of clearing (chattering). Raising the off-delay from ${s.offDelaySeconds} s to ${proposed} s would, on this history, have merged ${off.removed} of them (${pct(off.removed)} %) into the alarm before.`,
            },
          });
        }
        const db_ = measured.find((m) => m.key === row.key);
        const proposed = proposals.get(row.key);
        if (db_ && proposed !== undefined) {
          row.suggestions.push({
            kind: 'deadband',
            current: s.deadband,
            proposed,
            removed: db_.covered,
            removedPercent: pct(db_.covered),
            estimate: true,
            reason: {
              zh: `在 ${db_.cycles} 次“恢复后 ${T.chatterWindowS} 秒内又报警”中，恢复时的数值离限值 ${s.limit}${unit} 的距离有九成小于 ${proposed}${unit}。把死区从 ${s.deadband ?? 0}${unit} 加到 ${proposed}${unit}，估计可免去其中 ${db_.covered} 次（${pct(db_.covered)}%）。这是按恢复瞬间的数值估算的，请结合量程与测量噪声确认。`,
              en: `In ${db_.cycles} returns within ${T.chatterWindowS} s of clearing, 90 % of the values at clearing were within ${proposed}${unit} of the limit ${s.limit}${unit}. A deadband of ${proposed}${unit} instead of ${s.deadband ?? 0}${unit} would have avoided about ${db_.covered} of them (${pct(db_.covered)} %). Estimated from the value at the moment of clearing; check it against the span and the noise of the measurement.`,
            },
          });
        }
        if (!row.suggestions.length) {
          row.suggestions.push({
            kind: 'review',
            current: null,
            proposed: s.priority,
            removed: 0,
            removedPercent: 0,
            estimate: false,
            reason: {
              zh: `该报警占全部报警的 ${row.sharePercent}%，但很少瞬时或振荡：延时和死区帮不上忙。请复核它是否需要操作员动作、限值是否合理、优先级是否恰当，或是否反映了需要处理的工艺/设备问题。`,
              en: `This alarm makes up ${row.sharePercent} % of all alarms but is rarely fleeting or chattering: delays and deadbands will not help. Review whether it needs an operator action, whether the limit is right, its priority, or whether it points at a process or equipment problem to fix.`,
            },
          });
        }
        return row;
      });

      return {
        from: from.toISOString(),
        to: to.toISOString(),
        node,
        generatedAt: clock.now().toISOString(),
        rows: sheetRows,
      };
    },
  };
  return service;
}

export type KpiService = ReturnType<typeof createKpiService>;
