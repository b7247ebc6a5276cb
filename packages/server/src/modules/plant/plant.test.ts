import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, seedTwoWorkshops, startTestApp, type TestApp } from '../../test/harness.js';

let app: TestApp;
let admin: Client;
let plant: Awaited<ReturnType<typeof seedTwoWorkshops>>;

beforeAll(async () => {
  app = await startTestApp();
  plant = await seedTwoWorkshops(app);
  admin = await app.as('admin');
});
afterAll(() => app.close());

describe('plant model', () => {
  it('returns the ISA-95 tree with workshops, lines and equipment', async () => {
    const res = await admin.get('/api/plant/tree');
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(1);
    const site = res.body[0].children[0];
    expect(site.code).toBe('S1');
    expect(site.children.map((a: { code: string }) => a.code)).toEqual(['A', 'B']);
    expect(site.children[0].children[0].children[0]).toMatchObject({ code: 'A-PRS-01', level: 'equipment' });
  });

  it('adds a node under a valid parent and audits it with the reason', async () => {
    const res = await admin.post('/api/plant/nodes', {
      parentId: plant.a.line.id,
      level: 'equipment',
      code: 'A-PRS-02',
      nameZh: '二号压力机',
      nameEn: 'Press 2',
      reason: 'new press commissioned',
    });
    expect(res.status).toBe(201);
    expect(res.body.path).toBe(`${plant.a.line.path}${res.body.id}/`);
    const audit = await admin.get(`/api/audit?targetType=plant_node&targetId=${res.body.id}`);
    expect(audit.body.items[0]).toMatchObject({
      action: 'plant.node.create',
      reason: 'new press commissioned',
      actorName: 'admin',
    });
  });

  it('refuses a change to the plant model without a reason', async () => {
    const res = await admin.patch(`/api/plant/nodes/${plant.a.press.id}`, { nameZh: '改名' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('reason_required');
    const after = await admin.get(`/api/plant/nodes/${plant.a.press.id}`);
    expect(after.body.nameZh).toBe('压力机');
  });

  it('refuses a line directly under a site', async () => {
    const res = await admin.post('/api/plant/nodes', {
      parentId: plant.site.id,
      level: 'line',
      code: 'BAD',
      nameZh: '错',
      nameEn: 'Bad',
      reason: 'trying a wrong level',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/line can only be placed under a area/);
  });

  it('puts equipment in maintenance and keeps before/after in the audit trail', async () => {
    const res = await admin.patch(`/api/plant/nodes/${plant.b.press.id}`, {
      status: 'maintenance',
      reason: 'annual overhaul',
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('maintenance');
    const audit = await admin.get(`/api/audit?action=plant.node.update&targetId=${plant.b.press.id}`);
    expect(audit.body.items[0].before.status).toBe('in_service');
    expect(audit.body.items[0].after.status).toBe('maintenance');
  });

  it('moves a line to another workshop and rewrites the paths below it', async () => {
    const line = await admin.post('/api/plant/nodes', {
      parentId: plant.a.area.id,
      level: 'line',
      code: 'MV',
      nameZh: '移',
      nameEn: 'Mv',
      reason: 'setup',
    });
    const eq = await admin.post('/api/plant/nodes', {
      parentId: line.body.id,
      level: 'equipment',
      code: 'MV-1',
      nameZh: '设备',
      nameEn: 'Eq',
      reason: 'setup',
    });
    const moved = await admin.patch(`/api/plant/nodes/${line.body.id}`, {
      parentId: plant.b.area.id,
      reason: 'line relocated',
    });
    expect(moved.status).toBe(200);
    const child = await admin.get(`/api/plant/nodes/${eq.body.id}`);
    expect(child.body.path).toBe(`${plant.b.area.path}${line.body.id}/${eq.body.id}/`);
  });

  it('will not delete a node that still has children', async () => {
    const res = await admin.del(`/api/plant/nodes/${plant.a.line.id}`, { reason: 'cleanup' });
    expect(res.status).toBe(409);
    expect((await admin.get(`/api/plant/nodes/${plant.a.line.id}`)).status).toBe(200);
  });
});
