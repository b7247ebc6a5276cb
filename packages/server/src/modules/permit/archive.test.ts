import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { PermitDetail, PermitState } from '@aegis/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../context.js';
import { createTestUser, seedTwoWorkshops, startTestApp, type TestApp } from '../../test/harness.js';
import { createPermitArchive } from './archive.js';
import { hotWorkPermit } from './pdf.fixture.js';

const run = promisify(execFile);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let app: TestApp;
let nodeId: number;
let userId: number;
/** the details the archive reads (what the permit service would present), by permit id */
const details = new Map<number, PermitDetail>();
let failFor: number | null = null;

async function insertPermit(code: string, state: PermitState): Promise<number> {
  const [row] = await app.aegis.services.db.query<{ id: string }>(
    `INSERT INTO permit (code, type, state, requested_grade, effective_grade, title, node_id, valid_from, valid_to,
       applicant_unit, applicant_id, person_in_charge_id, watcher_id, briefer_id, acceptor_id, fields,
       submitted_at, ended_at, created_at, updated_at)
     VALUES ($1, 'hot_work', $2, 'first', 'first', '法兰焊接', $3, $4, $5, '维修班', $6, $6, $6, $6, $6,
       '{"type":"hot_work","method":"电焊","fireWatchEquipment":""}'::jsonb, $4, $7, $4, $4)
     RETURNING id`,
    [
      code,
      state,
      nodeId,
      '2026-03-02T01:00:00Z',
      '2026-03-02T08:00:00Z',
      userId,
      ['completed', 'cancelled', 'expired'].includes(state) ? '2026-03-02T06:00:00Z' : null,
    ],
  );
  const id = Number(row!.id);
  details.set(id, { ...hotWorkPermit(), id, code, state, nodeId });
  return id;
}

function archiveService() {
  const s = app.aegis.services;
  return createPermitArchive({
    db: s.db,
    audit: s.audit,
    clock: app.clock,
    dataDir: app.config.dataDir,
    timezone: 'Asia/Shanghai',
    detail: async (id) => {
      if (id === failFor) throw new Error('detail unavailable');
      return details.get(id) ?? null;
    },
    signatureImage: (db, id) => s.signatures.image(db, id),
  });
}

async function auditEntries(action: string, permitId: number) {
  return app.aegis.services.db.query<{ seq: string; outcome: string; after: any; actor_name: string }>(
    `SELECT seq, outcome, "after", actor_name FROM audit_log WHERE action = $1 AND target_type = 'permit' AND target_id = $2 ORDER BY seq`,
    [action, String(permitId)],
  );
}

const archivedFiles = () => {
  const root = path.join(app.config.dataDir, 'permits');
  try {
    return readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.join(e.parentPath, e.name));
  } catch {
    return [];
  }
};

beforeAll(async () => {
  app = await startTestApp();
  const plant = await seedTwoWorkshops(app);
  nodeId = plant.a.line.id;
  userId = (await createTestUser(app, { username: 'applicant' })).id;
}, 120_000);
afterAll(async () => {
  await app?.close();
});

