import type { EvidenceFlag, EvidenceOwnerKind, EvidencePhoto } from '@aegis/shared';
import type { Db } from '../../db/index.js';
import type { EarlierPhoto, EvidenceMime } from './checks.js';

// The only place that touches evidence_photo.

interface PhotoRow {
  id: number;
  owner_kind: EvidenceOwnerKind;
  owner_id: number;
  scope_key: string;
  path: string | null;
  client_id: string | null;
  file_name: string;
  mime: EvidenceMime;
  bytes: number;
  width: number;
  height: number;
  sha256: string;
  dhash: string;
  taken_at: Date | null;
  uploaded_at: Date;
  uploaded_by: number | null;
  uploaded_by_name: string;
  flags: EvidenceFlag[];
  review_decision: 'accepted' | 'rejected' | null;
  review_by: number | null;
  review_by_name: string | null;
  review_at: Date | null;
  review_reason: string | null;
}

/** A stored photo with what the service needs besides the API shape. */
export interface StoredPhoto {
  photo: EvidencePhoto;
  scopeKey: string;
  path: string | null;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const num = (v: number | string | null) => (v === null ? null : Number(v));

const toStored = (r: PhotoRow): StoredPhoto => ({
  scopeKey: r.scope_key,
  path: r.path,
  photo: {
    id: Number(r.id),
    ownerKind: r.owner_kind,
    ownerId: Number(r.owner_id),
    clientId: r.client_id,
    fileName: r.file_name,
    mime: r.mime,
    bytes: Number(r.bytes),
    width: r.width,
    height: r.height,
    sha256: r.sha256,
    takenAt: iso(r.taken_at),
    uploadedAt: iso(r.uploaded_at)!,
    uploadedBy: { id: num(r.uploaded_by), name: r.uploaded_by_name },
    flags: r.flags ?? [],
    review: r.review_decision
      ? {
          decision: r.review_decision,
          by: { id: num(r.review_by), name: r.review_by_name ?? '' },
          at: iso(r.review_at)!,
          reason: r.review_reason ?? '',
        }
      : null,
  },
});

export interface NewPhoto {
  ownerKind: EvidenceOwnerKind;
  ownerId: number;
  scopeKey: string;
  path: string | null;
  clientId: string | null;
  fileName: string;
  mime: EvidenceMime;
  bytes: number;
  width: number;
  height: number;
  sha256: string;
  dhash: string;
  takenAt: Date | null;
  uploadedAt: Date;
  uploadedBy: number | null;
  uploadedByName: string;
  flags: EvidenceFlag[];
}

/** Inserts the photo; null when a photo with the same client id exists already (a concurrent retry). */
export async function insertPhoto(tx: Db, p: NewPhoto): Promise<number | null> {
  const [r] = await tx.query<{ id: number }>(
    `INSERT INTO evidence_photo (owner_kind, owner_id, scope_key, path, client_id, file_name, mime, bytes,
       width, height, sha256, dhash, taken_at, uploaded_at, uploaded_by, uploaded_by_name, flags)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17::jsonb)
     ON CONFLICT (client_id) DO NOTHING
     RETURNING id`,
    [
      p.ownerKind,
      p.ownerId,
      p.scopeKey,
      p.path,
      p.clientId,
      p.fileName,
      p.mime,
      p.bytes,
      p.width,
      p.height,
      p.sha256,
      p.dhash,
      p.takenAt,
      p.uploadedAt,
      p.uploadedBy,
      p.uploadedByName,
      JSON.stringify(p.flags),
    ],
  );
  return r ? Number(r.id) : null;
}

export async function byId(db: Db, id: number): Promise<StoredPhoto | null> {
  const [r] = await db.query<PhotoRow>('SELECT * FROM evidence_photo WHERE id = $1', [id]);
  return r ? toStored(r) : null;
}

export async function byIds(db: Db, ids: number[]): Promise<StoredPhoto[]> {
  if (!ids.length) return [];
  const rows = await db.query<PhotoRow>(
    'SELECT * FROM evidence_photo WHERE id = ANY($1::bigint[]) ORDER BY id',
    [ids],
  );
  return rows.map(toStored);
}

export async function byClientIds(db: Db, clientIds: string[]): Promise<StoredPhoto[]> {
  if (!clientIds.length) return [];
  const rows = await db.query<PhotoRow>(
    'SELECT * FROM evidence_photo WHERE client_id = ANY($1::text[]) ORDER BY id',
    [clientIds],
  );
  return rows.map(toStored);
}

export async function byOwner(db: Db, kind: EvidenceOwnerKind, ownerId: number): Promise<StoredPhoto[]> {
  const rows = await db.query<PhotoRow>(
    'SELECT * FROM evidence_photo WHERE owner_kind = $1 AND owner_id = $2 ORDER BY id',
    [kind, ownerId],
  );
  return rows.map(toStored);
}

/** Earlier photos of the same scope since `since`, newest first (bounded: reuse is about recent photos). */
export async function earlierInScope(db: Db, scopeKey: string, since: Date): Promise<EarlierPhoto[]> {
  const rows = await db.query<{
    id: number;
    sha256: string;
    dhash: string;
    uploaded_at: Date;
    file_name: string;
  }>(
    `SELECT id, sha256, dhash, uploaded_at, file_name FROM evidence_photo
     WHERE scope_key = $1 AND uploaded_at >= $2 ORDER BY uploaded_at DESC, id DESC LIMIT 5000`,
    [scopeKey, since],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    sha256: r.sha256,
    dhash: r.dhash,
    uploadedAt: new Date(r.uploaded_at),
    fileName: r.file_name,
  }));
}

export async function setReview(
  tx: Db,
  id: number,
  r: { decision: 'accepted' | 'rejected'; by: number | null; byName: string; at: Date; reason: string },
) {
  await tx.query(
    `UPDATE evidence_photo SET review_decision = $2, review_by = $3, review_by_name = $4, review_at = $5,
       review_reason = $6 WHERE id = $1`,
    [id, r.decision, r.by, r.byName, r.at, r.reason],
  );
}

/** Locks the row for a review (two reviewers at once: one after the other). */
export async function lockPhoto(tx: Db, id: number) {
  await tx.query('SELECT id FROM evidence_photo WHERE id = $1 FOR UPDATE', [id]);
}
