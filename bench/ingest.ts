/**
 * bench:ingest — broker → rules → storage → WebSocket, on PGlite and on PostgreSQL.
 *
 * Per database it measures, through the real path (embedded MQTT broker, MQTT driver with
 * ack-after-store, ingest pipeline, alarm engine, live hub, WebSocket clients):
 *   1. sustained points/s with 10 points per message and with 1 point per message, every point
 *      persisted and every value evaluated by its tag's alarm rule;
 *   2. alarm latency p50/p99 from publish to the WebSocket frame at a client, at ~10,000
 *      points/s of background load with 100 WebSocket clients connected;
 *   3. a burst of 5,000 alarms: time until every client has all of them, and how many were lost;
 *   4. a raw COPY of the same number of points into a table of the same shape, same database,
 *      same run, for the ratio.
 *
 * Usage: npm run bench:ingest [-- --db pglite|pg|both] [--json] [--points N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import { from as copyFrom } from 'pg-copy-streams';
import { createAegis } from '../packages/server/src/app.js';
import { loadConfig } from '../packages/server/src/config.js';
import { systemContext } from '../packages/server/src/context.js';
import { deviceCredentials } from '../packages/server/src/modules/connectors/mqtt/testing.js';
import {
  asJson,
  type DbKind,
  eachDatabase,
  flag,
  log,
  machine,
  percentile,
  pgDatabase,
  plantNodes,
  round,
} from './common.js';

type Services = Awaited<ReturnType<typeof createAegis>>['services'];

/** The broker URL with a device's sign-in (user name, API token with data.ingest) in it. */
async function deviceUrl(s: Services, url: string) {
  const { username, password } = await deviceCredentials(s, { username: 'bench-gateway' });
  const u = new URL(url);
  u.username = username;
  u.password = password;
  return u.toString();
}
const EQUIPMENT = 100;
const TAGS_PER_EQUIPMENT = 10;
const BURST_TAGS = 2500; // H and HH each: 5,000 alarms
const LATENCY_CLIENTS = Number(flag('clients') ?? 100);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The load generator (publishers and screens) runs in its own thread: see bench/load.ts.
const worker = new Worker(new URL('./load-worker.mjs', import.meta.url));
let nextId = 0;
const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
worker.on('message', (m: { id: number; result?: unknown; error?: string }) => {
  const w = waiting.get(m.id);
  waiting.delete(m.id);
  if (m.error) w?.reject(new Error(m.error));
  else w?.resolve(m.result);
});
function load<T = unknown>(command: Record<string, unknown>): Promise<T> {
  const id = ++nextId;
  return new Promise<T>((resolve, reject) => {
    waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
    worker.postMessage({ ...command, id });
  });
}

