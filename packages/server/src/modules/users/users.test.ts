import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../context.js';
import {
  ADMIN_PASSWORD,
  type Client,
  seedTwoWorkshops,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';

/** People: scoped by their home node; the team, department and post they are placed in are references. */
let app: TestApp;
let admin: Client;
let hrA: Client;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;
let teamA: number;
let teamB: number;
let deptB: number;
let post: number;

const person = (username: string, extra: Record<string, unknown> = {}) => ({
  username,
  displayName: username,
  password: 'Str0ng-Passw0rd!',
  homeNodeId: p.a.area.id,
  ...extra,
});

beforeAll(async () => {
  app = await startTestApp();
  p = await seedTwoWorkshops(app);
  admin = await app.as('admin');
  // The workshop's people administrator: plant_manager (user.write, org.read…) held at workshop A.
  const { users, access, db } = app.aegis.services;
  const hr = await users.create(
    systemContext('test'),
    {
      username: 'hr.a',
      displayName: 'HR A',
      password: ADMIN_PASSWORD,
      employeeNo: null,
      phone: null,
      email: null,
      postId: null,
      teamId: null,
      departmentId: null,
      homeNodeId: p.a.area.id,
      kind: 'person',
      locale: 'zh-CN',
    },
    { mustChange: false },
  );
  await db.transaction((tx) => access.grantDirect(tx, hr.id, 'plant_manager', p.a.area.id));
  hrA = await app.as('hr.a');
  teamA = (await admin.post('/api/org/teams', { code: 'A-T', name: '甲班', nodeId: p.a.area.id })).body.id;
  teamB = (await admin.post('/api/org/teams', { code: 'B-T', name: '乙班', nodeId: p.b.area.id })).body.id;
  deptB = (await admin.post('/api/org/departments', { code: 'B-D', name: 'B', nodeId: p.b.area.id })).body.id;
  post = (await admin.post('/api/org/posts', { code: 'OP', name: '操作工' })).body.id;
});
afterAll(() => app.close());

describe('users', () => {
  it('keeps a workshop administrator to the people homed in their workshop', async () => {
    const listed = (await hrA.get('/api/users?limit=200')).body.items.map(
      (u: { username: string }) => u.username,
    );
    expect(listed).toContain('lead.a');
    expect(listed).not.toContain('lead.b');
    expect(listed).not.toContain('admin');
    expect((await hrA.get(`/api/users/${p.b.lead.id}`)).status).toBe(404);
    expect((await hrA.patch(`/api/users/${p.b.lead.id}`, { displayName: 'x' })).status).toBe(404);
    expect(
      (await hrA.post(`/api/users/${p.b.lead.id}/password`, { password: 'An0ther-Passw0rd!' })).status,
    ).toBe(404);
    expect((await hrA.post('/api/users', person('new.b', { homeNodeId: p.b.area.id }))).status).toBe(404);
    expect((await hrA.post('/api/users', person('new.hq', { homeNodeId: null }))).status).toBe(403);
    expect((await hrA.post('/api/users', person('new.a'))).status).toBe(201);
    // Moving someone of workshop A to workshop B is placing them out of reach: refused.
    const newA = (await hrA.get('/api/users?q=new.a')).body.items[0];
    expect((await hrA.patch(`/api/users/${newA.id}`, { homeNodeId: p.b.area.id })).status).toBe(404);
  });

  it("refuses placing a person in another workshop's team or department", async () => {
    const foreignTeam = await hrA.post('/api/users', person('op.1', { teamId: teamB }));
    const unknownTeam = await hrA.post('/api/users', person('op.1', { teamId: 999_999 }));
    expect(foreignTeam.status).toBe(404);
    expect(unknownTeam.status).toBe(404);
    expect(foreignTeam.body.error.message.replace(/\d+/g, 'N')).toBe(
      unknownTeam.body.error.message.replace(/\d+/g, 'N'),
    );
    expect((await hrA.post('/api/users', person('op.1', { departmentId: deptB }))).status).toBe(404);
    const unknownPost = await hrA.post('/api/users', person('op.1', { postId: 999_999 }));
    expect(unknownPost.status).toBe(400);
    expect(unknownPost.body.error.details).toEqual([expect.objectContaining({ path: 'postId' })]);

    const op = await hrA.post('/api/users', person('op.1', { teamId: teamA, postId: post }));
    expect(op.status, JSON.stringify(op.body)).toBe(201);
    expect(op.body).toMatchObject({ teamId: teamA, postId: post });
    expect((await hrA.patch(`/api/users/${op.body.id}`, { teamId: teamB })).status).toBe(404);
    expect((await hrA.patch(`/api/users/${op.body.id}`, { departmentId: deptB })).status).toBe(404);
    // An administrator may place anyone anywhere.
    expect((await admin.patch(`/api/users/${op.body.id}`, { teamId: teamB })).status).toBe(200);
  });

  it('changes only the fields a PATCH names', async () => {
    const created = await admin.post(
      '/api/users',
      person('keep.me', { teamId: teamA, postId: post, locale: 'en-US', phone: '+86 21 5555 0101' }),
    );
    expect(created.status).toBe(201);
    const renamed = await admin.patch(`/api/users/${created.body.id}`, { displayName: 'Kept' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({
      displayName: 'Kept',
      homeNodeId: p.a.area.id,
      teamId: teamA,
      postId: post,
      locale: 'en-US',
      phone: '+86 21 5555 0101',
    });
  });

  it('deactivates an account at once, keeping where it belongs; nobody deactivates themselves', async () => {
    const u = await admin.post('/api/users', person('leaver', { teamId: teamA }));
    await admin.post(`/api/users/${u.body.id}/password`, { password: 'Str0ng-Passw0rd!' });
    await app.aegis.services.db.query('UPDATE app_user SET must_change_password = false WHERE id = $1', [
      u.body.id,
    ]);
    const leaver = await app.as('leaver', 'Str0ng-Passw0rd!');
    expect((await leaver.get('/api/auth/me')).status).toBe(200);
    const off = await hrA.patch(`/api/users/${u.body.id}`, { active: false });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(off.body).toMatchObject({ active: false, homeNodeId: p.a.area.id, teamId: teamA });
    expect((await leaver.get('/api/auth/me')).status).toBe(401);
    const self = await admin.get('/api/auth/me');
    expect((await admin.patch(`/api/users/${self.body.id}`, { active: false })).status).toBe(400);
  });
});