describe('the archive of ended permits (作业票存档)', () => {
  it('stores the PDF of a completed permit once under permits/YYYY, with its SHA-256, audited', async () => {
    const archive = archiveService();
    const id = await insertPermit('ZY-DH-20260302-101', 'completed');
    const rec = await archive.archive(id);
    expect(rec).toMatchObject({ permitId: id, code: 'ZY-DH-20260302-101', state: 'completed' });
    expect(rec!.file).toMatch(/^permits\/2026\/ZY-DH-20260302-101\.[0-9a-f]{12}\.pdf$/);
    const bytes = readFileSync(path.join(app.config.dataDir, rec!.file));
    expect(sha256(bytes)).toBe(rec!.sha256);
    expect(bytes.length).toBe(rec!.bytes);
    // a real reader finds the permit in the stored file
    const { stdout } = await run('/usr/bin/pdftotext', [
      '-raw',
      path.join(app.config.dataDir, rec!.file),
      '-',
    ]);
    expect(stdout).toContain('动火安全作业票');
    expect(stdout).toContain('ZY-DH-20260302-101');
    const entries = await auditEntries('permit.archive', id);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.after).toMatchObject({ sha256: rec!.sha256, file: rec!.file, state: 'completed' });

    // once: again (and twice at the same time) gives the same record, one file, one audit entry
    const again = await Promise.all([archive.archive(id), archive.archive(id), archive.afterCommit(id)]);
    expect(again[0]).toEqual(rec);
    expect(again[1]).toEqual(rec);
    expect(archivedFiles().filter((f) => f.includes('ZY-DH-20260302-101'))).toHaveLength(1);
    expect(await auditEntries('permit.archive', id)).toHaveLength(1);
  }, 60_000);

  it('serves the archived bytes for an ended permit even after its names change, a fresh rendering before', async () => {
    const archive = archiveService();
    const id = await insertPermit('ZY-DH-20260302-102', 'active');
    const live = details.get(id)!;
    // not ended: rendered each time, nothing archived
    expect(await archive.archive(id)).toBeNull();
    const fresh = await archive.pdf(systemContext(), live);
    expect(fresh.archived).toBeNull();
    expect(fresh.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(await archive.record(id)).toBeNull();

    // it ends: the first request archives it (had the hook not run), later ones get the same bytes
    await app.aegis.services.db.query(`UPDATE permit SET state = 'expired', ended_at = $2 WHERE id = $1`, [
      id,
      '2026-03-02T08:00:00Z',
    ]);
    const ended = { ...live, state: 'expired' as const };
    const first = await archive.pdf(systemContext(), ended);
    expect(first.archived).toMatchObject({ permitId: id, state: 'expired' });
    app.clock.advance(3_600_000);
    const later = await archive.pdf(systemContext(), {
      ...ended,
      title: '改过名字的作业',
      applicantUnit: '新单位',
    });
    expect(sha256(later.bytes)).toBe(first.archived!.sha256);
    expect(later.bytes.equals(first.bytes)).toBe(true);
  }, 60_000);

  it('refuses to serve an archived file that was changed or lost, and audits it', async () => {
    const archive = archiveService();
    const id = await insertPermit('ZY-DH-20260302-103', 'cancelled');
    const rec = (await archive.archive(id))!;
    const file = path.join(app.config.dataDir, rec.file);
    const original = readFileSync(file);
    writeFileSync(file, Buffer.concat([original, Buffer.from('%tampered\n')]));
    await expect(
      archive.pdf(systemContext(), { ...details.get(id)!, state: 'cancelled' }),
    ).rejects.toMatchObject({
      code: 'internal',
      message: expect.stringContaining('与登记的 SHA-256 不符'),
    });
    const checks = await auditEntries('permit.archive_check', id);
    expect(checks).toHaveLength(1);
    expect(checks[0]!.outcome).toBe('failure');
    expect(checks[0]!.after).toMatchObject({ problem: 'changed', sha256: rec.sha256 });
    // restored from the backup: served again
    writeFileSync(file, original);
    const ok = await archive.pdf(systemContext(), { ...details.get(id)!, state: 'cancelled' });
    expect(ok.bytes.equals(original)).toBe(true);
  }, 60_000);

  it('never lets the database change or drop an archive row while its permit exists', async () => {
    const archive = archiveService();
    const id = await insertPermit('ZY-DH-20260302-104', 'completed');
    await archive.archive(id);
    const { db } = app.aegis.services;
    await expect(
      db.query(`UPDATE permit_archive SET sha256 = repeat('0', 64) WHERE permit_id = $1`, [id]),
    ).rejects.toThrow(/never changed/);
    await expect(db.query('DELETE FROM permit_archive WHERE permit_id = $1', [id])).rejects.toThrow(
      /kept with its permit/,
    );
    expect((await archive.record(id))?.permitId).toBe(id);
    // past the permit's retention (365 days after it ended) the permit may go, and its row with it
    await db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('aegis.now', '2027-03-10T00:00:00Z', true)`);
      await tx.query('DELETE FROM permit WHERE id = $1', [id]);
    });
    expect(await archive.record(id)).toBeNull();
  }, 60_000);

  it('catches up ended permits whose archiving did not happen, one failure not stopping the others', async () => {
    const archive = archiveService();
    const a = await insertPermit('ZY-DH-20260302-105', 'completed');
    const broken = await insertPermit('ZY-DH-20260302-106', 'expired');
    const c = await insertPermit('ZY-DH-20260302-107', 'cancelled');
    const notEnded = await insertPermit('ZY-DH-20260302-108', 'suspended');
    failFor = broken;
    try {
      expect(await archive.archivePending()).toBe(2);
    } finally {
      failFor = null;
    }
    expect(await archive.record(a)).not.toBeNull();
    expect(await archive.record(c)).not.toBeNull();
    expect(await archive.record(broken)).toBeNull();
    expect(await archive.record(notEnded)).toBeNull();
    // the next pass picks up the one that failed
    expect(await archive.archivePending()).toBe(1);
    expect(await archive.record(broken)).not.toBeNull();
    expect(await archive.archivePending()).toBe(0);
  }, 60_000);
});
