import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Client, seedTwoWorkshops, startTestApp, type TestApp } from '../../test/harness.js';

let app: TestApp;
let admin: Client;

/** As the database owner (a superuser), with the append-only triggers switched off: what an attacker with DB access does. */
async function tamper(sql: string) {
  const db = app.aegis.services.db;
  await db.execAsOwner(
    `ALTER TABLE audit_log DISABLE TRIGGER USER; ${sql}; ALTER TABLE audit_log ENABLE TRIGGER USER;`,
  );
}

beforeEach(async () => {
  app = await startTestApp();
  await seedTwoWorkshops(app);
  admin = await app.as('admin');
});
afterEach(() => app.close());

describe('audit trail', () => {
  it('verifies an untouched chain', async () => {
    const res = await admin.get('/api/audit/verify');
    expect(res.body).toMatchObject({ ok: true, firstBrokenSeq: null });
    expect(res.body.checked).toBeGreaterThan(10);
  });

  it('names the entry whose row was altered in SQL', async () => {
    await tamper(`UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 5`);
    const res = await admin.get('/api/audit/verify');
    expect(res.body).toMatchObject({ ok: false, firstBrokenSeq: 5 });
    expect(res.body.problem).toMatch(/entry 5 was altered/);
  });

  it('finds a deleted entry', async () => {
    await tamper('DELETE FROM audit_log WHERE seq = 7');
    const res = await admin.get('/api/audit/verify');
    expect(res.body).toMatchObject({ ok: false, firstBrokenSeq: 7 });
    expect(res.body.problem).toMatch(/missing/);
  });

  it('finds two entries whose contents were swapped', async () => {
    await tamper(`
      UPDATE audit_log SET seq = -1 WHERE seq = 3;
      UPDATE audit_log SET seq = 3 WHERE seq = 4;
      UPDATE audit_log SET seq = 4 WHERE seq = -1`);
    const res = await admin.get('/api/audit/verify');
    expect(res.body.ok).toBe(false);
    expect(res.body.firstBrokenSeq).toBe(3);
  });

  it('finds a cut tail by the head kept outside the log', async () => {
    const head = (await admin.get('/api/audit/verify')).body.headSeq as number;
    await tamper(`DELETE FROM audit_log WHERE seq > ${head - 2}`);
    const res = await admin.get('/api/audit/verify');
    expect(res.body.ok).toBe(false);
    expect(res.body.problem).toMatch(/tail cut/);
  });

  it('refuses UPDATE and DELETE on the log, even for the owner with the guard on', async () => {
    const db = app.aegis.services.db;
    await expect(db.execAsOwner('UPDATE audit_log SET reason = $1 WHERE seq = 1', ['x'])).rejects.toThrow(
      /append-only/,
    );
    await expect(db.execAsOwner('DELETE FROM audit_log WHERE seq = 1', [])).rejects.toThrow(/append-only/);
  });

  it('runs the application as a role that is no superuser and has no UPDATE or DELETE grant on the log', async () => {
    const db = app.aegis.services.db;
    const [me] = await db.query<{
      rolsuper: boolean;
      can_update: boolean;
      can_delete: boolean;
      can_insert: boolean;
    }>(
      `SELECT r.rolsuper,
              has_table_privilege(current_user, 'audit_log', 'UPDATE') AS can_update,
              has_table_privilege(current_user, 'audit_log', 'DELETE') AS can_delete,
              has_table_privilege(current_user, 'audit_log', 'INSERT') AS can_insert
       FROM pg_roles r WHERE r.rolname = current_user`,
    );
    expect(me).toEqual({ rolsuper: false, can_update: false, can_delete: false, can_insert: true });
    await expect(db.query('DELETE FROM audit_log WHERE seq = 1')).rejects.toThrow(/permission denied/);
  });

  it('writes no audit entry when the change itself fails', async () => {
    const before = (await admin.get('/api/audit?limit=1')).body.total;
    const bad = await admin.post('/api/plant/nodes', {
      parentId: 999999,
      level: 'area',
      code: 'X',
      nameZh: 'x',
      nameEn: 'x',
      reason: 'test',
    });
    expect(bad.status).toBe(400);
    expect((await admin.get('/api/audit?limit=1')).body.total).toBe(before);
  });

  it('keeps no change whose audit entry could not be written', async () => {
    const audit = app.aegis.services.audit;
    const append = audit.append;
    audit.append = async () => {
      throw new Error('disk full');
    };
    try {
      const tree = (await admin.get('/api/plant/tree')).body;
      const site = tree[0].children[0];
      const res = await admin.post('/api/plant/nodes', {
        parentId: site.id,
        level: 'area',
        code: 'NEW',
        nameZh: '新',
        nameEn: 'New',
        reason: 'test',
      });
      expect(res.status).toBe(500);
    } finally {
      audit.append = append;
    }
    const codes = (await admin.get('/api/plant/nodes')).body.map((n: { code: string }) => n.code);
    expect(codes).not.toContain('NEW');
  });

  it('exports the filtered trail as CSV with a BOM and audits the export', async () => {
    const res = await admin.request('GET', '/api/audit/export.csv?action=plant.node');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    const text = String(res.body);
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.trim().split('\r\n');
    expect(lines[0]).toContain(
      'seq,at,actorId,actorName,actorDisplayName,action,targetType,targetId,targetLabel',
    );
    expect(lines.length).toBe(1 + 8); // the two-workshop fixture creates 8 plant nodes
    const audit = await admin.get('/api/audit?action=audit.export');
    expect(audit.body.items[0].after.rows).toBe(8);
  });
});
