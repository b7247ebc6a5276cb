/**
 * bench:alarms — the alarm engine's share of the alarm latency: from a stored point handed to
 * the engine until its transition (runtime, alarm row, journal) is committed and told to the
 * listeners (what the live hub then sends). The real service on a real database (PGlite on disk
 * as `aegis start` runs it, or PostgreSQL), one value at a time, each one crossing a limit.
 *
 * Usage: npm run bench:alarms [-- --db pglite|pg] [--n 500]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateTagSchema } from '@aegis/shared';
import pg from 'pg';
import { createAegis } from '../packages/server/src/app.js';
import { loadConfig } from '../packages/server/src/config.js';
import { systemContext } from '../packages/server/src/context.js';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const kind = (flag('db') ?? 'pglite') as 'pglite' | 'pg';
const N = Number(flag('n') ?? 500);
const PG_ADMIN = process.env.AEGIS_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'aegis-bench-alarms-'));
  let dbName: string | null = null;
  if (kind === 'pg') {
    dbName = `aegis_bench_alarms_${process.pid}`;
    const c = new pg.Client({ connectionString: PG_ADMIN });
    await c.connect();
    await c.query(`CREATE DATABASE ${dbName}`);
    await c.end();
  }
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir,
      databaseUrl: dbName ? PG_ADMIN.replace(/\/[^/]*$/, `/${dbName}`) : undefined,
      adminPassword: 'Bench-Pass-2026',
      logLevel: 'silent',
      mqttPort: 0,
      mqttWsPort: 0,
    },
  });
  const aegis = await createAegis(config, { timers: false });
  try {
    const s = aegis.services;
    const ctx = systemContext('bench');
    const reason = 'benchmark';
    const node = (parentId: number | null, level: string, code: string) =>
      s.plant.create(ctx, {
        parentId,
        level: level as 'site',
        code,
        nameZh: code,
        nameEn: code,
        status: 'in_service',
        description: '',
        reason,
      });
    const ent = await node(null, 'enterprise', 'E');
    const site = await node(ent.id, 'site', 'S');
    const area = await node(site.id, 'area', 'A');
    const line = await node(area.id, 'line', 'L');
    const eq = await node(line.id, 'equipment', 'EQ');
    const tag = await s.tags.create(
      ctx,
      CreateTagSchema.parse({
        equipmentId: eq.id,
        code: 'T',
        nameZh: '温度',
        nameEn: 'Temperature',
        unit: '°C',
        type: 'number',
        reason,
      }),
    );
    await s.alarms.createRule(ctx, {
      tagId: tag.id,
      enabled: true,
      rule: {
        type: 'limit',
        id: '',
        tag: '',
        levels: { H: { setpoint: 70, priority: 'high' } },
        deadband: 0,
        onDelayMs: 0,
        offDelayMs: 0,
      },
      interlock: null,
      reason,
    });
    let told = 0;
    s.alarms.onEvents((events) => {
      told += events.filter((e) => e.event.type === 'activated' || e.event.type === 'cleared').length;
    });
    const times: number[] = [];
    const t0 = Date.now() - N * 1000;
    for (let i = 0; i < N; i++) {
      const point = {
        tagId: tag.id,
        ts: t0 + i * 1000,
        value: i % 2 === 0 ? 80 : 50,
        quality: 'good' as const,
      };
      const start = performance.now();
      await s.alarms.handlePoints([point]);
      times.push(performance.now() - start);
    }
    if (told !== N) throw new Error(`expected ${N} transitions told, got ${told}`);
    const result = {
      database: kind,
      transitions: N,
      p50Ms: Math.round(percentile(times, 50) * 100) / 100,
      p99Ms: Math.round(percentile(times, 99) * 100) / 100,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await aegis.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (dbName) {
      const c = new pg.Client({ connectionString: PG_ADMIN });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await c.end();
    }
  }
}

await main();
