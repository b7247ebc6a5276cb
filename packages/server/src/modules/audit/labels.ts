import type { Db } from '../../db/index.js';

/**
 * What people call an audit target ("A-PRS-01.VIB 振动 / Vibration", "张三 (zhangsan)"), instead
 * of `user #12`. Captured when an entry is written (and then covered by its hash); for older
 * entries the same lookup runs when they are read. Read-only queries of other modules' tables,
 * kept here so that every module's audit entries get names without each call site building one.
 */
const names = (code: string, zh: string, en: string) => `${code} ${zh}${en && en !== zh ? ` / ${en}` : ''}`;

type Lookup = (db: Db, ids: number[]) => Promise<Array<{ id: number; label: string }>>;

const byCodeAndNames =
  (table: string): Lookup =>
  (db, ids) =>
    db.query(
      `SELECT id, code || ' ' || name_zh || CASE WHEN name_en <> name_zh THEN ' / ' || name_en ELSE '' END AS label
       FROM ${table} WHERE id = ANY ($1::bigint[])`,
      [ids],
    );
const byCodeAndName =
  (table: string): Lookup =>
  (db, ids) =>
    db.query(`SELECT id, code || ' ' || name AS label FROM ${table} WHERE id = ANY ($1::bigint[])`, [ids]);

const ruleLabels: Lookup = (db, ids) =>
  db.query(
    `SELECT r.id, n.code || '.' || t.code || ' ' || t.name_zh
              || CASE WHEN t.name_en <> t.name_zh THEN ' / ' || t.name_en ELSE '' END AS label
     FROM alarm_rule r JOIN tag t ON t.id = r.tag_id JOIN plant_node n ON n.id = t.equipment_id
     WHERE r.id = ANY ($1::bigint[])`,
    [ids],
  );

const LOOKUPS: Record<string, Lookup> = {
  user: (db, ids) =>
    db.query(
      `SELECT id, display_name || ' (' || username || ')' AS label FROM app_user WHERE id = ANY ($1::bigint[])`,
      [ids],
    ),
  plant_node: byCodeAndNames('plant_node'),
  equipment: byCodeAndNames('plant_node'),
  role: byCodeAndNames('role'),
  department: byCodeAndName('department'),
  post: byCodeAndName('post'),
  shift: byCodeAndName('shift'),
  team: byCodeAndName('team'),
  connector: byCodeAndName('connector'),
  tag: (db, ids) =>
    db.query(
      `SELECT t.id, n.code || '.' || t.code || ' ' || t.name_zh
                || CASE WHEN t.name_en <> t.name_zh THEN ' / ' || t.name_en ELSE '' END AS label
       FROM tag t JOIN plant_node n ON n.id = t.equipment_id WHERE t.id = ANY ($1::bigint[])`,
      [ids],
    ),
  alarm_rule: ruleLabels,
  api_token: (db, ids) =>
    db.query(
      `SELECT k.id, k.name || ' (' || u.username || ')' AS label
       FROM api_token k JOIN app_user u ON u.id = k.user_id WHERE k.id = ANY ($1::bigint[])`,
      [ids],
    ),
};

/** An alarm's key is `<rule id>:<condition>`: the rule's tag, then the condition. */
const alarmKey = /^(\d+):([A-Za-z0-9_-]+)$/;

export interface LabelTarget {
  targetType: string | null;
  targetId: string | null;
}

const keyOf = (t: LabelTarget) => `${t.targetType}\u0000${t.targetId}`;

/** Labels for many targets at once, one query per target type; unknown or deleted targets get none. */
export async function lookupLabels(db: Db, targets: readonly LabelTarget[]): Promise<Map<string, string>> {
  const wanted = new Map<string, Set<number>>();
  const want = (type: string, id: number) => {
    if (!Number.isSafeInteger(id)) return;
    const set = wanted.get(type) ?? new Set<number>();
    set.add(id);
    wanted.set(type, set);
  };
  for (const t of targets) {
    if (!t.targetType || !t.targetId) continue;
    if (t.targetType === 'alarm') {
      const m = alarmKey.exec(t.targetId);
      if (m) want('alarm_rule', Number(m[1]));
    } else if (LOOKUPS[t.targetType] && /^\d{1,15}$/.test(t.targetId)) want(t.targetType, Number(t.targetId));
  }
  const found = new Map<string, string>();
  for (const [type, ids] of wanted) {
    const rows = await LOOKUPS[type]!(db, [...ids]);
    for (const r of rows) found.set(`${type}\u0000${Number(r.id)}`, r.label);
  }
  const out = new Map<string, string>();
  for (const t of targets) {
    if (!t.targetType || !t.targetId) continue;
    const m = t.targetType === 'alarm' ? alarmKey.exec(t.targetId) : null;
    const label = m
      ? found.get(`alarm_rule\u0000${Number(m[1])}`)?.concat(` ${m[2]}`)
      : found.get(keyOf({ targetType: t.targetType, targetId: String(Number(t.targetId)) }));
    if (label) out.set(keyOf(t), label);
  }
  return out;
}

export const labelKey = keyOf;

/** A label from the record an entry carries (before/after), e.g. for a target already deleted. */
export function labelFromRecord(record: unknown): string | null {
  if (!record || typeof record !== 'object' || Array.isArray(record)) return null;
  const o = record as Record<string, unknown>;
  const str = (k: string) => (typeof o[k] === 'string' && o[k] !== '' ? (o[k] as string) : null);
  if (str('username'))
    return str('displayName') ? `${str('displayName')} (${str('username')})` : str('username');
  const code = str('code');
  if (!code) return str('name');
  const full = str('equipmentCode') ? `${str('equipmentCode')}.${code}` : code;
  if (str('nameZh')) return names(full, str('nameZh')!, str('nameEn') ?? '');
  return str('name') ? `${full} ${str('name')}` : full;
}
