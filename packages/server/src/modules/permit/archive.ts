import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { PERMIT_TERMINAL_STATES, type PermitDetail, type PermitState } from '@aegis/shared';
import type { Clock } from '../../clock.js';
import { type RequestContext, systemContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { AppError } from '../../errors.js';
import { writeFileDurably } from '../../lib/durable-file.js';
import type { AuditService } from '../audit/index.js';
import { plantTime, renderPermitPdf } from './pdf.js';

/**
 * 作业票存档: a permit that has ended (completed, cancelled, expired) is printed once more and that PDF
 * is kept — written under <dataDir>/permits/YYYY/ (temp file, fsync, rename), its SHA-256 in
 * `permit_archive`, the act audited as `permit.archive`. From then on GET /api/permits/:id/pdf serves
 * exactly those bytes, checked against the hash, so the printout of an ended permit never changes
 * even when a name or a label is edited later. Archiving runs after the permit's transaction has
 * committed (rendering takes a moment and needs no lock); a permit whose archiving did not happen
 * (a crash, a full disk) is caught up by `archivePending` and by the first request for its PDF.
 * (The table is this file's alone: its few queries live here rather than in repo.ts.)
 *
 * Wiring (service.ts / routes.ts):
 *   const archive = createPermitArchive({ db, audit, clock, dataDir, timezone, log,
 *     detail: (id) => db.transaction(async (tx) => { const p = await repo.get(tx, id); return p ? detail(tx, SYSTEM, p) : null; }),
 *     signatureImage: signatures.image });
 *   after a transaction that ended a permit (complete, cancel, reject, revise):  await archive.afterCommit(id)
 *   the scheduler pass (expired by the timer):                                  await archive.archivePending()
 *   GET /api/permits/:id/pdf: const d = <the detail the caller may read>;       (await archive.pdf(ctx, d)).bytes
 */

export interface PermitArchiveRecord {
  permitId: number;
  code: string;
  state: PermitState;
  /** relative to the data directory */
  file: string;
  sha256: string;
  bytes: number;
  archivedAt: string;
}

export interface PermitArchiveDeps {
  db: Db;
  audit: AuditService;
  clock: Clock;
  dataDir: string;
  timezone: string;
  /** the permit's detail as GET /api/permits/:id presents it (no caller: signatures verified, no actions) */
  detail(id: number): Promise<PermitDetail | null>;
  /** a signature's drawn image (PNG), when it has one */
  signatureImage(db: Db, signatureId: number): Promise<Buffer | null>;
  log?: { error(obj: unknown, msg?: string): void };
}

interface ArchiveRow {
  permit_id: string | number;
  code: string;
  state: PermitState;
  file: string;
  sha256: string;
  bytes: number;
  archived_at: Date | string;
}

const present = (r: ArchiveRow): PermitArchiveRecord => ({
  permitId: Number(r.permit_id),
  code: r.code,
  state: r.state,
  file: r.file,
  sha256: r.sha256,
  bytes: Number(r.bytes),
  archivedAt: new Date(r.archived_at).toISOString(),
});

export const isTerminal = (state: PermitState) => PERMIT_TERMINAL_STATES.includes(state);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export function createPermitArchive(deps: PermitArchiveDeps) {
  const { db, audit, clock, dataDir, timezone } = deps;
  const archiveCtx = systemContext('permit-archive');
  /** permits whose archiving failed: when to try again (in memory: a restart tries them at once) */
  const retry = new Map<number, { tries: number; nextAt: number }>();

  async function record(dbOrTx: Db, permitId: number): Promise<PermitArchiveRecord | null> {
    const [row] = await dbOrTx.query<ArchiveRow>('SELECT * FROM permit_archive WHERE permit_id = $1', [
      permitId,
    ]);
    return row ? present(row) : null;
  }

  async function imagesOf(detail: PermitDetail) {
    const images = new Map<number, Buffer>();
    for (const s of detail.signatures) {
      if (!s.hasImage) continue;
      const png = await deps.signatureImage(db, s.id);
      if (png) images.set(s.id, png);
    }
    return images;
  }

  /** The permit's PDF as it is now (any state), drawn images included. */
  async function render(detail: PermitDetail): Promise<Buffer> {
    return renderPermitPdf(detail, { timezone, now: clock.now(), images: await imagesOf(detail) });
  }

  /**
   * Stores the PDF of an ended permit once and returns its record (the existing one when it is
   * already archived). Call outside any transaction. Refuses a permit that has not ended.
   */
  async function archiveDetail(detail: PermitDetail): Promise<PermitArchiveRecord> {
    const existing = await record(db, detail.id);
    if (existing) return existing;
    if (!isTerminal(detail.state))
      throw new AppError(
        'transition_refused',
        `作业票 ${detail.code} 尚未结束，不能存档 / Permit ${detail.code} has not ended (${detail.state}): it cannot be archived`,
      );
    const bytes = await render(detail);
    const hash = sha256(bytes);
    const now = clock.now();
    const year = plantTime(now.toISOString(), timezone).slice(0, 4);
    const file = path.posix.join(
      'permits',
      year,
      `${detail.code.replace(/[^A-Za-z0-9-]/g, '_')}.${hash.slice(0, 12)}.pdf`,
    );
    const absolute = path.join(dataDir, file);
    await writeFileDurably(absolute, bytes);
    const stored = await db.transaction(async (tx) => {
      // the permit must still be there and ended (it cannot leave a terminal state; it can be deleted)
      const [permit] = await tx.query<{ state: PermitState }>('SELECT state FROM permit WHERE id = $1', [
        detail.id,
      ]);
      if (!permit) return null;
      const [row] = await tx.query<ArchiveRow>(
        `INSERT INTO permit_archive (permit_id, code, state, file, sha256, bytes, archived_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (permit_id) DO NOTHING
         RETURNING *`,
        [detail.id, detail.code, permit.state, file, hash, bytes.length, now.toISOString()],
      );
      if (!row) return { record: (await record(tx, detail.id))!, mine: false };
      await audit.append(tx, archiveCtx, {
        action: 'permit.archive',
        targetType: 'permit',
        targetId: detail.id,
        nodeId: detail.nodeId,
        targetLabel: `${detail.code} ${detail.title}`,
        after: { state: permit.state, file, sha256: hash, bytes: bytes.length },
      });
      return { record: present(row), mine: true };
    });
    if (!stored) {
      await rm(absolute, { force: true });
      throw new AppError(
        'not_found',
        `作业票 ${detail.code} 已不存在 / Permit ${detail.code} no longer exists`,
      );
    }
    // another request archived it first: keep only its file
    if (!stored.mine && stored.record.file !== file) await rm(absolute, { force: true });
    return stored.record;
  }

  /** The archived bytes, checked against the recorded SHA-256 (a changed or lost file is an error, audited). */
  async function readArchived(ctx: RequestContext, rec: PermitArchiveRecord): Promise<Buffer> {
    let bytes: Buffer | null = null;
    try {
      bytes = await readFile(path.join(dataDir, rec.file));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (bytes && sha256(bytes) === rec.sha256) return bytes;
    const problem = bytes ? 'changed' : 'missing';
    await audit.record(ctx, {
      action: 'permit.archive_check',
      outcome: 'failure',
      targetType: 'permit',
      targetId: rec.permitId,
      targetLabel: rec.code,
      after: { file: rec.file, sha256: rec.sha256, problem, found: bytes ? sha256(bytes) : null },
    });
    throw new AppError(
      'internal',
      problem === 'missing'
        ? `作业票 ${rec.code} 的存档文件 ${rec.file} 不存在，请从备份恢复 / The archived PDF of permit ${rec.code} (${rec.file}) is missing: restore it from the backup`
        : `作业票 ${rec.code} 的存档文件 ${rec.file} 与登记的 SHA-256 不符（被改动或损坏），请从备份恢复 / The archived PDF of permit ${rec.code} (${rec.file}) does not match its recorded SHA-256: restore it from the backup`,
      { file: rec.file, sha256: rec.sha256, problem },
    );
  }

  /** Archives one permit by id (after the transaction that ended it committed). Null: not ended (yet). */
  async function archive(permitId: number): Promise<PermitArchiveRecord | null> {
    const existing = await record(db, permitId);
    if (existing) return existing;
    const detail = await deps.detail(permitId);
    if (!detail || !isTerminal(detail.state)) return null;
    return archiveDetail(detail);
  }

  return {
    render,
    archive,
    record: (id: number) => record(db, id),

    /**
     * What GET /api/permits/:id/pdf sends, for a detail the caller may read: an ended permit's
     * archived file (archived now if that had not happened yet), else a fresh rendering.
     */
    async pdf(
      ctx: RequestContext,
      detail: PermitDetail,
    ): Promise<{ bytes: Buffer; archived: PermitArchiveRecord | null }> {
      if (!isTerminal(detail.state)) return { bytes: await render(detail), archived: null };
      const rec = await archiveDetail(detail);
      return { bytes: await readArchived(ctx, rec), archived: rec };
    },

    /**
     * After a permit's transaction committed: archive it when it has ended. Never rejects (a failure
     * is logged and caught up by archivePending); the promise is returned so a test can await it.
     */
    afterCommit(permitId: number): Promise<void> {
      return archive(permitId).then(
        () => undefined,
        (e: unknown) =>
          deps.log?.error({ err: e, permitId }, 'permit archive failed; archivePending retries'),
      );
    },

    /**
     * Ended permits not archived yet (oldest first, at most `limit`), archived one by one; returns how
     * many. Runs on every scheduler pass: a permit that failed waits 1 min, then 2, 4 … up to an hour
     * before it is tried again, so one broken permit neither stops the others nor floods the log.
     */
    async archivePending(limit = 20): Promise<number> {
      const now = clock.now().getTime();
      const waiting = [...retry].filter(([, r]) => r.nextAt > now).map(([id]) => id);
      const rows = await db.query<{ id: string | number }>(
        `SELECT p.id FROM permit p
          WHERE p.state IN ('completed', 'cancelled', 'expired')
            AND NOT EXISTS (SELECT 1 FROM permit_archive a WHERE a.permit_id = p.id)
            AND NOT (p.id = ANY($2::bigint[]))
          ORDER BY p.ended_at NULLS FIRST, p.id
          LIMIT $1`,
        [limit, waiting],
      );
      let done = 0;
      for (const r of rows) {
        const id = Number(r.id);
        try {
          if (await archive(id)) done += 1;
          retry.delete(id);
        } catch (e) {
          const tries = (retry.get(id)?.tries ?? 0) + 1;
          retry.set(id, {
            tries,
            nextAt: clock.now().getTime() + Math.min(60_000 * 2 ** (tries - 1), 3_600_000),
          });
          deps.log?.error({ err: e, permitId: id, tries }, 'permit archive failed; tried again later');
        }
      }
      return done;
    },
  };
}

export type PermitArchive = ReturnType<typeof createPermitArchive>;
