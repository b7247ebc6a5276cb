import type { NodeStatus, PlantLevel, PlantNode } from '@aegis/shared';
import type { Db } from '../../db/index.js';
import { type Scope, scopeParams } from '../access/policy.js';

interface Row {
  id: number;
  parent_id: number | null;
  level: PlantLevel;
  code: string;
  name_zh: string;
  name_en: string;
  status: NodeStatus;
  description: string;
  path: string;
  created_at: Date;
  updated_at: Date;
}

export const present = (r: Row): PlantNode => ({
  id: r.id,
  parentId: r.parent_id,
  level: r.level,
  code: r.code,
  nameZh: r.name_zh,
  nameEn: r.name_en,
  status: r.status,
  description: r.description,
  path: r.path,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

export async function get(db: Db, id: number) {
  const [row] = await db.query<Row>('SELECT * FROM plant_node WHERE id = $1', [id]);
  return row ? present(row) : null;
}

export async function getByCode(db: Db, code: string, level?: PlantLevel) {
  const rows = await db.query<Row>(
    'SELECT * FROM plant_node WHERE code = $1 AND ($2::text IS NULL OR level = $2) ORDER BY id',
    [code, level ?? null],
  );
  return rows.map(present);
}

/** Nodes inside the scope, plus their ancestors (so that a scoped tree still has its root). */
export async function listInScope(db: Db, scope: Scope) {
  const [all, patterns] = scopeParams(scope);
  const rows = await db.query<Row>(
    `WITH visible AS (SELECT * FROM plant_node WHERE $1::boolean OR path LIKE ANY($2::text[]))
     SELECT * FROM visible
     UNION
     SELECT p.* FROM plant_node p WHERE EXISTS (SELECT 1 FROM visible v WHERE v.path LIKE p.path || '%')
     ORDER BY path`,
    [all, patterns],
  );
  return rows.map(present);
}

export async function countChildren(db: Db, id: number) {
  const [row] = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM plant_node WHERE parent_id = $1',
    [id],
  );
  return row?.n ?? 0;
}

export async function insert(
  db: Db,
  n: {
    parentId: number | null;
    level: PlantLevel;
    code: string;
    nameZh: string;
    nameEn: string;
    status: NodeStatus;
    description: string;
    now: Date;
  },
) {
  const [row] = await db.query<Row>(
    `INSERT INTO plant_node (parent_id, level, code, name_zh, name_en, status, description, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING *`,
    [n.parentId, n.level, n.code, n.nameZh, n.nameEn, n.status, n.description, n.now],
  );
  const parentPath = n.parentId === null ? '/' : ((await get(db, n.parentId))?.path ?? '/');
  const [withPath] = await db.query<Row>('UPDATE plant_node SET path = $2 WHERE id = $1 RETURNING *', [
    row!.id,
    `${parentPath}${row!.id}/`,
  ]);
  return present(withPath!);
}

export async function update(
  db: Db,
  id: number,
  n: { code: string; nameZh: string; nameEn: string; status: NodeStatus; description: string; now: Date },
) {
  const [row] = await db.query<Row>(
    `UPDATE plant_node SET code = $2, name_zh = $3, name_en = $4, status = $5, description = $6, updated_at = $7
     WHERE id = $1 RETURNING *`,
    [id, n.code, n.nameZh, n.nameEn, n.status, n.description, n.now],
  );
  return row ? present(row) : null;
}

/** Moves a node and rewrites the paths of its whole subtree. */
export async function move(db: Db, node: PlantNode, parent: PlantNode, now: Date) {
  const newPath = `${parent.path}${node.id}/`;
  await db.query('UPDATE plant_node SET parent_id = $2, updated_at = $3 WHERE id = $1', [
    node.id,
    parent.id,
    now,
  ]);
  await db.query(
    `UPDATE plant_node SET path = $2 || substr(path, length($1) + 1) WHERE path LIKE $1 || '%'`,
    [node.path, newPath],
  );
  return (await get(db, node.id))!;
}

export async function remove(db: Db, id: number) {
  await db.query('DELETE FROM plant_node WHERE id = $1', [id]);
}
