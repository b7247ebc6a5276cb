import { PERMIT_MEASURE_DEFAULTS } from '@aegis/shared';
import { Command } from 'commander';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../cli/commands.js';
import {
  ADMIN_PASSWORD,
  type Client,
  createTestUser,
  seedTwoWorkshops,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';

/**
 * Checking a permit after the fact: every signature against the content it signed and the record
 * it was made for, every signed step against its signature, every transition against the audit
 * trail — through GET /api/permits/:id/verify and `aegis permit verify`.
 */
let app: TestApp;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;
const sig = { password: ADMIN_PASSWORD };
const ids = { applicant: 0, charge: 0, briefer: 0, watcher: 0, leadA: 0 };
let c: Record<'admin' | 'applicant' | 'charge' | 'briefer' | 'watcher' | 'leadA' | 'auditor', Client>;

const ok = (res: { status: number; body: unknown }, status = 200) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body as { id: number; code: string; state: string };
};

/** A height permit (高处作业, 3 m: Ⅰ级, one approval level), taken to active: seven signatures. */
async function activePermit(title = '3#泵房屋面检修') {
  const now = app.clock.now();
  const draft = ok(
    await c.applicant.post('/api/permits', {
      type: 'height',
      title,
      locationId: p.a.press.id,
      validFrom: now.toISOString(),
      validTo: new Date(now.getTime() + 3 * 3600_000).toISOString(),
      applicantUnit: '维修车间',
      personInChargeId: ids.charge,
      workers: [{ name: '吴作业', userId: null, certificateNo: 'T-2026-0001' }],
      watcherId: ids.watcher,
      brieferId: ids.briefer,
      acceptorId: ids.leadA,
      riskIdentification: ['高处坠落', '物体打击'],
      measures: PERMIT_MEASURE_DEFAULTS.height.map((m) => ({ code: m.code, text: m.zh, applies: true })),
      fields: { type: 'height', heightM: 3, fallProtection: '双钩安全带' },
    }),
    201,
  );
  const url = (a: string) => `/api/permits/${draft.id}/${a}`;
  expect(ok(await c.applicant.post(url('submit'), { signature: sig })).state).toBe('awaiting_approval');
  ok(await c.charge.post(url('measures/confirm'), { signature: sig }));
  ok(await c.briefer.post(url('brief'), { signature: sig }));
  ok(await c.charge.post(url('brief_receive'), { signature: sig }));
  ok(await c.watcher.post(url('watch'), { signature: sig }));
  ok(await c.leadA.post(url('approve'), { signature: sig, opinion: '同意' }));
  expect(ok(await c.leadA.post(url('activate'), { signature: sig })).state).toBe('active');
  return draft;
}

