import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  PERMIT_MEASURE_DEFAULTS,
  type PermitDetail,
  type PermitState,
  SIGNATURE_MEANING_LABELS,
} from '@aegis/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../context.js';
import {
  ADMIN_PASSWORD,
  type Client,
  createTestUser,
  seedTwoWorkshops,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';
import { inspectPdf } from '../../test/pdf-inspect.js';
import { createPermitArchive } from './archive.js';
import { hotWorkPermit } from './pdf.fixture.js';

const run = promisify(execFile);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let app: TestApp;
let nodeId: number;
let plant: Awaited<ReturnType<typeof seedTwoWorkshops>>;
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
  plant = await seedTwoWorkshops(app);
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
    // the next pass leaves it alone for a minute (no retry storm every 5 s), then picks it up
    expect(await archive.archivePending()).toBe(0);
    app.clock.advance(61_000);
    expect(await archive.archivePending()).toBe(1);
    expect(await archive.record(broken)).not.toBeNull();
    expect(await archive.archivePending()).toBe(0);
  }, 60_000);
});

describe('GET /api/permits/:id/pdf', () => {
  const base = '/api/permits';
  const sign = { signature: { password: ADMIN_PASSWORD } };
  const MIN = 60_000;
  const c: Record<string, Client> = {};
  const uid: Record<string, number> = {};
  const at = (offsetMin: number) => new Date(app.clock.now().getTime() + offsetMin * MIN).toISOString();

  beforeAll(async () => {
    const { access, db } = app.aegis.services;
    const mk = async (name: string, displayName: string, roles: [string, number | null][]) => {
      const u = await createTestUser(app, { username: name, displayName });
      for (const [r, n] of roles) await db.transaction((tx) => access.grantDirect(tx, u.id, r, n));
      uid[name] = u.id;
      c[name] = await app.as(name);
    };
    await mk('pdf.applicant', '申请人甲', [['maintenance', plant.a.area.id]]);
    await mk('pdf.pic', '负责人乙', [['team_lead', plant.a.area.id]]);
    await mk('pdf.watcher', '监护人丙', [['team_lead', plant.a.area.id]]);
    await mk('pdf.worker', '焊工丁', [['operator', plant.a.area.id]]);
    await mk('pdf.analyst', '分析员戊', [['inspector', plant.a.area.id]]);
    await mk('pdf.lead', '车间主任己', [['workshop_lead', plant.a.area.id]]);
    await mk('pdf.auditor', '审计员庚', [['auditor', null]]);
  }, 120_000);

  /** Sessions end when the clock moves on by hours: sign everyone in again. */
  const relogin = async () => {
    for (const who of Object.keys(c)) c[who] = await app.as(who);
  };
  const ok = async (who: string, permitId: number, path: string, body: unknown = sign) => {
    const r = await c[who]!.post(`${base}/${permitId}/${path}`, body);
    expect(r.status, `${who} ${path}: ${JSON.stringify(r.body)}`).toBe(200);
    return r.body as PermitDetail;
  };
  const pdfOf = async (who: string, permitId: number) => {
    // the bytes as sent (the harness client reads bodies as text)
    const r = await app.aegis.http.inject({
      method: 'GET',
      url: `${base}/${permitId}/pdf`,
      headers: { cookie: c[who]!.cookie },
    });
    expect(r.statusCode, r.body.slice(0, 300)).toBe(200);
    expect(String(r.headers['content-type'])).toMatch(/^application\/pdf/);
    return r.rawPayload;
  };
  const text = async (pdf: Buffer) => {
    const file = path.join(app.config.dataDir, `read-${Date.now()}.pdf`);
    writeFileSync(file, pdf);
    return (await run('/usr/bin/pdftotext', ['-raw', file, '-'])).stdout.replace(/\s+/g, '');
  };

  async function submitted() {
    const draft = await c['pdf.applicant']!.post(base, {
      type: 'hot_work',
      grade: 'second',
      title: '压力机底座补焊',
      locationId: plant.a.press.id,
      equipmentIds: [plant.a.press.id],
      validFrom: at(-1),
      // 09:00–12:00 plant time (each test sets the day): no night raise to 一级
      validTo: at(180),
      applicantUnit: '维修班',
      personInChargeId: uid['pdf.pic'],
      workers: [{ name: '焊工丁', userId: uid['pdf.worker'], certificateNo: 'T-0001' }],
      analystId: null,
      watcherId: uid['pdf.watcher'],
      brieferId: uid['pdf.pic'],
      acceptorId: uid['pdf.watcher'],
      riskIdentification: ['火花飞溅引燃'],
      measures: PERMIT_MEASURE_DEFAULTS.hot_work
        .slice(0, 3)
        .map((m) => ({ code: m.code, text: m.zh, applies: true })),
      linkedPermitIds: [],
      windLevel: 0,
      gasTags: [],
      fields: { type: 'hot_work', method: '电焊', fireWatchEquipment: '灭火器2具' },
    });
    expect(draft.status, JSON.stringify(draft.body)).toBe(201);
    const id = draft.body.id as number;
    await ok('pdf.applicant', id, 'submit');
    return id;
  }

  async function activePermit() {
    const id = await submitted();
    await ok('pdf.analyst', id, 'analyses', {
      ...sign,
      takenAt: at(0),
      samplePoint: '焊点周围',
      readings: [
        { gas: 'CH4', value: 2, unit: '%LEL' },
        { gas: 'O2', value: 20.8, unit: '%vol' },
      ],
    });
    await ok('pdf.pic', id, 'brief');
    await ok('pdf.pic', id, 'brief_receive');
    const drawn = await sharp({
      create: { width: 240, height: 80, channels: 3, background: { r: 255, g: 255, b: 255 } },
    })
      .png()
      .toBuffer();
    await ok('pdf.watcher', id, 'watch', {
      signature: { password: ADMIN_PASSWORD, image: `data:image/png;base64,${drawn.toString('base64')}` },
    });
    await ok('pdf.pic', id, 'measures/confirm');
    await ok('pdf.lead', id, 'approve', { ...sign, opinion: '同意动火' });
    const active = await ok('pdf.pic', id, 'activate');
    expect(active.state).toBe('active');
    return id;
  }

  it('prints a permit in force fresh, and archives it the moment it is accepted, serving those bytes from then on', async () => {
    app.clock.set(new Date('2026-03-03T01:00:00Z'));
    await relogin();
    const id = await activePermit();
    // in force: rendered on each request, nothing archived; a read-only auditor may print it
    const live = await text(await pdfOf('pdf.auditor', id));
    expect(live).toContain('动火安全作业票');
    expect(live).toContain('状态：作业中');
    expect(await archiveService().record(id)).toBeNull();

    const done = await ok('pdf.watcher', id, 'complete', { ...sign, remark: '已清理现场' });
    expect(done.state).toBe('completed');
    // the hook ran after the commit: the row and the file are there before anyone asks for the PDF
    const rec = await archiveService().record(id);
    expect(rec).toMatchObject({ permitId: id, state: 'completed', code: done.code });
    expect((await auditEntries('permit.archive', id)).length).toBe(1);

    const pdf = await pdfOf('pdf.auditor', id);
    expect(sha256(pdf)).toBe(rec!.sha256);
    const printed = await text(pdf);
    // every signer with the meaning of the signature (printed name (username) … 电子签名：<meaning>)
    for (const s of done.signatures) {
      expect(printed).toContain(`${s.printedName}（${s.username}）`);
      expect(printed).toContain(
        `电子签名：${SIGNATURE_MEANING_LABELS[s.meaning].zh}·哈希${s.contentHash.slice(0, 12)}`,
      );
    }
    expect(done.signatures.map((s) => s.meaning)).toEqual(
      expect.arrayContaining([
        'apply',
        'analyze',
        'brief',
        'brief_receive',
        'watch',
        'confirm',
        'approve',
        'check',
        'accept',
      ]),
    );
    // the analysis, the measures, the approval
    expect(printed).toContain('CH42%LEL');
    expect(printed).toContain('O220.8%vol');
    expect(printed).toContain('分析员戊');
    expect(printed).toContain('意见：同意动火');
    expect(printed).toContain('状态：已验收关闭');
    // the watcher's drawn signature is in the archived file
    expect(
      inspectPdf(pdf)
        .images.flat()
        .some((i) => i.width === 240 && i.height === 80),
    ).toBe(true);

    // later: the same bytes, whatever the clock says
    app.clock.advance(24 * 3_600_000);
    c['pdf.applicant'] = await app.as('pdf.applicant');
    expect((await pdfOf('pdf.applicant', id)).equals(pdf)).toBe(true);
  }, 180_000);

  it('archives a cancelled permit at once, and one that expired by its timer on the next scheduler pass', async () => {
    app.clock.set(new Date('2026-03-05T01:00:00Z'));
    await relogin();
    const cancelled = await submitted();
    const gone = await ok('pdf.applicant', cancelled, 'cancel', { reason: '作业计划取消' });
    expect(gone.state).toBe('cancelled');
    expect(await archiveService().record(cancelled)).toMatchObject({ state: 'cancelled' });
    const printed = await text(await pdfOf('pdf.auditor', cancelled));
    expect(printed).toContain('状态：已取消');
    expect(printed).toContain('作业计划取消');

    const id = await activePermit();
    // past its window (3 h): the timer expires it, the scheduler's pass archives it
    app.clock.advance(5 * 3_600_000);
    await app.aegis.services.workflow.runDueTimers();
    await app.aegis.services.permit.watchLive();
    expect(await archiveService().record(id)).toMatchObject({ permitId: id, state: 'expired' });
    c['pdf.auditor'] = await app.as('pdf.auditor');
    expect(await text(await pdfOf('pdf.auditor', id))).toContain('状态：已过期');
  }, 180_000);

  it('answers 404 for a permit the caller may not read, and for none', async () => {
    const outsider = await createTestUser(app, { username: 'pdf.outsider', displayName: '外人' });
    await app.aegis.services.db.transaction((tx) =>
      app.aegis.services.access.grantDirect(tx, outsider.id, 'operator', plant.b.area.id),
    );
    const them = await app.as('pdf.outsider');
    const [any] = await app.aegis.services.db.query<{ id: string }>(
      'SELECT id FROM permit ORDER BY id LIMIT 1',
    );
    expect((await them.get(`${base}/${any!.id}/pdf`)).status).toBe(404);
    expect((await c['pdf.auditor']!.get(`${base}/999999/pdf`)).status).toBe(404);
  }, 60_000);
});
