import { PERMISSION_KEYS } from '@aegis/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, type Client, seedTwoWorkshops, startTestApp, type TestApp } from '../../test/harness.js';
import { ACCESS_ADMIN_PERMISSIONS } from './token-policy.js';

let app: TestApp;
let admin: Client;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;

beforeAll(async () => {
  app = await startTestApp();
  p = await seedTwoWorkshops(app);
  admin = await app.as('admin');
});
afterAll(() => app.close());

const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });
const asToken = (secret: string, method: string, url: string, body?: unknown) =>
  anonymous(app).request(method, url, body, bearer(secret));

describe('API tokens carry their own permissions and scope', () => {
  it('refuses a token that names no permissions, more than its owner holds, or nodes outside the owner', async () => {
    const leadA = p.a.lead.id;
    const none = await admin.post('/api/auth/tokens', { userId: leadA, name: 'x' });
    expect(none.status).toBe(400);
    expect(none.body.error.message).toMatch(/permissions/);
    const notHeld = await admin.post('/api/auth/tokens', {
      userId: leadA,
      name: 'x',
      permissions: ['data.ingest'],
    });
    expect(notHeld.status).toBe(400);
    expect(notHeld.body.error.message).toMatch(/owner does not hold data.ingest/);
    const otherWorkshop = await admin.post('/api/auth/tokens', {
      userId: leadA,
      name: 'x',
      permissions: ['tag.read'],
      nodeIds: [p.b.area.id],
    });
    expect(otherWorkshop.status).toBe(400);
    expect(otherWorkshop.body.error.message).toMatch(new RegExp(`tag.read at node ${p.b.area.id}`));
    const unknownNode = await admin.post('/api/auth/tokens', {
      userId: leadA,
      name: 'x',
      permissions: ['tag.read'],
      nodeIds: [999999],
    });
    expect(unknownNode.status).toBe(400);
  });

  it('acts only with its own permissions at its own nodes, and loses what its owner loses', async () => {
    const created = await admin.post('/api/auth/tokens', {
      userId: p.a.lead.id,
      name: 'line A reader',
      permissions: ['plant.read', 'tag.read'],
      nodeIds: [p.a.line.id],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.token).toMatchObject({
      permissions: ['plant.read', 'tag.read'],
      nodeIds: [p.a.line.id],
      fullAccess: false,
    });
    const secret = created.body.secret as string;

    // Scope: the line and its press (with their ancestors for navigation), nothing of workshop B.
    const nodes = await asToken(secret, 'GET', '/api/plant/nodes');
    expect(nodes.status).toBe(200);
    const codes = nodes.body.map((n: { code: string }) => n.code);
    expect(codes).toEqual(expect.arrayContaining(['A-L1', 'A-PRS-01']));
    expect(codes.filter((c: string) => c.startsWith('B'))).toEqual([]);
    expect((await asToken(secret, 'GET', `/api/plant/nodes/${p.a.line.id}`)).status).toBe(200);
    expect((await asToken(secret, 'GET', `/api/plant/nodes/${p.a.area.id}`)).status).toBe(404);

    // Permissions: the owner may edit tags in workshop A; the token may not.
    const write = await asToken(secret, 'POST', '/api/tags', {
      equipmentId: p.a.press.id,
      code: 'TOKEN-T',
      nameZh: 't',
      nameEn: 't',
      unit: '',
      reason: 'written by a read-only token',
    });
    expect(write.status).toBe(403);

    // The owner loses the workshop lead role: the token loses it at once.
    const [assignment] = (await admin.get(`/api/users/${p.a.lead.id}/roles`)).body;
    const revoked = await admin.del(`/api/users/${p.a.lead.id}/roles/${assignment.id}`, {
      reason: 'moved to another site',
    });
    expect(revoked.status).toBe(200);
    expect((await asToken(secret, 'GET', '/api/plant/nodes')).status).toBe(403);
  });

  it("cannot carry an administrator's full power unless asked for, with a reason that is audited", async () => {
    const me = (await admin.get('/api/auth/me')).body.id as number;
    for (const perm of ACCESS_ADMIN_PERMISSIONS) {
      const res = await admin.post('/api/auth/tokens', {
        userId: me,
        name: 'admin-ish',
        permissions: [perm],
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/only with fullAccess/);
    }
    const everything = await admin.post('/api/auth/tokens', {
      userId: me,
      name: 'everything',
      permissions: PERMISSION_KEYS,
    });
    expect(everything.status).toBe(400);
    const noReason = await admin.post('/api/auth/tokens', { userId: me, name: 'full', fullAccess: true });
    expect(noReason.status).toBe(400);
    expect(JSON.stringify(noReason.body.error.details)).toContain('reason');

    const full = await admin.post('/api/auth/tokens', {
      userId: me,
      name: 'break-glass',
      fullAccess: true,
      reason: 'migration script run by the vendor',
    });
    expect(full.status).toBe(201);
    expect(full.body.token).toMatchObject({ fullAccess: true, permissions: [], nodeIds: null });
    expect((await asToken(full.body.secret, 'GET', '/api/users')).status).toBe(200);
    const entry = (await admin.get(`/api/audit?action=token.create&targetId=${full.body.token.id}`)).body
      .items[0];
    expect(entry).toMatchObject({
      reason: 'migration script run by the vendor',
      after: { fullAccess: true, name: 'break-glass' },
    });

    // A read-only token of the administrator cannot administer.
    const reader = await admin.post('/api/auth/tokens', {
      userId: me,
      name: 'reader',
      permissions: ['audit.read'],
    });
    expect(reader.status).toBe(201);
    expect((await asToken(reader.body.secret, 'GET', '/api/audit?limit=1')).status).toBe(200);
    expect((await asToken(reader.body.secret, 'GET', '/api/users')).status).toBe(403);
    expect((await asToken(reader.body.secret, 'GET', '/api/auth/tokens')).status).toBe(403);
  });
});
