import type { StorageCompression, TagSource, TagType, TagView } from '@aegis/shared';
import type { Db } from '../../db/index.js';
import { type Scope, scopeParams } from '../access/policy.js';

export interface TagRow {
  id: number;
  equipment_id: number;
  code: string;
  name_zh: string;
  name_en: string;
  unit: string;
  type: TagType;
  eng_low: number | null;
  eng_high: number | null;
  states: Record<string, string> | null;
  source: TagSource;
  storage_deadband: number;
  storage_heartbeat_ms: number;
  storage_compression: StorageCompression;
  storage_deviation: number | null;
  created_at: Date;
  updated_at: Date;
  equipment_code: string;
  equipment_name_zh: string;
  equipment_name_en: string;
  path: string;
}

/** A tag with where it sits: the equipment's plant path decides who may see it. */
export type StoredTag = TagView & { path: string };

export const present = (r: TagRow): StoredTag => ({
  id: r.id,
  equipmentId: r.equipment_id,
  code: r.code,
  nameZh: r.name_zh,
  nameEn: r.name_en,
  unit: r.unit,
  type: r.type,
  engLow: r.eng_low,
  engHigh: r.eng_high,
  states: r.states,
  source: r.source,
  storageDeadband: r.storage_deadband,
  storageHeartbeatMs: r.storage_heartbeat_ms,
  storageCompression: r.storage_compression,
  storageDeviation: r.storage_deviation,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
  equipmentCode: r.equipment_code,
  equipmentNameZh: r.equipment_name_zh,
  equipmentNameEn: r.equipment_name_en,
  path: r.path,
});

/** The public shape: the plant path stays inside the server. */
export const view = ({ path: _path, ...tag }: StoredTag): TagView => tag;

const SELECT = `
  SELECT t.*, e.code AS equipment_code, e.name_zh AS equipment_name_zh, e.name_en AS equipment_name_en, e.path
  FROM tag t JOIN plant_node e ON e.id = t.equipment_id`;

export async function get(db: Db, id: number) {
  const [row] = await db.query<TagRow>(`${SELECT} WHERE t.id = $1`, [id]);
  return row ? present(row) : null;
}

export async function getByCode(db: Db, equipmentId: number, code: string) {
  const [row] = await db.query<TagRow>(`${SELECT} WHERE t.equipment_id = $1 AND t.code = $2`, [
    equipmentId,
    code,
  ]);
  return row ? present(row) : null;
}

export async function all(db: Db) {
  return (await db.query<TagRow>(`${SELECT} ORDER BY t.id`)).map(present);
}

export interface ListFilter {
  equipmentId?: number;
  nodePath?: string;
  q?: string;
  sourceKind?: string;
  limit: number;
  offset: number;
}

export async function list(db: Db, scope: Scope, f: ListFilter) {
  const [everywhere, patterns] = scopeParams(scope);
  const where = `WHERE ($1::boolean OR e.path LIKE ANY($2::text[]))
      AND ($3::bigint IS NULL OR t.equipment_id = $3)
      AND ($4::text IS NULL OR e.path LIKE $4 || '%')
      AND ($5::text IS NULL OR t.code ILIKE '%' || $5 || '%' OR e.code ILIKE '%' || $5 || '%'
           OR t.name_zh ILIKE '%' || $5 || '%' OR t.name_en ILIKE '%' || $5 || '%')
      AND ($6::text IS NULL OR t.source->>'kind' = $6)`;
  const params = [
    everywhere,
    patterns,
    f.equipmentId ?? null,
    f.nodePath ?? null,
    f.q || null,
    f.sourceKind ?? null,
  ];
  const rows = await db.query<TagRow>(`${SELECT} ${where} ORDER BY e.code, t.code LIMIT $7 OFFSET $8`, [
    ...params,
    f.limit,
    f.offset,
  ]);
  const [{ n }] = (await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM tag t JOIN plant_node e ON e.id = t.equipment_id ${where}`,
    params,
  )) as [{ n: number }];
  return { items: rows.map(present), total: n };
}

/** What a tag row holds, plus the plant path of its equipment (for access checks; not written). */
export type TagFields = Omit<
  TagView,
  'id' | 'createdAt' | 'updatedAt' | 'equipmentCode' | 'equipmentNameZh' | 'equipmentNameEn'
> & { path: string };

/** The column values of a tag, in the order both INSERT and UPDATE below use ($n offsets). */
const columnValues = (t: TagFields) => [
  t.equipmentId,
  t.code,
  t.nameZh,
  t.nameEn,
  t.unit,
  t.type,
  t.engLow,
  t.engHigh,
  t.states === null ? null : JSON.stringify(t.states),
  JSON.stringify(t.source),
  t.storageDeadband,
  t.storageHeartbeatMs,
  t.storageCompression,
  t.storageDeviation,
];

export async function insert(db: Db, t: TagFields, now: Date) {
  const [row] = await db.query<{ id: number }>(
    `INSERT INTO tag (equipment_id, code, name_zh, name_en, unit, type, eng_low, eng_high, states, source,
       storage_deadband, storage_heartbeat_ms, storage_compression, storage_deviation, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11, $12, $13, $14, $15, $15) RETURNING id`,
    [...columnValues(t), now],
  );
  return row!.id;
}

export async function update(db: Db, id: number, t: TagFields, now: Date) {
  await db.query(
    `UPDATE tag SET equipment_id = $1, code = $2, name_zh = $3, name_en = $4, unit = $5, type = $6, eng_low = $7,
       eng_high = $8, states = $9::jsonb, source = $10::jsonb, storage_deadband = $11, storage_heartbeat_ms = $12,
       storage_compression = $13, storage_deviation = $14, updated_at = $15
     WHERE id = $16`,
    [...columnValues(t), now, id],
  );
}

/** The tag already bound to the same device address (migration 007's key), if any. */
export async function boundTo(db: Db, source: TagSource, exceptId: number | null) {
  if (source.kind === 'http') return null;
  const [row] = await db.query<TagRow>(
    `${SELECT} WHERE t.source ->> 'kind' <> 'http' AND tag_source_key(t.source) = tag_source_key($1::jsonb)
       AND ($2::bigint IS NULL OR t.id <> $2) LIMIT 1`,
    [JSON.stringify(source), exceptId],
  );
  return row ? present(row) : null;
}

/** Removes the tag with its history: values, rollups and current value. */
export async function remove(db: Db, id: number) {
  await db.query('DELETE FROM tag_value WHERE tag_id = $1', [id]);
  await db.query('DELETE FROM tag_block WHERE tag_id = $1', [id]);
  await db.query('DELETE FROM tag_rollup_1m WHERE tag_id = $1', [id]);
  await db.query('DELETE FROM tag_rollup_1h WHERE tag_id = $1', [id]);
  await db.query('DELETE FROM tag_current WHERE tag_id = $1', [id]);
  await db.query('DELETE FROM tag WHERE id = $1', [id]);
}
