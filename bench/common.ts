/**
 * What every benchmark script shares: its command line, the PostgreSQL it may run on, the
 * statistics it reports and the plant it seeds. Plain functions, so each script still reads top
 * to bottom as the measurement it is.
 */
import { cpus } from 'node:os';
import type { PlantLevel } from '@aegis/shared';
import pg from 'pg';
import type { RequestContext } from '../packages/server/src/context.js';
import type { Services } from '../packages/server/src/services.js';

export type DbKind = 'pglite' | 'pg';

export const args = process.argv.slice(2);

/** The value after `--name`, as given. */
export function flag(name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** A positive count (`1_000_000` allowed), refused at start rather than after an hour of seeding. */
export function numberFlag(name: string): number | undefined {
  const v = flag(name);
  if (v === undefined) return undefined;
  const n = Number(v.replaceAll('_', ''));
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, not "${v}"`);
  return Math.round(n);
}

/** With --json, stdout carries one JSON line (bench/all.ts reads the last line of each). */
export const asJson = args.includes('--json');

/** Progress on stderr, silent under --json so a run's output is only its figures. */
export function log(line: string) {
  if (!asJson) process.stderr.write(`${line}\n`);
}

/** The databases asked for by `--db pglite|pg|both` (default both), checked before any work starts. */
function dbKinds(): DbKind[] {
  const choice = flag('db') ?? 'both';
  if (choice !== 'pglite' && choice !== 'pg' && choice !== 'both')
    throw new Error('--db must be pglite, pg or both');
  return choice === 'both' ? ['pglite', 'pg'] : [choice];
}

/** A server where the benchmark may create and drop databases (trust auth on a developer machine). */
export const PG_ADMIN = process.env.AEGIS_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh database per run, so no run measures another's leftovers; `drop()` removes it again. */
export async function pgDatabase(label?: string) {
  const name = `aegis_bench_${label ? `${label}_` : ''}${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: PG_ADMIN.replace(/\/[^/]*$/, `/${name}`),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Two seconds at most: a missing server must not hold up the PGlite figures. */
export async function pgReachable() {
  const c = new pg.Client({ connectionString: PG_ADMIN, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `run` on each database of --db, in order. PostgreSQL is skipped with a note when it cannot
 * be reached, so a machine without one still gets the PGlite figures.
 */
export async function eachDatabase<T>(
  run: (kind: DbKind) => Promise<T>,
  say: (line: string) => void = log,
): Promise<T[]> {
  const results: T[] = [];
  for (const kind of dbKinds()) {
    if (kind === 'pg' && !(await pgReachable())) {
      say(`PostgreSQL at ${PG_ADMIN} is not reachable: skipping (set AEGIS_BENCH_PG_URL)`);
      continue;
    }
    results.push(await run(kind));
  }
  return results;
}

/** Where the figures were taken: they mean little without the machine. */
export function machine() {
  return { cpus: cpus().length, node: process.version };
}

/** The p-th percentile (nearest rank); null when nothing was measured, so a report says so. */
export function percentile(xs: number[], p: number): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** `d` decimals: figures are read by people, and noise past them is not a result. */
export function round(n: number, d?: number): number;
export function round(n: number | null, d?: number): number | null;
export function round(n: number | null, d = 1): number | null {
  return n === null ? null : Math.round(n * 10 ** d) / 10 ** d;
}

/**
 * The plant fixture: `node(parentId, level, code)` creates a plant node through the real service
 * (audit and all), named after its code unless `name` says otherwise.
 */
export function plantNodes(
  s: Services,
  ctx: RequestContext,
  reason: string,
  name: (code: string) => { nameZh: string; nameEn: string } = (code) => ({ nameZh: code, nameEn: code }),
) {
  return (parentId: number | null, level: PlantLevel, code: string) =>
    s.plant.create(ctx, {
      parentId,
      level,
      code,
      ...name(code),
      status: 'in_service',
      description: '',
      reason,
    });
}
