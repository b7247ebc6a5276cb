import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, seedTwoWorkshops, startTestApp, type TestApp } from '../test/harness.js';

// A workshop lead of A must not list, read or change workshop B's records through any route.
let app: TestApp;
let admin: Client;
let leadA: Client;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;
let teamB: number;
let teamA: number;

beforeAll(async () => {
  app = await startTestApp();
  p = await seedTwoWorkshops(app);
  admin = await app.as('admin');
  leadA = await app.as('lead.a');
  teamA = (await admin.post('/api/org/teams', { code: 'T-A1', name: '甲班', nodeId: p.a.area.id })).body.id;
  teamB = (await admin.post('/api/org/teams', { code: 'T-B1', name: '乙班', nodeId: p.b.area.id })).body.id;
});
afterAll(() => app.close());

const codes = (nodes: Array<{ code: string; children: unknown[] }>): string[] =>
  nodes.flatMap((n) => [n.code, ...codes(n.children as never)]);

describe('scope: a workshop lead of A and the records of workshop B', () => {
  it('sees only workshop A (and its ancestors) in the plant tree and node list', async () => {
    const tree = await leadA.get('/api/plant/tree');
    const seen = codes(tree.body);
    expect(seen).toContain('A-PRS-01');
    expect(seen).toContain('S1');
    expect(seen).not.toContain('B');
    expect(seen).not.toContain('B-PRS-01');
    const list = await leadA.get('/api/plant/nodes');
    expect(list.body.map((n: { code: string }) => n.code)).not.toContain('B-L1');
  });

  it('cannot read, change, extend or delete a node of workshop B, and each attempt is audited', async () => {
    expect((await leadA.get(`/api/plant/nodes/${p.b.press.id}`)).status).toBe(404);
    const patch = await leadA.patch(`/api/plant/nodes/${p.b.press.id}`, {
      nameZh: '越权',
      reason: 'testing scope',
    });
    expect(patch.status).toBe(404);
    const child = await leadA.post('/api/plant/nodes', {
      parentId: p.b.line.id,
      level: 'equipment',
      code: 'X-1',
      nameZh: 'x',
      nameEn: 'x',
      reason: 'testing scope',
    });
    expect(child.status).toBe(404);
    expect((await leadA.del(`/api/plant/nodes/${p.b.press.id}`, { reason: 'testing scope' })).status).toBe(
      404,
    );
    expect((await admin.get(`/api/plant/nodes/${p.b.press.id}`)).body.nameZh).toBe('压力机');

    const denied = await admin.get('/api/audit?action=access.denied&actor=lead.a');
    expect(denied.body.total).toBeGreaterThanOrEqual(4);
    expect(denied.body.items[0]).toMatchObject({ outcome: 'denied', actorName: 'lead.a' });
  });

  it('can change a node of its own workshop', async () => {
    const res = await leadA.patch(`/api/plant/nodes/${p.a.press.id}`, {
      nameZh: '一号压力机',
      reason: 'renamed by workshop',
    });
    expect(res.status).toBe(200);
  });

  it('cannot move its own equipment into workshop B', async () => {
    const res = await leadA.patch(`/api/plant/nodes/${p.a.press.id}`, {
      parentId: p.b.line.id,
      reason: 'move out',
    });
    expect([403, 404]).toContain(res.status);
    expect((await admin.get(`/api/plant/nodes/${p.a.press.id}`)).body.parentId).toBe(p.a.line.id);
  });

  it('sees only the people of workshop A and cannot read or edit B’s lead', async () => {
    const list = await leadA.get('/api/users');
    const names = list.body.items.map((u: { username: string }) => u.username);
    expect(names).toContain('lead.a');
    expect(names).not.toContain('lead.b');
    expect(names).not.toContain('admin');
    expect((await leadA.get(`/api/users/${p.b.lead.id}`)).status).toBe(404);
  });

  it('sees only the teams of workshop A and cannot change B’s team', async () => {
    const list = await leadA.get('/api/org/teams');
    expect(list.body.map((t: { id: number }) => t.id)).toEqual([teamA]);
    const res = await leadA.patch(`/api/org/teams/${teamB}`, { name: '改名' });
    expect(res.status).toBe(404);
    expect((await leadA.patch(`/api/org/teams/${teamA}`, { name: '甲班（白）' })).status).toBe(200);
    const move = await leadA.patch(`/api/org/teams/${teamA}`, { nodeId: p.b.area.id });
    expect([403, 404]).toContain(move.status);
  });

  it('cannot grant roles, manage tokens or read the audit trail without those permissions', async () => {
    const grant = await leadA.post(`/api/users/${p.a.lead.id}/roles`, {
      roleId: 1,
      nodeId: p.b.area.id,
      reason: 'self-grant',
    });
    expect(grant.status).toBe(403);
    expect((await leadA.get('/api/audit')).status).toBe(403);
    expect((await leadA.get('/api/auth/tokens')).status).toBe(403);
    expect((await leadA.get(`/api/auth/sessions?userId=${p.b.lead.id}`)).status).toBe(404);
  });

  it('lets an administrator grant a scoped role, after which the scope widens', async () => {
    const roles = (await admin.get('/api/access/roles')).body;
    const lead = roles.find((r: { code: string }) => r.code === 'workshop_lead');
    const res = await admin.post(`/api/users/${p.a.lead.id}/roles`, {
      roleId: lead.id,
      nodeId: p.b.area.id,
      reason: 'covering for B',
    });
    expect(res.status).toBe(201);
    expect((await leadA.get(`/api/plant/nodes/${p.b.press.id}`)).status).toBe(200);
    const revoke = await admin.del(`/api/users/${p.a.lead.id}/roles/${res.body.id}`, {
      reason: 'cover ended',
    });
    expect(revoke.status).toBe(200);
    expect((await leadA.get(`/api/plant/nodes/${p.b.press.id}`)).status).toBe(404);
  });

  it('refuses to revoke the last enterprise-wide administrator', async () => {
    const grants = (await admin.get('/api/users/1/roles')).body;
    const adminGrant = grants.find((g: { roleCode: string }) => g.roleCode === 'admin');
    const res = await admin.del(`/api/users/1/roles/${adminGrant.id}`, { reason: 'oops' });
    expect(res.status).toBe(409);
  });
});
