/**
 * bench:kpi — the alarm-performance KPIs over a month of journal: 1,000,000 alarm_event rows on
 * PostgreSQL (100,000 on PGlite by default), written with one INSERT … SELECT generate_series:
 * 200 alarms on 20 pieces of equipment, skewed so a few are bad actors, with activations,
 * clears after a few seconds to minutes and acknowledgements for about half of them.
 * Figures: `kpi.alarmPerformance` for the month (cold and warm), `kpi.rationalisation`, and the
 * whole monthly alarm report (`reports.render('monthly_alarm')`, PDF + XLSX) when it is there,
 * each with its ratio to the issue's 10 s target.
 *
 * Usage: npm run bench:kpi [-- --db pglite|pg|both] [--rows 1000000] [--json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createAegis } from '../packages/server/src/app.js';
import { loadConfig } from '../packages/server/src/config.js';
import { systemContext } from '../packages/server/src/context.js';
import * as kpiRepo from '../packages/server/src/modules/kpi/repo.js';
import {
  args,
  asJson,
  type DbKind,
  eachDatabase,
  flag,
  log,
  machine,
  pgDatabase,
  plantNodes,
} from './common.js';

const ROWS: Record<DbKind, number> = {
  pg: Number(flag('rows') ?? 1_000_000),
  pglite: Number(flag('pglite-rows') ?? 100_000),
};
const TARGET_MS = 10_000;
const ALARMS = 200;
const EQUIPMENT = 20;
const FROM = '2026-02-01T00:00:00+08:00';
const TO = '2026-03-01T00:00:00+08:00';

async function timed<T>(fn: () => Promise<T>) {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: Math.round(performance.now() - t0) };
}

async function runOne(kind: DbKind) {
  const rows = ROWS[kind];
  const dataDir = mkdtempSync(path.join(tmpdir(), 'aegis-bench-kpi-'));
  const pgDb = kind === 'pg' ? await pgDatabase('kpi') : null;
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir,
      databaseUrl: pgDb?.url,
      adminPassword: 'Bench-Pass-2026',
      logLevel: 'silent',
      mqttPort: 0,
      mqttWsPort: 0,
    },
  });
  const aegis = await createAegis(config, { timers: false });
  const s = aegis.services;
  const ctx = systemContext('bench');
  try {
    const node = plantNodes(s, ctx, 'bench fixture', (code) => ({
      nameZh: `节点${code}`,
      nameEn: `Node ${code}`,
    }));
    const ent = await node(null, 'enterprise', 'BENT');
    const site = await node(ent.id, 'site', 'BS1');
    const area = await node(site.id, 'area', 'BA1');
    const line = await node(area.id, 'line', 'BL1');
    const equipment = [];
    for (let i = 0; i < EQUIPMENT; i++) equipment.push(await node(line.id, 'equipment', `BEQ-${i}`));
    const now = new Date();
    // One tag and one limit rule per alarm; the alarm list holds each.
    await s.db.query(
      `INSERT INTO tag (equipment_id, code, name_zh, name_en, unit, type, source, created_at, updated_at)
       SELECT ($1::bigint[])[1 + i % $2], 'PT' || i, '压力' || i, 'Pressure ' || i, 'bar', 'number', '{}'::jsonb, $3, $3
       FROM generate_series(0, $4 - 1) AS g(i)`,
      [equipment.map((e) => e.id), EQUIPMENT, now, ALARMS],
    );
    await s.db.query(
      `INSERT INTO alarm_rule (tag_id, definition, created_at, updated_at)
       SELECT t.id, jsonb_build_object('type', 'limit', 'id', '', 'tag', '', 'deadband', 0.5, 'onDelayMs', 0, 'offDelayMs', 0,
              'levels', jsonb_build_object('H', jsonb_build_object('setpoint', 80, 'priority',
                CASE WHEN t.id % 40 = 0 THEN 'critical' WHEN t.id % 10 = 0 THEN 'high' WHEN t.id % 4 = 0 THEN 'medium' ELSE 'low' END))),
              $1, $1
       FROM tag t WHERE t.code LIKE 'PT%' ORDER BY t.id`,
      [now],
    );
    await s.db.query(
      `INSERT INTO alarm (key, rule_id, tag_id, equipment_id, area_id, node_path, state, priority, active, shelved,
         suppressed, out_of_service, chattering, view, updated_at)
       SELECT r.id || ':H', r.id, t.id, e.id, $1, e.path, 'normal', r.definition #>> '{levels,H,priority}', false,
              r.id % 50 = 0, false, r.id % 67 = 0, false, '{}'::jsonb, $2
       FROM alarm_rule r JOIN tag t ON t.id = r.tag_id JOIN plant_node e ON e.id = t.equipment_id`,
      [area.id, now],
    );
    // Episodes of activated → (acknowledged) → cleared: 2.5 rows each on average. The alarm is
    // drawn with a cubic skew (a few bad actors); the clear comes 2 s … 10 min later.
    const episodes = Math.round(rows / 2.5);
    log(
      `[${kind}] writing ${rows.toLocaleString()} journal entries (${episodes.toLocaleString()} activations)…`,
    );
    const write = await timed(() =>
      s.db.query(
        `WITH r AS (
           SELECT row_number() OVER (ORDER BY r.id) - 1 AS n, r.id, t.id AS tag_id, e.id AS equipment_id, e.path,
                  r.definition #>> '{levels,H,priority}' AS priority, t.name_zh, t.name_en
           FROM alarm_rule r JOIN tag t ON t.id = r.tag_id JOIN plant_node e ON e.id = t.equipment_id
         ), ep AS (
           SELECT i, $1::timestamptz + (($2::timestamptz - $1::timestamptz) * (i::float8 / $3::int)) AS at,
                  floor($4::int * power(random(), 3))::int AS n,
                  CASE WHEN random() < 0.3 THEN 2 + random() * 8 ELSE 10 + random() * 600 END AS dur,
                  CASE WHEN random() < 0.5 THEN 3 + random() * 900 END AS ack
           FROM generate_series(0, $3::int - 1) AS g(i)
         )
         INSERT INTO alarm_event (at, key, rule_id, tag_id, equipment_id, node_path, type, from_state, to_state,
           value, priority, message, annunciated, text)
         SELECT ep.at + make_interval(secs => x.off), r.id || ':H', r.id, r.tag_id, r.equipment_id, r.path, x.type,
                x.from_state, x.to_state, to_jsonb(x.value), r.priority, 'PT H', ep.i % 97 <> 0,
                jsonb_build_object('kind', 'limit', 'condition', 'H', 'unit', 'bar', 'limit', 80, 'comparison', '>',
                  'equipment', jsonb_build_object('zh', '设备', 'en', 'Equipment'),
                  'tag', jsonb_build_object('zh', r.name_zh, 'en', r.name_en))
         FROM ep JOIN r ON r.n = ep.n
         CROSS JOIN LATERAL (VALUES
           ('activated', 'normal', 'unack_active', 0::float8, 80.6 + random()),
           ('cleared', 'unack_active', 'rtn_unack', ep.dur, 79.5 - random() * 0.5),
           ('acknowledged', 'rtn_unack', 'normal', ep.ack, NULL)
         ) AS x(type, from_state, to_state, off, value)
         WHERE x.off IS NOT NULL`,
        [FROM, TO, episodes, ALARMS],
      ),
    );
    await s.db.query('ANALYZE alarm_event');
    const [{ n }] = (await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM alarm_event')) as [
      { n: number },
    ];
    log(`[${kind}]   ${n.toLocaleString()} rows in ${(write.ms / 1000).toFixed(1)} s`);

    const query = { nodeId: area.id, from: FROM, to: TO, operators: 1, fleetingSeconds: 10 };
    if (args.includes('--profile')) {
      // Each aggregate on its own, to see where the time goes.
      const scope = { all: false as const, paths: [area.path] };
      const [f, t] = [new Date(FROM), new Date(TO)];
      const o = { fleetingS: 10, chatterS: 60, chatterCount: 3 };
      for (const [name, fn] of [
        ['activationBins', () => kpiRepo.activationBins(s.db, scope, f, t)],
        ['keyStats', () => kpiRepo.keyStats(s.db, scope, f, t, o)],
        ['ackStats', () => kpiRepo.ackStats(s.db, scope, f, t, [10, 30, 60, 300, 600, 1800, 3600])],
        ['staleAlarms', () => kpiRepo.staleAlarms(s.db, scope, t, 86_400_000)],
        ['currentCounts', () => kpiRepo.currentCounts(s.db, scope)],
      ] as const) {
        const r = await timed(fn as () => Promise<unknown>);
        log(`[${kind}]   ${name}: ${r.ms} ms`);
      }
    }
    const cold = await timed(() => s.kpi.alarmPerformance(ctx, query));
    const warm = await timed(() => s.kpi.alarmPerformance(ctx, query));
    const sheet = await timed(() => s.kpi.rationalisation(ctx, query));
    let report: { ms: number; pdfBytes: number; xlsxBytes: number } | { error: string } | null = null;
    const reports = (s as { reports?: { render?: unknown } }).reports;
    if (typeof reports?.render === 'function') {
      try {
        const r = await timed(() =>
          s.reports.render('monthly_alarm', { nodeId: area.id, from: '2026-02-01', to: '2026-02-28' }),
        );
        report = { ms: r.ms, pdfBytes: r.value.pdf?.length ?? 0, xlsxBytes: r.value.xlsx?.length ?? 0 };
      } catch (e) {
        report = { error: (e as Error).message };
      }
    }
    const k = warm.value;
    const result = {
      database: kind === 'pg' ? 'postgresql' : 'pglite',
      rows: n,
      activations: k.total,
      writeMs: write.ms,
      alarmPerformanceMs: { cold: cold.ms, warm: warm.ms },
      rationalisationMs: sheet.ms,
      monthlyReport: report,
      targetMs: TARGET_MS,
      ratioToTarget: Math.round((cold.ms / TARGET_MS) * 1000) / 1000,
      figures: {
        per10MinAverage: k.rate.per10Min.average,
        floodPercent: k.flood.percentTime,
        topTenSharePercent: k.badActors.topSharePercent,
        chattering: k.chattering.length,
        fleeting: k.fleeting.total,
        ackMedianS: k.acknowledge.medianSeconds,
      },
    };
    log(
      `[${kind}]   alarmPerformance ${cold.ms} ms cold, ${warm.ms} ms warm; rationalisation ${sheet.ms} ms`,
    );
    return result;
  } finally {
    await aegis.close();
    await pgDb?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const results = await eachDatabase(runOne);

const report = {
  benchmark: 'kpi',
  machine: machine(),
  results,
};
if (asJson) {
  process.stdout.write(`${JSON.stringify(report)}\n`);
} else {
  for (const r of results) {
    const rep = r.monthlyReport;
    process.stdout.write(
      `${[
        `\n== ${r.database}: alarm KPIs over one month, ${r.rows.toLocaleString()} journal entries (${r.activations.toLocaleString()} annunciated activations) ==`,
        `alarmPerformance (month)         : ${r.alarmPerformanceMs.cold} ms cold, ${r.alarmPerformanceMs.warm} ms warm  (${r.ratioToTarget} × the ${r.targetMs / 1000} s target)`,
        `rationalisation (top 10)         : ${r.rationalisationMs} ms`,
        `monthly alarm report (PDF+XLSX)  : ${
          rep === null
            ? 'not available'
            : 'error' in rep
              ? `failed: ${rep.error}`
              : `${rep.ms} ms  (${Math.round((rep.ms / r.targetMs) * 1000) / 1000} × target; PDF ${rep.pdfBytes} B, XLSX ${rep.xlsxBytes} B)`
        }`,
        `journal written in               : ${(r.writeMs / 1000).toFixed(1)} s`,
        `figures                          : ${JSON.stringify(r.figures)}`,
      ].join('\n')}\n`,
    );
  }
}
process.exit(0);
