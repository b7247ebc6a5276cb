import type { ConnectorKind } from '@aegis/shared';
import type { Db } from '../../db/index.js';
import type { SecretBox } from '../secrets/index.js';

/**
 * A connector row as stored. The config holds no secret: passwords live in connector_secret,
 * read only by secretOf() to connect, never by list() or get().
 */
export interface StoredConnector {
  id: number;
  code: string;
  name: string;
  kind: ConnectorKind;
  enabled: boolean;
  config: Record<string, unknown>;
  hasPassword: boolean;
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
  has_password: boolean;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `c.id, c.code, c.name, c.kind, c.enabled, c.config, c.created_at, c.updated_at,
  EXISTS (SELECT 1 FROM connector_secret s WHERE s.connector_id = c.id) AS has_password`;

const fromRow = (r: Row): StoredConnector => ({
  id: r.id,
  code: r.code,
  name: r.name,
  kind: r.kind,
  enabled: r.enabled,
  config: r.config,
  hasPassword: r.has_password,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export async function list(db: Db) {
  const rows = await db.query<Row>(`SELECT ${COLUMNS} FROM connector c ORDER BY c.code`);
  return rows.map(fromRow);
}

export async function get(db: Db, id: number) {
  const [row] = await db.query<Row>(`SELECT ${COLUMNS} FROM connector c WHERE c.id = $1`, [id]);
  return row ? fromRow(row) : null;
}

export async function getByCode(db: Db, code: string) {
  const [row] = await db.query<Row>(`SELECT ${COLUMNS} FROM connector c WHERE c.code = $1`, [code]);
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
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, $6) RETURNING id`,
    [c.code, c.name, c.kind, c.enabled, JSON.stringify(c.config), c.now],
  );
  return (await get(db, row!.id))!;
}

export async function update(
  db: Db,
  id: number,
  c: { name: string; enabled: boolean; config: Record<string, unknown>; now: Date },
) {
  await db.query(
    `UPDATE connector SET name = $2, enabled = $3, config = $4::jsonb, updated_at = $5 WHERE id = $1`,
    [id, c.name, c.enabled, JSON.stringify(c.config), c.now],
  );
  return get(db, id);
}

export async function remove(db: Db, id: number) {
  await db.query('DELETE FROM connector WHERE id = $1', [id]);
}

/** Binds a sealed password to its connector: copied onto another row, it does not open. */
const passwordAad = (id: number) => `connector:${id}:password`;

/** The connector's password, for connecting only (never presented, logged or audited). */
export async function secretOf(db: Db, box: SecretBox, id: number): Promise<string | null> {
  const [row] = await db.query<{ password: string; sealed: boolean }>(
    'SELECT password, sealed FROM connector_secret WHERE connector_id = $1',
    [id],
  );
  if (!row) return null;
  return row.sealed ? box.open(row.password, passwordAad(id)) : row.password;
}

/** Sets (string, stored sealed) or clears (null) the connector's password. */
export async function setSecret(db: Db, box: SecretBox, id: number, password: string | null) {
  if (password === null || password === '') {
    await db.query('DELETE FROM connector_secret WHERE connector_id = $1', [id]);
    return;
  }
  await db.query(
    `INSERT INTO connector_secret (connector_id, password, sealed) VALUES ($1, $2, true)
     ON CONFLICT (connector_id) DO UPDATE SET password = EXCLUDED.password, sealed = true`,
    [id, box.seal(password, passwordAad(id))],
  );
}

/** Seals the passwords stored in clear before secrets were encrypted; returns how many. */
export async function sealClearSecrets(db: Db, box: SecretBox): Promise<number> {
  const rows = await db.query<{ connector_id: number; password: string }>(
    'SELECT connector_id, password FROM connector_secret WHERE NOT sealed ORDER BY connector_id FOR UPDATE',
  );
  for (const r of rows) await setSecret(db, box, Number(r.connector_id), r.password);
  return rows.length;
}

/** Rewrites a row's settings only (the start-up move of URL credentials). */
export async function setConfig(db: Db, id: number, config: Record<string, unknown>) {
  await db.query('UPDATE connector SET config = $2::jsonb WHERE id = $1', [id, JSON.stringify(config)]);
}

// ---- OPC UA server certificates (trust on first use with approval) ----

export type CertificateStatus = 'pending' | 'approved' | 'rejected';

export interface StoredCertificate {
  connectorId: number;
  fingerprint: string;
  subject: string;
  validFrom: Date;
  validTo: Date;
  status: CertificateStatus;
  firstSeenAt: Date;
  decidedAt: Date | null;
}

interface CertRow {
  connector_id: number;
  fingerprint: string;
  subject: string;
  valid_from: Date;
  valid_to: Date;
  status: CertificateStatus;
  first_seen_at: Date;
  decided_at: Date | null;
}

const fromCertRow = (r: CertRow): StoredCertificate => ({
  connectorId: Number(r.connector_id),
  fingerprint: r.fingerprint,
  subject: r.subject,
  validFrom: r.valid_from,
  validTo: r.valid_to,
  status: r.status,
  firstSeenAt: r.first_seen_at,
  decidedAt: r.decided_at,
});

export async function certificates(db: Db, connectorId?: number) {
  const rows = await db.query<CertRow>(
    `SELECT * FROM connector_certificate ${connectorId === undefined ? '' : 'WHERE connector_id = $1'}
     ORDER BY connector_id, first_seen_at DESC, fingerprint`,
    connectorId === undefined ? [] : [connectorId],
  );
  return rows.map(fromCertRow);
}

/** Records a certificate the first time it is seen (as pending); returns the stored one. */
export async function seeCertificate(
  db: Db,
  c: Omit<StoredCertificate, 'status' | 'decidedAt'>,
): Promise<StoredCertificate> {
  await db.query(
    `INSERT INTO connector_certificate (connector_id, fingerprint, subject, valid_from, valid_to, status, first_seen_at)
     VALUES ($1, $2, $3, $4, $5, 'pending', $6) ON CONFLICT (connector_id, fingerprint) DO NOTHING`,
    [c.connectorId, c.fingerprint, c.subject, c.validFrom, c.validTo, c.firstSeenAt],
  );
  const [row] = await db.query<CertRow>(
    'SELECT * FROM connector_certificate WHERE connector_id = $1 AND fingerprint = $2',
    [c.connectorId, c.fingerprint],
  );
  return fromCertRow(row!);
}

/** Approves one certificate (any other approved one of the connector is then rejected) or rejects it. */
export async function decideCertificate(
  db: Db,
  d: {
    connectorId: number;
    fingerprint: string;
    status: 'approved' | 'rejected';
    by: number | null;
    now: Date;
  },
) {
  if (d.status === 'approved') {
    await db.query(
      `UPDATE connector_certificate SET status = 'rejected', decided_at = $3, decided_by = $4
       WHERE connector_id = $1 AND fingerprint <> $2 AND status = 'approved'`,
      [d.connectorId, d.fingerprint, d.now, d.by],
    );
  }
  const [row] = await db.query<CertRow>(
    `UPDATE connector_certificate SET status = $3, decided_at = $4, decided_by = $5
     WHERE connector_id = $1 AND fingerprint = $2 RETURNING *`,
    [d.connectorId, d.fingerprint, d.status, d.now, d.by],
  );
  return row ? fromCertRow(row) : null;
}
