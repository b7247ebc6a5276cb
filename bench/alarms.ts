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
import { createAegis } from '../packages/server/src/app.js';
import { loadConfig } from '../packages/server/src/config.js';
import { systemContext } from '../packages/server/src/context.js';
import { flag, percentile, pgDatabase, plantNodes, round } from './common.js';

const kind = (flag('db') ?? 'pglite') as 'pglite' | 'pg';
const N = Number(flag('n') ?? 500);

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'aegis-bench-alarms-'));
  const pgDb = kind === 'pg' ? await pgDatabase('alarms') : null;
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
  try {
    const s = aegis.services;
    const ctx = systemContext('bench');
    const reason = 'benchmark';
    const node = plantNodes(s, ctx, reason);
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
      p50Ms: round(percentile(times, 50), 2),
      p99Ms: round(percentile(times, 99), 2),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await aegis.close();
    rmSync(dataDir, { recursive: true, force: true });
    await pgDb?.drop();
  }
}

await main();
