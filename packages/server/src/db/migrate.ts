import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Database } from './db.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

/** Plain numbered SQL files, `NNN_name.sql`, applied in order; the same files on PGlite and PostgreSQL. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql'));
  const migrations = files.map((file) => {
    const m = /^(\d{3})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!m) throw new Error(`Migration file ${file} is not named NNN_name.sql`);
    const sql = readFileSync(`${dir}/${file}`, 'utf8');
    return {
      version: Number(m[1]),
      name: m[2]!,
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    };
  });
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.version === migrations[i - 1]!.version) {
      throw new Error(`Two migrations share version ${migrations[i]!.version}`);
    }
  }
  return migrations;
}

export interface MigrateResult {
  applied: string[];
  appRole: string | null;
}

/**
 * Applies pending migrations as the owner role, then (re)grants the application role:
 * full use of the tables except the audit log, which it may only read and append to.
 */
export async function migrate(
  db: Database,
  opts: { appRole: string; onProgress?: (msg: string) => void; migrations?: Migration[] },
): Promise<MigrateResult> {
  const progress = opts.onProgress ?? (() => {});
  await db.execAsOwner(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const applied = new Map(
    (await db.execAsOwner('SELECT version, name, checksum FROM schema_migrations')).map((r) => [
      Number(r.version),
      r as { version: number; name: string; checksum: string },
    ]),
  );
  const migrations = opts.migrations ?? loadMigrations();
  const done: string[] = [];
  const pending = migrations.filter((m) => !applied.has(m.version));
  for (const m of migrations) {
    const row = applied.get(m.version);
    if (row && row.checksum !== m.checksum) {
      throw new Error(
        `Migration ${m.version}_${m.name} was changed after it was applied (checksum differs). ` +
          'Add a new migration instead of editing an applied one.',
      );
    }
  }
  let i = 0;
  for (const m of pending) {
    i++;
    progress(`migration ${i}/${pending.length}: ${String(m.version).padStart(3, '0')}_${m.name}`);
    try {
      await db.execAsOwner(
        `BEGIN;\n${m.sql}\n;INSERT INTO schema_migrations(version, name, checksum) VALUES (${m.version}, '${m.name}', '${m.checksum}');\nCOMMIT;`,
      );
    } catch (e) {
      await db.execAsOwner('ROLLBACK').catch(() => {});
      throw new Error(`Migration ${m.version}_${m.name} failed: ${(e as Error).message}`);
    }
    done.push(`${m.version}_${m.name}`);
  }
  const appRole = await grantAppRole(db, opts.appRole);
  return { applied: done, appRole };
}

async function grantAppRole(db: Database, role: string): Promise<string | null> {
  try {
    await db.execAsOwner(`
      DO $$ BEGIN
        CREATE ROLE ${role} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$;
      DO $$ BEGIN
        EXECUTE 'GRANT ${role} TO ' || quote_ident(current_user);
      EXCEPTION WHEN others THEN NULL;
      END $$;
      GRANT USAGE ON SCHEMA public TO ${role};
      GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role};
      GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ${role};
      REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM ${role};
      REVOKE DELETE, TRUNCATE ON audit_head FROM ${role};
      REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM ${role};
    `);
    return role;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === '42501') return null; // not allowed to create roles: run as the connecting role
    throw e;
  }
}

/** Database objects as seen by information_schema; used to prove PGlite and PostgreSQL agree. */
export async function describeSchema(db: Database) {
  return db.execAsOwner(`
    SELECT table_name, column_name, data_type, is_nullable, column_default
    FROM information_schema.columns WHERE table_schema = 'public'
    ORDER BY table_name, column_name`);
}
