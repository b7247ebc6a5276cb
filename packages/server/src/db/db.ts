import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/** Parameters travel separately from the SQL text: no query string is ever built from input. */
export type SqlParam = string | number | boolean | null | Date | Buffer | unknown[] | Record<string, unknown>;

/** The one interface every repository uses; the same on PGlite and PostgreSQL. */
export interface Db {
  query<T = Record<string, unknown>>(sql: string, params?: SqlParam[]): Promise<T[]>;
  /** Runs fn in a transaction (nested calls join the outer one). */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  readonly dialect: 'pglite' | 'postgres';
}

export interface Database extends Db {
  /** Runs SQL as the connecting (owner) role, outside SET ROLE; for migrations only. */
  execAsOwner(sql: string, params?: SqlParam[]): Promise<Record<string, unknown>[]>;
  /** Switches every connection to the application role (not a superuser). */
  useAppRole(role: string): Promise<void>;
  close(): Promise<void>;
  /** Underlying pg.Pool, for COPY and other server-only features. */
  readonly pool?: pg.Pool;
  /** Underlying PGlite instance (embedded only), for COPY FROM '/dev/blob'. */
  readonly pglite?: PGlite;
}

const INT8 = 20;
const NUMERIC = 1700;
const toNumber = (v: string) => Number(v);

/** PostgreSQL through node-postgres. */
export function openPostgres(url: string, poolSize = 10): Database {
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid === INT8 || oid === NUMERIC ? toNumber : pg.types.getTypeParser(oid, format),
  };
  // The application role is set at connection start-up (`-c role=`), so every pooled
  // connection runs as it without an extra round trip per query.
  const makePool = (role: string | null) => {
    const p = new pg.Pool({
      connectionString: url,
      max: poolSize,
      types,
      ...(role ? { options: `-c role=${role}` } : {}),
    });
    // Idle-client errors (server restart) must not crash the process; the next query reconnects.
    p.on('error', () => {});
    return p;
  };
  let pool = makePool(null);

  const onClient = (client: pg.PoolClient | null): Db => ({
    dialect: 'postgres',
    async query<T>(sql: string, params: SqlParam[] = []) {
      const res = await (client ?? pool).query(sql, params as unknown[]);
      return res.rows as T[];
    },
    async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      if (client) return fn(onClient(client));
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const result = await fn(onClient(c));
        await c.query('COMMIT');
        return result;
      } catch (e) {
        await c.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        c.release();
      }
    },
  });
  const root = onClient(null);
  return {
    ...root,
    get pool() {
      return pool;
    },
    async execAsOwner(sql, params = []) {
      const c = new pg.Client({ connectionString: url, types });
      await c.connect();
      try {
        const res = await c.query(sql, params as unknown[]);
        const last = Array.isArray(res) ? res.at(-1) : res;
        return (last?.rows ?? []) as Record<string, unknown>[];
      } finally {
        await c.end();
      }
    },
    async useAppRole(role) {
      const old = pool;
      pool = makePool(role);
      await old.end();
    },
    close: () => pool.end(),
  };
}

/** Embedded PostgreSQL (WASM) in a data directory, or in memory when dir is null. */
export async function openPglite(dir: string | null): Promise<Database> {
  if (dir) mkdirSync(path.dirname(dir), { recursive: true });
  const db = await PGlite.create(dir ?? undefined, {
    parsers: { [INT8]: toNumber, [NUMERIC]: toNumber },
  });
  let appRole: string | null = null;
  // PGlite is a single connection; transactions are serialised by its own mutex.
  const wrap = (q: Pick<PGlite, 'query'>, inTx: boolean): Db => ({
    dialect: 'pglite',
    async query<T>(sql: string, params: SqlParam[] = []) {
      const res = await q.query<T>(sql, params as unknown[]);
      return res.rows;
    },
    async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      if (inTx) return fn(wrap(q, true));
      return db.transaction((tx) => fn(wrap(tx, true)));
    },
  });
  const root = wrap(db, false);
  return {
    ...root,
    async execAsOwner(sql, params = []) {
      if (appRole) await db.exec('RESET ROLE');
      try {
        return params.length
          ? ((await db.query(sql, params as unknown[])).rows as Record<string, unknown>[])
          : await execMulti(db, sql);
      } finally {
        if (appRole) await db.exec(`SET ROLE ${appRole}`);
      }
    },
    async useAppRole(role) {
      appRole = role;
      await db.exec(`SET ROLE ${role}`);
    },
    close: () => db.close(),
    pglite: db,
  };
}

async function execMulti(db: PGlite, sql: string) {
  const results = await db.exec(sql);
  return (results.at(-1)?.rows ?? []) as Record<string, unknown>[];
}
