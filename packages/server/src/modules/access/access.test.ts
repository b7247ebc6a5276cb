import { BUILTIN_ROLES } from '@aegis/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../context.js';
import {
  ADMIN_PASSWORD,
  type Client,
  seedTwoWorkshops,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';

/** Roles and grants: who may grant what where, and that a change takes effect at once. */
let app: TestApp;
let admin: Client;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;
const reason = 'access review 2026-Q1';
const roleId = async (code: string) =>
  ((await admin.get('/api/access/roles')).body as Array<{ id: number; code: string }>).find(
    (r) => r.code === code,
  )!.id;

async function person(username: string, homeNodeId: number | null) {
  return app.aegis.services.users.create(
    systemContext('test'),
    {
      username,
      displayName: username,
      password: ADMIN_PASSWORD,
      employeeNo: null,
      phone: null,
      email: null,
      postId: null,
      teamId: null,
      departmentId: null,
      homeNodeId,
      kind: 'person',
      locale: 'zh-CN',
    },
    { mustChange: false },
  );
}

/** Every access.changed notification, as the live hub receives them. */
const changes: number[][] = [];

beforeAll(async () => {
  app = await startTestApp();
  p = await seedTwoWorkshops(app);
  admin = await app.as('admin');
  app.aegis.services.bus.on('access.changed', (e) => changes.push(e.userIds));
});
afterAll(() => app.close());

describe('grants', () => {
  it('grants and revokes with a reason, audited, and the next request already follows', async () => {
    const u = await person('op.a', p.a.area.id);
    const op = await app.as('op.a');
    expect((await op.get('/api/tags')).status).toBe(403);
    const granted = await admin.post(`/api/users/${u.id}/roles`, {
      roleId: await roleId('operator'),
      nodeId: p.a.area.id,
      reason,
    });
    expect(granted.status).toBe(201);
    expect(changes.at(-1)).toEqual([u.id]);
    expect((await op.get('/api/tags')).status).toBe(200);
    const audit = await admin.get(`/api/audit?action=role.grant&targetId=${u.id}`);
    expect(audit.body.items[0]).toMatchObject({ reason, after: { role: 'operator', nodeId: p.a.area.id } });

    expect((await admin.del(`/api/users/${u.id}/roles/${granted.body.id}`, {})).status).toBe(400); // no reason
    expect((await admin.del(`/api/users/${u.id}/roles/${granted.body.id}`, { reason })).status).toBe(200);
    expect(changes.at(-1)).toEqual([u.id]);
    expect((await op.get('/api/tags')).status).toBe(403);
  });

  it('keeps a scoped granter to their workshop, its people and the permissions they hold', async () => {
    const grantor = await admin.post('/api/access/roles', {
      code: 'grantor',
      nameZh: '授权员',
      nameEn: 'Grantor',
      // what it may grant: the inspector role, whatever that role holds today
      permissions: ['role.read', 'role.write', 'user.read', ...BUILTIN_ROLES.inspector!.permissions],
      reason,
    });
    expect(grantor.status).toBe(201);
    const g = await person('grantor.a', p.a.area.id);
    await app.aegis.services.db.transaction((tx) =>
      app.aegis.services.access.grantDirect(tx, g.id, 'grantor', p.a.area.id),
    );
    const granter = await app.as('grantor.a');
    const worker = await person('worker.a', p.a.area.id);
    const inspector = await roleId('inspector');

    const ok = await granter.post(`/api/users/${worker.id}/roles`, {
      roleId: inspector,
      nodeId: p.a.line.id,
      reason,
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    // Another workshop's node, another workshop's person, everywhere: refused.
    expect(
      (
        await granter.post(`/api/users/${worker.id}/roles`, {
          roleId: inspector,
          nodeId: p.b.area.id,
          reason,
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await granter.post(`/api/users/${p.b.lead.id}/roles`, {
          roleId: inspector,
          nodeId: p.a.area.id,
          reason,
        })
      ).status,
    ).toBe(404);
    expect(
      (await granter.post(`/api/users/${worker.id}/roles`, { roleId: inspector, nodeId: null, reason }))
        .status,
    ).toBe(403);
    // A role with permissions the granter lacks there (alarm.ack…).
    const tooMuch = await granter.post(`/api/users/${worker.id}/roles`, {
      roleId: await roleId('operator'),
      nodeId: p.a.area.id,
      reason,
    });
    expect(tooMuch.status).toBe(403);
    expect(tooMuch.body.error.details.missing).toContain('alarm.ack');
    // Revoking a grant of another workshop's person is refused the same way.
    const leadBGrants = (await admin.get(`/api/users/${p.b.lead.id}/roles`)).body as Array<{ id: number }>;
    expect(
      (await granter.del(`/api/users/${p.b.lead.id}/roles/${leadBGrants[0]!.id}`, { reason })).status,
    ).toBe(404);
    expect((await granter.get(`/api/users/${p.b.lead.id}/roles`)).status).toBe(404);
  });

  it('never removes the last enterprise-wide administrator', async () => {
    const me = (await admin.get('/api/auth/me')).body as { id: number };
    const grants = (await admin.get(`/api/users/${me.id}/roles`)).body as Array<{
      id: number;
      roleCode: string;
    }>;
    const adminGrant = grants.find((g) => g.roleCode === 'admin')!;
    const res = await admin.del(`/api/users/${me.id}/roles/${adminGrant.id}`, { reason });
    expect(res.status).toBe(409);
  });
});

describe('roles', () => {
  it('keeps built-in roles as the catalogue defines them and refuses deleting a role in use', async () => {
    const lead = await roleId('workshop_lead');
    expect(
      (await admin.patch(`/api/access/roles/${lead}`, { permissions: ['plant.read'], reason })).status,
    ).toBe(409);
    expect((await admin.del(`/api/access/roles/${lead}`, { reason })).status).toBe(409);
    expect((await admin.del(`/api/access/roles/${await roleId('grantor')}`, { reason })).status).toBe(409);
  });

  it("applies a role's new permissions to its holders at once", async () => {
    const viewer = await admin.post('/api/access/roles', {
      code: 'viewer',
      nameZh: '查看',
      nameEn: 'Viewer',
      permissions: ['tag.read', 'alarm.read'],
      reason,
    });
    const v = await person('viewer.a', p.a.area.id);
    await admin.post(`/api/users/${v.id}/roles`, { roleId: viewer.body.id, nodeId: p.a.area.id, reason });
    const client = await app.as('viewer.a');
    expect((await client.get('/api/tags')).status).toBe(200);
    const narrowed = await admin.patch(`/api/access/roles/${viewer.body.id}`, {
      permissions: ['alarm.read'],
      reason,
    });
    expect(narrowed.status).toBe(200);
    expect(changes.at(-1)).toEqual([v.id]);
    expect((await client.get('/api/tags')).status).toBe(403);
  });

  it('lets only an enterprise-wide grant change roles', async () => {
    const lead = await app.as('lead.a');
    const res = await lead.post('/api/access/roles', {
      code: 'mine',
      nameZh: '我的',
      nameEn: 'Mine',
      permissions: ['tag.read'],
      reason,
    });
    expect(res.status).toBe(403);
  });
});
