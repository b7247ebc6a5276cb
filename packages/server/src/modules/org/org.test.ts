import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../context.js';
import { type Client, seedTwoWorkshops, startTestApp, type TestApp } from '../../test/harness.js';

/** Departments, teams (班组), posts (岗位) and shifts, as a workshop lead and as an administrator. */
let app: TestApp;
let admin: Client;
let leadA: Client;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;

beforeAll(async () => {
  app = await startTestApp();
  p = await seedTwoWorkshops(app);
  admin = await app.as('admin');
  leadA = await app.as('lead.a');
});
afterAll(() => app.close());

const deniedCount = async () =>
  (await admin.get('/api/audit?action=access.denied&limit=500')).body.items.length as number;

describe('departments', () => {
  it('lets a lead keep departments inside their workshop, under parents they may see', async () => {
    const hq = await admin.post('/api/org/departments', { code: 'PROD', name: '生产部', nodeId: null });
    expect(hq.status).toBe(201);
    const deptB = await admin.post('/api/org/departments', {
      code: 'B-MAINT',
      name: 'B 维修',
      nodeId: p.b.area.id,
    });
    expect(deptB.status).toBe(201);

    const own = await leadA.post('/api/org/departments', {
      code: 'A-MAINT',
      name: 'A 维修',
      nodeId: p.a.area.id,
    });
    expect(own.status).toBe(201);
    expect(
      (await leadA.post('/api/org/departments', { code: 'X', name: 'X', nodeId: p.b.area.id })).status,
    ).toBe(404);
    expect((await leadA.post('/api/org/departments', { code: 'X', name: 'X', nodeId: null })).status).toBe(
      403,
    );

    // The parent is a reference: another workshop's department is answered like an unknown one.
    const before = await deniedCount();
    const underB = await leadA.post('/api/org/departments', {
      code: 'A-SUB',
      name: 'A 子部门',
      nodeId: p.a.area.id,
      parentId: deptB.body.id,
    });
    const unknown = await leadA.post('/api/org/departments', {
      code: 'A-SUB',
      name: 'A 子部门',
      nodeId: p.a.area.id,
      parentId: 999_999,
    });
    expect(underB.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(underB.body.error.message.replace(/\d+/g, 'N')).toBe(
      unknown.body.error.message.replace(/\d+/g, 'N'),
    );
    expect(await deniedCount()).toBe(before + 1);
    // …and so is a move under it later.
    expect(
      (await leadA.patch(`/api/org/departments/${own.body.id}`, { parentId: deptB.body.id })).status,
    ).toBe(404);
    expect((await leadA.patch(`/api/org/departments/${own.body.id}`, { parentId: hq.body.id })).status).toBe(
      404,
    );

    // An administrator may hang the workshop's department under the enterprise's.
    const moved = await admin.patch(`/api/org/departments/${own.body.id}`, { parentId: hq.body.id });
    expect(moved.status).toBe(200);
    expect(moved.body.parentId).toBe(hq.body.id);

    const listed = (await leadA.get('/api/org/departments')).body.map((d: { code: string }) => d.code);
    expect(listed).toContain('A-MAINT');
    expect(listed).not.toContain('B-MAINT');
    expect(listed).not.toContain('PROD');
  });

  it('refuses a department placed under itself or its own sub-department', async () => {
    const top = await admin.post('/api/org/departments', { code: 'TOP', name: 'Top', nodeId: null });
    const mid = await admin.post('/api/org/departments', {
      code: 'MID',
      name: 'Mid',
      nodeId: null,
      parentId: top.body.id,
    });
    const self = await admin.patch(`/api/org/departments/${top.body.id}`, { parentId: top.body.id });
    const loop = await admin.patch(`/api/org/departments/${top.body.id}`, { parentId: mid.body.id });
    expect(self.status).toBe(400);
    expect(loop.status).toBe(400);
    expect(loop.body.error.details).toEqual([expect.objectContaining({ path: 'parentId' })]);
  });

  it('refuses to delete a department still in use', async () => {
    const top = await admin.post('/api/org/departments', { code: 'GONE', name: 'Gone', nodeId: null });
    await admin.post('/api/org/departments', {
      code: 'GONE-1',
      name: 'Sub',
      nodeId: null,
      parentId: top.body.id,
    });
    const res = await admin.del(`/api/org/departments/${top.body.id}`);
    expect(res.status).toBe(409);
  });
});

describe('teams', () => {
  it("refuses a team led by someone the lead may not see, or in another workshop's department", async () => {
    const deptB = (await admin.get('/api/org/departments')).body.find(
      (d: { code: string }) => d.code === 'B-MAINT',
    );
    const foreignLeader = await leadA.post('/api/org/teams', {
      code: 'A-T1',
      name: '甲班',
      nodeId: p.a.area.id,
      leaderId: p.b.lead.id,
    });
    expect(foreignLeader.status).toBe(404);
    const foreignDept = await leadA.post('/api/org/teams', {
      code: 'A-T1',
      name: '甲班',
      nodeId: p.a.area.id,
      departmentId: deptB.id,
    });
    expect(foreignDept.status).toBe(404);
    const team = await leadA.post('/api/org/teams', {
      code: 'A-T1',
      name: '甲班',
      nodeId: p.a.area.id,
      leaderId: p.a.lead.id,
    });
    expect(team.status, JSON.stringify(team.body)).toBe(201);
    // Changing the leader later is checked the same way; keeping the same one is not re-checked.
    expect((await leadA.patch(`/api/org/teams/${team.body.id}`, { leaderId: p.b.lead.id })).status).toBe(404);
    expect((await leadA.patch(`/api/org/teams/${team.body.id}`, { name: '甲班（白）' })).status).toBe(200);
    // The team itself cannot be moved to workshop B.
    expect((await leadA.patch(`/api/org/teams/${team.body.id}`, { nodeId: p.b.area.id })).status).toBe(404);
    const teamsB = await admin.post('/api/org/teams', { code: 'B-T1', name: '乙班', nodeId: p.b.area.id });
    expect((await leadA.patch(`/api/org/teams/${teamsB.body.id}`, { name: 'mine' })).status).toBe(404);
    const listed = (await leadA.get('/api/org/teams')).body.map((t: { code: string }) => t.code);
    expect(listed).toEqual(['A-T1']);
  });
});

describe('posts and shifts', () => {
  it('lets every org reader read the catalogues, and only an enterprise-wide grant change them', async () => {
    const post = await admin.post('/api/org/posts', { code: 'OP', name: '操作工' });
    expect(post.status).toBe(201);
    const shift = await admin.post('/api/org/shifts', {
      code: 'N',
      name: '夜班',
      startTime: '22:00',
      endTime: '06:00',
    });
    expect(shift.status).toBe(201);
    // A lead picks posts and shifts in the forms of their workshop: they read the catalogues…
    expect((await leadA.get('/api/org/posts')).body.map((x: { code: string }) => x.code)).toContain('OP');
    expect((await leadA.get('/api/org/shifts')).body.map((x: { code: string }) => x.code)).toContain('N');
    // …but do not change them.
    expect((await leadA.post('/api/org/posts', { code: 'X', name: 'X' })).status).toBe(403);
    expect((await leadA.patch(`/api/org/posts/${post.body.id}`, { name: 'X' })).status).toBe(403);
    expect((await leadA.del(`/api/org/shifts/${shift.body.id}`)).status).toBe(403);
    expect(
      (await leadA.post('/api/org/shifts', { code: 'D', name: 'D', startTime: '08:00', endTime: '16:00' }))
        .status,
    ).toBe(403);
    // Someone without org.read anywhere does not read them.
    const { users, access, db } = app.aegis.services;
    const op = await users.create(
      systemContext('test'),
      {
        username: 'op.a',
        displayName: 'Operator A',
        password: 'Secret-Pass-2026',
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
    await db.transaction((tx) => access.grantDirect(tx, op.id, 'operator', p.a.area.id));
    const operator = await app.as('op.a');
    expect((await operator.get('/api/org/posts')).status).toBe(403);
  });
});
