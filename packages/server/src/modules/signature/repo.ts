import type { SignatureAuthMethod, SignatureMeaning } from '@aegis/shared';
import type { Db } from '../../db/index.js';

// The only place that touches e_signature. Rows are inserted, never updated or deleted.

export interface SignatureRow {
  id: number;
  record_kind: string;
  record_id: number;
  meaning: SignatureMeaning;
  signer_id: number;
  printed_name: string;
  username: string;
  signed_at: Date;
  content_hash: string;
  auth_method: SignatureAuthMethod;
  mac: string;
  image_sha256: string | null;
  node_id: number | null;
}

const COLUMNS = `id, record_kind, record_id, meaning, signer_id, printed_name, username, signed_at,
  content_hash, auth_method, mac, image_sha256, node_id`;

// PGlite and node-postgres differ in what they hand back for timestamptz in some paths: normalise.
const normalise = (r: SignatureRow): SignatureRow => ({
  ...r,
  id: Number(r.id),
  record_id: Number(r.record_id),
  signer_id: Number(r.signer_id),
  node_id: r.node_id === null ? null : Number(r.node_id),
  signed_at: new Date(r.signed_at),
});

export async function insert(
  tx: Db,
  s: Omit<SignatureRow, 'id'> & { image: Buffer | null },
): Promise<SignatureRow> {
  const [row] = await tx.query<SignatureRow>(
    `INSERT INTO e_signature (record_kind, record_id, meaning, signer_id, printed_name, username, signed_at,
       content_hash, auth_method, mac, image, image_sha256, node_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING ${COLUMNS}`,
    [
      s.record_kind,
      s.record_id,
      s.meaning,
      s.signer_id,
      s.printed_name,
      s.username,
      s.signed_at,
      s.content_hash,
      s.auth_method,
      s.mac,
      s.image,
      s.image_sha256,
      s.node_id,
    ],
  );
  return normalise(row!);
}

/** A record's signatures, oldest first. */
export async function listFor(db: Db, recordKind: string, recordId: number): Promise<SignatureRow[]> {
  const rows = await db.query<SignatureRow>(
    `SELECT ${COLUMNS} FROM e_signature WHERE record_kind = $1 AND record_id = $2 ORDER BY id`,
    [recordKind, recordId],
  );
  return rows.map(normalise);
}

export async function byId(db: Db, id: number): Promise<SignatureRow | null> {
  const [row] = await db.query<SignatureRow>(`SELECT ${COLUMNS} FROM e_signature WHERE id = $1`, [id]);
  return row ? normalise(row) : null;
}

export async function imageOf(db: Db, id: number): Promise<Buffer | null> {
  const [row] = await db.query<{ image: Uint8Array | null }>('SELECT image FROM e_signature WHERE id = $1', [
    id,
  ]);
  return row?.image ? Buffer.from(row.image) : null;
}
