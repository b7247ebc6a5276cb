import type { ConnectorKind } from '@aegis/shared';
import type { Db } from '../../db/index.js';

/** A connector row as stored: the config holds secrets, so it never leaves the module as is. */
export interface StoredConnector {
  id: number;
  code: string;
  name: string;
  kind: ConnectorKind;
  enabled: boolean;
  config: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

interface Row {
  id: number;
  code: string;
  name: string;
  kind: ConnectorKind;
  enabled: boolean;
  config: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

const fromRow = (r: Row): StoredConnector => ({
  id: r.id,
  code: r.code,
  name: r.name,
  kind: r.kind,
  enabled: r.enabled,
  config: r.config,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export async function list(db: Db) {
  const rows = await db.query<Row>('SELECT * FROM connector ORDER BY code');
  return rows.map(fromRow);
}

export async function get(db: Db, id: number) {
  const [row] = await db.query<Row>('SELECT * FROM connector WHERE id = $1', [id]);
  return row ? fromRow(row) : null;
}

export async function getByCode(db: Db, code: string) {
  const [row] = await db.query<Row>('SELECT * FROM connector WHERE code = $1', [code]);
  return row ? fromRow(row) : null;
}

export async function insert(
  db: Db,
  c: {
    code: string;
    name: string;
    kind: ConnectorKind;
    enabled: boolean;
    config: Record<string, unknown>;
    now: Date;
  },
) {
  const [row] = await db.query<Row>(
    `INSERT INTO connector (code, name, kind, enabled, config, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, $6) RETURNING *`,
    [c.code, c.name, c.kind, c.enabled, JSON.stringify(c.config), c.now],
  );
  return fromRow(row!);
}

export async function update(
  db: Db,
  id: number,
  c: { name: string; enabled: boolean; config: Record<string, unknown>; now: Date },
) {
  const [row] = await db.query<Row>(
    `UPDATE connector SET name = $2, enabled = $3, config = $4::jsonb, updated_at = $5 WHERE id = $1 RETURNING *`,
    [id, c.name, c.enabled, JSON.stringify(c.config), c.now],
  );
  return row ? fromRow(row) : null;
}

export async function remove(db: Db, id: number) {
  await db.query('DELETE FROM connector WHERE id = $1', [id]);
}