interface Verify {
  ok: boolean;
  problems: Array<{ code: string; signatureId: number | null; message: { zh: string; en: string } }>;
  signatures: Array<{ id: number; meaning: string; status: string }>;
}
const verify = async (id: number, as: Client = c.auditor) => {
  const res = await as.get(`/api/permits/${id}/verify`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Verify;
};

/** Changes the database behind Aegis's back, as someone with the owner's rights could. */
const owner = (sql: string) => app.aegis.services.db.execAsOwner(sql);
let tamperedCode = '';

beforeAll(async () => {
  app = await startTestApp({ loginRateLimitPerMinute: 1000 }, { persistent: true });
  p = await seedTwoWorkshops(app);
  const { access, db } = app.aegis.services;
  const person = async (username: string, displayName: string, role: string) => {
    const u = await createTestUser(app, { username, displayName });
    await db.transaction((tx) => access.grantDirect(tx, u.id, role, p.a.area.id));
    return u.id;
  };
  ids.applicant = await person('applicant', '王申请', 'maintenance');
  ids.charge = await person('charge', '刘负责', 'team_lead');
  ids.briefer = await person('briefer', '郑交底', 'team_lead');
  ids.watcher = await person('watcher', '陈监护', 'team_lead');
  ids.leadA = p.a.lead.id;
  await createTestUser(app, { username: 'auditor', displayName: '审计', role: 'auditor' });
  c = {
    admin: await app.as('admin'),
    applicant: await app.as('applicant'),
    charge: await app.as('charge'),
    briefer: await app.as('briefer'),
    watcher: await app.as('watcher'),
    leadA: await app.as('lead.a'),
    auditor: await app.as('auditor'),
  };
}, 180_000);
afterAll(() => app?.close());

describe('permit verification', () => {
  it('finds a permit made through Aegis intact: every signature valid, every step signed and audited', async () => {
    const permit = await activePermit();
    const v = await verify(permit.id);
    expect(v.problems).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.signatures.map((s) => s.meaning)).toEqual([
      'apply',
      'confirm',
      'brief',
      'brief_receive',
      'watch',
      'approve',
      'check',
    ]);
    expect(v.signatures.every((s) => s.status === 'valid')).toBe(true);
    // a reader outside the permit's workshop does not learn of it
    expect((await (await app.as('lead.b')).get(`/api/permits/${permit.id}/verify`)).status).toBe(404);
  });

  it('reports "changed after signing" when the content is changed in the database after signing', async () => {
    const permit = await activePermit('罐区管廊高处检修');
    tamperedCode = permit.code;
    await owner(
      `ALTER TABLE permit DISABLE TRIGGER USER; UPDATE permit SET title = '改过的内容' WHERE id = ${permit.id}; ALTER TABLE permit ENABLE TRIGGER USER;`,
    );
    const v = await verify(permit.id);
    expect(v.ok).toBe(false);
    expect(v.signatures.every((s) => s.status === 'changed_after_signing')).toBe(true);
    expect(v.problems.filter((x) => x.code === 'changed_after_signing')).toHaveLength(7);
    expect(v.problems[0]!.message.zh).toMatch(/签字后内容被修改/);
    expect(v.problems[0]!.message.zh).toContain('王申请');
  });

  it('reports a fact changed after it was signed (a measure confirmation re-attributed) on the signatures after it only', async () => {
    const permit = await activePermit('污水池护栏高处作业');
    await owner(
      `ALTER TABLE permit_measure_confirmation DISABLE TRIGGER USER;
       UPDATE permit_measure_confirmation SET confirmed_by = ${ids.briefer} WHERE permit_id = ${permit.id};
       ALTER TABLE permit_measure_confirmation ENABLE TRIGGER USER;`,
    );
    const v = await verify(permit.id);
    const status = Object.fromEntries(v.signatures.map((s) => [s.meaning, s.status]));
    // the application was signed before any confirmation; the confirmation and later ones cover it
    expect(status.apply).toBe('valid');
    expect(status.confirm).toBe('changed_after_signing');
    expect(status.check).toBe('changed_after_signing');
  });

  it('refuses a signature copied from another permit as invalid, and names a step without its signature', async () => {
    const a = await activePermit('A 线高处检修');
    const b = await activePermit('B 线高处检修');
    const { db } = app.aegis.services;
    // the approval signature of A inserted again as if it were B's
    const [copied] = await db.query<{ id: number }>(
      `INSERT INTO e_signature (record_kind, record_id, meaning, signer_id, printed_name, username, signed_at,
         content_hash, auth_method, mac, image, image_sha256, node_id)
       SELECT record_kind, $2, meaning, signer_id, printed_name, username, signed_at, content_hash, auth_method,
         mac, image, image_sha256, node_id
       FROM e_signature WHERE record_kind = 'permit' AND record_id = $1 AND meaning = 'approve' RETURNING id`,
      [a.id, b.id],
    );
    const vb = await verify(b.id);
    expect(vb.signatures.find((s) => s.id === Number(copied!.id))?.status).toBe('invalid');
    expect(vb.problems).toEqual([
      expect.objectContaining({ code: 'invalid_signature', signatureId: Number(copied!.id) }),
    ]);
    expect((await verify(a.id)).ok).toBe(true);

    // B's own check-on-site signature removed behind Aegis's back: the activation has none
    await owner(
      `ALTER TABLE e_signature DISABLE TRIGGER USER;
       DELETE FROM e_signature WHERE record_kind = 'permit' AND record_id = ${b.id} AND meaning = 'check';
       ALTER TABLE e_signature ENABLE TRIGGER USER;`,
    );
    const missing = (await verify(b.id)).problems.filter((x) => x.code === 'missing_signature');
    expect(missing).toHaveLength(1);
    expect(missing[0]!.message.zh).toMatch(/验票.*没有对应的电子签名/);
  });

  it('reports a state changed outside the workflow as an audit mismatch', async () => {
    const permit = await activePermit('仓库货架高处作业');
    await owner(`UPDATE permit SET state = 'suspended' WHERE id = ${permit.id}`);
    const v = await verify(permit.id);
    expect(v.problems.map((x) => x.code)).toEqual(['audit_mismatch']);
    expect(v.problems[0]!.message.en).toMatch(/suspended but its history ends in active/);
  });

  it("exports the register (作业票台账) as XLSX in the reader's scope, a formula in a title kept as text", async () => {
    const now = app.clock.now();
    ok(
      await c.applicant.post('/api/permits', {
        type: 'height',
        title: '=HYPERLINK("http://evil.example")',
        locationId: p.a.press.id,
        validFrom: now.toISOString(),
        validTo: new Date(now.getTime() + 3600_000).toISOString(),
        applicantUnit: '维修车间',
        personInChargeId: ids.charge,
        workers: [{ name: '吴作业', userId: null, certificateNo: 'T-2026-0001' }],
        watcherId: ids.watcher,
        brieferId: ids.briefer,
        acceptorId: ids.leadA,
        fields: { type: 'height', heightM: 6, fallProtection: '' },
      }),
      201,
    );
    const sheet = async (who: Client) => {
      const res = await app.aegis.http.inject({
        method: 'GET',
        url: '/api/permits/export.xlsx',
        headers: { cookie: who.cookie },
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('spreadsheetml');
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
      return wb.getWorksheet('作业票台账')!;
    };
    const ws = await sheet(c.auditor);
    const total = (await c.auditor.get('/api/permits?limit=1000')).body.total as number;
    expect(ws.rowCount).toBe(total + 1);
    expect(ws.getRow(1).getCell(1).value).toBe('编号 Code');
    const rows = ws.getSheetValues().slice(2) as unknown[][];
    expect(rows.some((r) => r[6] === '\'=HYPERLINK("http://evil.example")')).toBe(true);
    expect(rows.some((r) => r[2] === '高处作业' && r[9] === '作业中')).toBe(true);
    // workshop B's lead sees none of workshop A's permits
    expect((await sheet(await app.as('lead.b'))).rowCount).toBe(1);
  });

  it('`aegis permit verify` prints each problem and exits 2; a clean permit alone exits 0', async () => {
    const clean = await activePermit('命令行核验用作业票');
    // the command opens the database itself: the app lets go of it first (and is not closed twice)
    await app.aegis.close();
    app.aegis.close = async () => {};
    const run = async (...args: string[]) => {
      const out: string[] = [];
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        out.push(String(chunk));
        return true;
      });
      const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      const before = process.exitCode;
      process.exitCode = undefined;
      try {
        await runCli(new Command().exitOverride(), [
          'node',
          'aegis',
          'permit',
          'verify',
          ...args,
          '--data-dir',
          app.config.dataDir,
          ...(app.databaseUrl ? ['--database-url', app.databaseUrl] : []),
        ]);
        return { out: out.join(''), code: process.exitCode ?? 0 };
      } finally {
        spy.mockRestore();
        errSpy.mockRestore();
        process.exitCode = before;
      }
    };
    const all = await run();
    expect(all.code).toBe(2);
    expect(all.out).toMatch(new RegExp(`${tamperedCode} .*PROBLEMS`));
    expect(all.out).toMatch(/签字后内容被修改 · signature #\d+ .*the content was changed after signing/);
    expect(all.out).toMatch(/签名无效/);
    const one = await run('--id', String(clean.id));
    expect(one.code).toBe(0);
    expect(one.out).toMatch(new RegExp(`${clean.code}.*intact`));
    await expect(run('--id', '999999')).rejects.toThrow(/No permit 999999/);
  });
});
