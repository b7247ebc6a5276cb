import type { Db } from '../../db/index.js';

/** The one row saying which master key this database's secrets are sealed with. */
export interface KeyCheck {
  keyId: string;
  sealed: string;
}

export async function readCheck(db: Db): Promise<KeyCheck | null> {
  const [row] = await db.query<{ key_id: string; sealed: string }>(
    'SELECT key_id, sealed FROM secret_key_check WHERE id = 1',
  );
  return row ? { keyId: row.key_id, sealed: row.sealed } : null;
}

/** Writes the check unless another process wrote one first; returns the stored one. */
export async function writeCheck(db: Db, check: KeyCheck, now: Date): Promise<KeyCheck> {
  await db.query(
    `INSERT INTO secret_key_check (id, key_id, sealed, created_at) VALUES (1, $1, $2, $3)
     ON CONFLICT (id) DO NOTHING`,
    [check.keyId, check.sealed, now],
  );
  return (await readCheck(db))!;
}
