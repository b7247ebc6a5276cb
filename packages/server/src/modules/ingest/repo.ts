import type { Db } from '../../db/index.js';

/** A stored receipt of an MQTT message (see the ingest_receipt table). */
export interface ReceiptRow {
  source: string;
  clientId: string;
  packetId: number;
  hash: string;
  connection: string;
  /** Epoch ms. */
  at: number;
}

/** Records the messages of a batch (in the batch's transaction); a packet id's newer message replaces the older. */
export async function recordReceipts(db: Db, rows: ReceiptRow[]) {
  if (!rows.length) return;
  await db.query(
    `INSERT INTO ingest_receipt (source, client_id, packet_id, hash, connection, at)
     SELECT s, c, p, h, k, to_timestamp(ms / 1000.0)
     FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::float8[]) AS x(s, c, p, h, k, ms)
     ON CONFLICT (source, client_id, packet_id) DO UPDATE SET hash = excluded.hash,
       connection = excluded.connection, at = excluded.at`,
    [
      rows.map((r) => r.source),
      rows.map((r) => r.clientId),
      rows.map((r) => r.packetId),
      rows.map((r) => r.hash),
      rows.map((r) => r.connection),
      rows.map((r) => r.at),
    ],
  );
}

/** Receipts recorded since `since` (epoch ms), to recognise redeliveries after a restart. */
export async function recentReceipts(db: Db, since: number): Promise<ReceiptRow[]> {
  return db.query<ReceiptRow>(
    `SELECT source, client_id AS "clientId", packet_id AS "packetId", hash, connection,
            (extract(epoch FROM at) * 1000)::float8 AS at
     FROM ingest_receipt WHERE at >= to_timestamp($1::float8 / 1000.0)`,
    [since],
  );
}

/** Deletes receipts older than `before` (epoch ms); returns how many. */
export async function expireReceipts(db: Db, before: number) {
  const [row] = await db.query<{ n: number }>(
    `WITH gone AS (DELETE FROM ingest_receipt WHERE at < to_timestamp($1::float8 / 1000.0) RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [before],
  );
  return row!.n;
}
