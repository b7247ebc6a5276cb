import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Client, seedTwoWorkshops, startTestApp, type TestApp } from '../../test/harness.js';
import { anchorSettings } from './anchor.js';
import { type ChainedFields, chainHash } from './chain.js';
import { insertEntry, lockHead } from './repo.js';

let app: TestApp;
let admin: Client;

beforeEach(async () => {
  app = await startTestApp();
  await seedTwoWorkshops(app);
  admin = await app.as('admin');
});
afterEach(() => app.close());

const services = () => app.aegis.services;
const anchorFile = () => anchorSettings(app.config).file;

/** What someone holding the application's database role can do: append a correctly linked entry. */
async function appendAsAppRole(over: Partial<ChainedFields> = {}) {
  await services().db.transaction(async (tx) => {
    const head = await lockHead(tx);
    const fields: ChainedFields = {
      seq: head.seq + 1,
      at: app.clock.now().toISOString(),
      actorId: 1,
      actorName: 'admin',
      action: 'role.grant',
      targetType: 'user',
      targetId: '2',
      nodeId: null,
      outcome: 'success',
      reason: 'approved by the plant manager',
      before: null,
      after: { role: 'admin', nodeId: null },
      requestId: null,
      ip: '10.0.0.5',
      ...over,
    };
    await insertEntry(tx, { ...fields, prevHash: head.hash, hash: chainHash(head.hash, fields) });
  });
}

/** As the database owner with the append-only triggers off: cut the log back to entry `seq`. */
async function cutBackTo(seq: number) {
  const [row] = await services().db.query<{ hash: string }>('SELECT hash FROM audit_log WHERE seq = $1', [
    seq,
  ]);
  await services().db.execAsOwner(
    `ALTER TABLE audit_log DISABLE TRIGGER USER;
     DELETE FROM audit_log WHERE seq > ${seq};
     ALTER TABLE audit_log ENABLE TRIGGER USER;
     UPDATE audit_head SET seq = ${seq}, hash = '${row!.hash}' WHERE id = 1;`,
  );
}

describe('audit anchors outside the database', () => {
  it('checks the chain against the latest signed anchor by default', async () => {
    const anchor = await services().audit.writeAnchor();
    expect(anchor).not.toBeNull();
    const res = await admin.get('/api/audit/verify');
    expect(res.body).toMatchObject({ ok: true, anchor: { seq: anchor!.seq, at: anchor!.at } });
    // Nothing new: no second record; something new: a new one.
    expect(await services().audit.writeAnchor()).toBeNull();
    app.clock.advance(5 * 60_000);
    await admin.post('/api/auth/logout');
    admin = await app.as('admin');
    const next = await services().audit.writeAnchor();
    expect(next!.seq).toBeGreaterThan(anchor!.seq);
    expect(next!.at).toBe(app.clock.now().toISOString());
    expect(readFileSync(anchorFile(), 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('recognises an entry appended by the application database role instead of by Aegis', async () => {
    await services().audit.writeAnchor();
    const before = (await admin.get('/api/audit/verify')).body.headSeq as number;
    await appendAsAppRole();
    const res = await admin.get('/api/audit/verify');
    expect(res.body.ok).toBe(false);
    expect(res.body.firstBrokenSeq).toBe(before + 1);
    expect(res.body.problem).toMatch(/not written by Aegis/);
  });

  it('recognises a chain cut back behind the anchor, and continued with forged entries', async () => {
    const anchor = (await services().audit.writeAnchor())!;
    await cutBackTo(anchor.seq - 3);
    const cut = (await admin.get('/api/audit/verify')).body;
    expect(cut.ok).toBe(false);
    expect(cut.problem).toMatch(
      new RegExp(`before entry ${anchor.seq} anchored at .*: entries were removed`),
    );

    // Continued past the anchor's seq so the length matches again: the anchored entry differs.
    for (let i = 0; i < 5; i++) await appendAsAppRole({ reason: `forged ${i}` });
    const forged = (await admin.get('/api/audit/verify')).body;
    expect(forged.ok).toBe(false);
    expect(forged.firstBrokenSeq).toBe(anchor.seq - 2);
  });

  it('recognises a chain rewritten from a point before the anchor with every hash recomputed', async () => {
    const anchor = (await services().audit.writeAnchor())!;
    const from = anchor.seq - 4;
    const rows = await services().db.query<Record<string, unknown>>(
      'SELECT * FROM audit_log WHERE seq >= $1 ORDER BY seq',
      [from],
    );
    await cutBackTo(from - 1);
    // Re-append the same entries, one of them altered, each relinked and rehashed.
    for (const r of rows) {
      await appendAsAppRole({
        at: (r.at as Date).toISOString(),
        actorId: r.actor_id as number | null,
        actorName: r.actor_name as string,
        action: r.action as string,
        targetType: r.target_type as string | null,
        targetId: r.target_id as string | null,
        nodeId: r.node_id as number | null,
        outcome: r.outcome as 'success',
        reason: r.seq === from ? 'rewritten' : (r.reason as string | null),
        before: r.before,
        after: r.after,
        requestId: r.request_id as string | null,
        ip: r.ip as string | null,
      });
    }
    const res = (await admin.get('/api/audit/verify')).body;
    expect(res.ok).toBe(false);
    expect(res.firstBrokenSeq).toBe(from);
  });

  it('recognises a tampered or forged anchor file', async () => {
    const anchor = (await services().audit.writeAnchor())!;
    const file = anchorFile();
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace(`"seq":${anchor.seq}`, `"seq":${anchor.seq - 1}`));
    const res = (await admin.get('/api/audit/verify')).body;
    expect(res.ok).toBe(false);
    expect(res.problem).toMatch(/line 1: the signature does not verify/);

    writeFileSync(
      file,
      `${original}${JSON.stringify({ ...anchor, seq: anchor.seq + 50, sig: 'ab'.repeat(32) })}\n`,
    );
    expect((await admin.get('/api/audit/verify')).body.problem).toMatch(
      /line 2: the signature does not verify/,
    );

    writeFileSync(file, original);
    expect((await admin.get('/api/audit/verify')).body.ok).toBe(true);
  });
});