async function runOne(kind: DbKind, totalPoints: number) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'aegis-bench-'));
  const pgDb = kind === 'pg' ? await pgDatabase() : null;
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir,
      databaseUrl: pgDb?.url,
      adminPassword: 'Bench-Pass-2026',
      logLevel: 'silent',
      port: 0,
      host: '127.0.0.1',
      mqttPort: 0,
      mqttWsPort: 0,
      dbPoolSize: 8,
    },
  });
  // PGlite on disk, as `aegis start` runs it; restarted once after seeding so that the alarm
  // engine loads the rules as it does at start-up.
  let aegis = await createAegis(config);
  let s = aegis.services;
  try {
    // --- Seed: plant, 2,000 + 2,500 tags with limit rules (CSV import: one transaction) ---
    log(`[${kind}] seeding tags and rules…`);
    const ctx = systemContext('bench');
    const node = plantNodes(s, ctx, 'bench');
    const ent = await node(null, 'enterprise', 'BENCH');
    const site = await node(ent.id, 'site', 'SITE');
    const area = await node(site.id, 'area', 'AREA');
    const line = await node(area.id, 'line', 'LINE');
    for (let e = 0; e < EQUIPMENT; e++) await node(line.id, 'equipment', `EQ${e}`);
    const rows = [
      'equipment,code,type,engLow,engHigh,storageDeadband,storageHeartbeatMs,source.kind,source.topic,source.path,source.timestampPath',
    ];
    for (let e = 0; e < EQUIPMENT; e++) {
      for (let k = 0; k < TAGS_PER_EQUIPMENT; k++) {
        // Set A: ten tags per message topic. Set B: one topic per tag.
        rows.push(`EQ${e},A${k},number,0,1000,0,0,mqtt,bench/a/EQ${e},values.a${k},ts`);
        rows.push(`EQ${e},B${k},number,0,1000,0,0,mqtt,bench/b/EQ${e}/B${k},v,ts`);
      }
    }
    for (let i = 0; i < BURST_TAGS; i++) {
      rows.push(`EQ${i % EQUIPMENT},C${Math.floor(i / EQUIPMENT)},number,0,1000,0,0,mqtt,bench/c/${i},v,ts`);
    }
    const imported = await s.tags.import(ctx, {
      format: 'csv',
      content: Buffer.from(rows.join('\n')).toString('base64'),
      dryRun: false,
      reason: 'bench',
    });
    if (imported.errors.length)
      throw new Error(`seed import failed: ${JSON.stringify(imported.errors.slice(0, 3))}`);
    const tags = s.directory.all();
    // Rules straight into the tables (creating 4,500 through the API would dominate the run),
    // then the engine reloads them.
    const ruleRows = tags.map((t) => ({
      tag_id: t.id,
      definition: {
        type: 'limit',
        id: '',
        tag: `${t.equipmentCode}.${t.code}`,
        levels: t.code.startsWith('C')
          ? { HH: { setpoint: 900, priority: 'critical' }, H: { setpoint: 800, priority: 'high' } }
          : { H: { setpoint: 900, priority: 'high' } },
        deadband: 1,
        onDelayMs: 0,
        offDelayMs: 0,
      },
    }));
    await s.db.query(
      `INSERT INTO alarm_rule (tag_id, enabled, definition, interlock, created_at, updated_at)
       SELECT x.tag_id, true, x.definition, NULL, now(), now() FROM jsonb_to_recordset($1::jsonb) AS x(tag_id bigint, definition jsonb)`,
      [JSON.stringify(ruleRows)],
    );
    await aegis.close();
    aegis = await createAegis(config);
    s = aegis.services;
    await aegis.http.listen({ port: 0, host: '127.0.0.1' });
    const httpPort = (aegis.http.server.address() as { port: number }).port;
    // Devices sign in on the embedded broker: a machine user's API token holding data.ingest.
    const brokerUrl = await deviceUrl(s, s.connectors.broker()!.url);
    log(`[${kind}] ${tags.length} tags, ${ruleRows.length} rules`);

    const handled = () => {
      const st = s.ingest.stats();
      return st.stored + st.skippedByDeadband + st.duplicates;
    };
    const waitHandled = async (target: number, timeoutMs: number) => {
      const end = Date.now() + timeoutMs;
      while (handled() < target && Date.now() < end) await sleep(5);
      await s.alarms.idle();
      return handled() >= target;
    };
    let tsBase = Date.now() - 3_600_000;

    // --- 1. Throughput ---
    async function throughput(pointsPerMessage: 10 | 1, points: number) {
      const messages = Math.ceil(points / pointsPerMessage);
      const total = messages * pointsPerMessage;
      const before = handled();
      const started = performance.now();
      const r = await load<{ tsEnd: number }>({
        cmd: 'throughput',
        url: brokerUrl,
        pointsPerMessage,
        messages,
        equipment: EQUIPMENT,
        tsBase,
      });
      tsBase = r.tsEnd;
      const ok = await waitHandled(before + total, 120_000);
      const secs = (performance.now() - started) / 1000;
      if (!ok) log(`[${kind}]   incomplete: ingest ${JSON.stringify(s.ingest.stats())}`);
      return {
        pointsPerMessage,
        points: total,
        seconds: round(secs, 2),
        pointsPerSecond: Math.round(total / secs),
        complete: ok,
      };
    }

    log(`[${kind}] throughput, 10 points per message…`);
    const t10 = await throughput(10, totalPoints);
    log(`[${kind}]   ${t10.pointsPerSecond} points/s`);
    log(`[${kind}] throughput, 1 point per message…`);
    const t1 = await throughput(1, Math.round(totalPoints / 4));
    log(`[${kind}]   ${t1.pointsPerSecond} points/s`);

    // --- 2. Alarm latency at ~10,000 points/s with 100 WebSocket clients ---
    const login = await aegis.http.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'admin', password: 'Bench-Pass-2026' },
    });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    await load({ cmd: 'screens', port: httpPort, cookie, count: LATENCY_CLIENTS });
    log(`[${kind}] latency: ${LATENCY_CLIENTS} WebSocket clients, background 10,000 points/s…`);
    const lat = await load<{ latencies: number[]; backgroundPointsPerSecond: number }>({
      cmd: 'latency',
      url: brokerUrl,
      equipment: EQUIPMENT,
      probes: 100,
      tsBase: tsBase + 1_000_000, // the background's own stretch of source time
    });
    const latencies = lat.latencies;
    const expectedSamples = 100 * LATENCY_CLIENTS;
    log(
      `[${kind}]   p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms (${latencies.length}/${expectedSamples} samples)`,
    );

    // --- 3. Burst: 5,000 alarms (2,500 values each crossing H and HH) ---
    log(`[${kind}] burst of ${BURST_TAGS * 2} alarms to ${LATENCY_CLIENTS} clients…`);
    const expected = BURST_TAGS * 2;
    const burst = await load<{ allDeliveredMs: number | null; lost: number }>({
      cmd: 'burst',
      url: brokerUrl,
      tags: BURST_TAGS,
      expected,
    });
    const burstMs = burst.allDeliveredMs;
    const lost = burst.lost;
    log(`[${kind}]   all clients had every alarm after ${burstMs} ms, lost ${lost}`);
    await load({ cmd: 'close' });

    // --- 4. Raw COPY of the same number of points into a table of the same shape ---
    log(`[${kind}] raw COPY baseline…`);
    await s.db.execAsOwner('CREATE TABLE bench_copy (LIKE tag_value INCLUDING ALL)');
    await s.db.execAsOwner(`GRANT ALL ON bench_copy TO ${config.dbAppRole}`);
    const n = t10.points;
    const csvLines = function* () {
      const base = Date.now() - 7_200_000;
      for (let i = 0; i < n; i++) {
        yield `${(i % 1000) + 1},${new Date(base + Math.floor(i / 1000)).toISOString()},${(i % 997) / 10},,0\n`;
      }
    };
    const copyStart = performance.now();
    if (kind === 'pg') {
      const client = await s.db.pool!.connect();
      try {
        await pipeline(
          Readable.from(csvLines()),
          client.query(copyFrom('COPY bench_copy FROM STDIN WITH (FORMAT csv)')),
        );
      } finally {
        client.release();
      }
    } else {
      const blob = new Blob([[...csvLines()].join('')]);
      const lite = s.db.pglite!;
      await lite.exec('RESET ROLE'); // COPY from a blob needs the owner, as COPY FROM STDIN does not
      await lite.query("COPY bench_copy FROM '/dev/blob' WITH (FORMAT csv)", [], { blob });
      await lite.exec(`SET ROLE ${config.dbAppRole}`);
    }
    const copySecs = (performance.now() - copyStart) / 1000;
    const copyRate = Math.round(n / copySecs);
    log(`[${kind}]   COPY ${copyRate} points/s`);

    return {
      database: kind === 'pg' ? 'postgresql' : 'pglite',
      tags: tags.length,
      rules: ruleRows.length,
      throughput: { batched10: t10, single: t1 },
      latency: {
        clients: LATENCY_CLIENTS,
        backgroundPointsPerSecond: lat.backgroundPointsPerSecond,
        samples: latencies.length,
        expectedSamples,
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
      },
      burst: { alarms: expected, clients: LATENCY_CLIENTS, allDeliveredMs: burstMs, lost },
      copy: { points: n, pointsPerSecond: copyRate },
      ratioToCopy: round(t10.pointsPerSecond / copyRate, 2),
    };
  } finally {
    await aegis.close();
    await pgDb?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const results = await eachDatabase((kind) =>
  runOne(kind, Number(flag('points') ?? (kind === 'pg' ? 1_000_000 : 300_000))),
);

const report = {
  benchmark: 'ingest',
  machine: machine(),
  results,
};
if (asJson) {
  process.stdout.write(`${JSON.stringify(report)}\n`);
} else {
  for (const r of results) {
    process.stdout.write(
      [
        `\n== ${r.database}: ${r.tags} tags, ${r.rules} alarm rules ==`,
        `points/s, 10 points per message : ${r.throughput.batched10.pointsPerSecond}  (${r.throughput.batched10.points} points in ${r.throughput.batched10.seconds} s)`,
        `points/s, 1 point per message   : ${r.throughput.single.pointsPerSecond}  (${r.throughput.single.points} points in ${r.throughput.single.seconds} s)`,
        `raw COPY of the same points      : ${r.copy.pointsPerSecond} points/s  → Aegis/COPY ratio ${r.ratioToCopy}`,
        `alarm latency publish→WebSocket  : p50 ${r.latency.p50Ms} ms, p99 ${r.latency.p99Ms} ms  (${r.latency.clients} clients, background ${r.latency.backgroundPointsPerSecond} points/s, ${r.latency.samples}/${r.latency.expectedSamples} samples)`,
        `burst of ${r.burst.alarms} alarms            : every client had all after ${r.burst.allDeliveredMs} ms, lost ${r.burst.lost}`,
      ].join('\n') + '\n',
    );
  }
}
process.exit(0);
