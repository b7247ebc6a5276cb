import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../context.js';
import { type Client, seedTwoWorkshops, startTestApp, type TestApp } from '../../test/harness.js';
import { chainHash } from './chain.js';
import { insertEntry, lockHead } from './repo.js';

let app: TestApp;
let admin: Client;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;

beforeAll(async () => {
  app = await startTestApp();
  p = await seedTwoWorkshops(app);
  admin = await app.as('admin');
});
afterAll(() => app.close());

const latest = async (query: string) => (await admin.get(`/api/audit?${query}&limit=1`)).body.items[0];

describe('audit entries name people and things', () => {
  it("shows the actor's display name and the tag's name, also after the tag is deleted", async () => {
    const tag = await admin.post('/api/tags', {
      equipmentId: p.a.press.id,
      code: 'H2S',
      nameZh: '硫化氢',
      nameEn: 'Hydrogen sulphide',
      unit: 'ppm',
      reason: 'new gas detector',
    });
    expect(tag.status).toBe(201);
    expect(await latest(`action=tag.create&targetId=${tag.body.id}`)).toMatchObject({
      actorName: 'admin',
      actorDisplayName: '系统管理员 Administrator',
      targetLabel: 'A-PRS-01.H2S 硫化氢 / Hydrogen sulphide',
    });
    expect((await admin.del(`/api/tags/${tag.body.id}`, { reason: 'detector removed' })).status).toBe(200);
    expect(await latest(`action=tag.delete&targetId=${tag.body.id}`)).toMatchObject({
      targetLabel: expect.stringContaining('H2S 硫化氢'),
    });
  });

  it('names the user a role was granted to and the plant node', async () => {
    const roles = (await admin.get('/api/access/roles')).body as Array<{ id: number; code: string }>;
    const operator = roles.find((r) => r.code === 'operator')!;
    const res = await admin.post(`/api/users/${p.b.lead.id}/roles`, {
      roleId: operator.id,
      nodeId: p.b.area.id,
      reason: 'covers the night shift',
    });
    expect(res.status).toBe(201);
    const entry = await latest(`action=role.grant&targetId=${p.b.lead.id}`);
    expect(entry.targetLabel).toBe('Lead B (lead.b)');
    expect(await latest(`action=plant.node.create&targetId=${p.a.press.id}`)).toMatchObject({
      targetLabel: 'A-PRS-01 压力机 / Press',
    });
  });

  it('names the actor and target of older entries written without names, when they are read', async () => {
    const { db } = app.aegis.services;
    await db.transaction(async (tx) => {
      const head = await lockHead(tx);
      const fields = {
        seq: head.seq + 1,
        at: app.clock.now().toISOString(),
        actorId: p.a.lead.id,
        actorName: 'lead.a',
        action: 'legacy.entry',
        targetType: 'plant_node',
        targetId: String(p.a.line.id),
        nodeId: null,
        outcome: 'success' as const,
        reason: null,
        before: null,
        after: null,
        requestId: null,
        ip: null,
      };
      await insertEntry(tx, {
        ...fields,
        prevHash: head.hash,
        hash: chainHash(head.hash, fields),
        mac: null,
      });
    });
    expect(await latest('action=legacy.entry')).toMatchObject({
      actorDisplayName: 'Lead A',
      targetLabel: 'A-L1 A线 / Line A',
    });
    // An entry without a target has no label; a system task is named as it calls itself.
    await app.aegis.services.audit.record(systemContext('retention'), { action: 'system.note' });
    expect(await latest('action=system.note')).toMatchObject({
      actorDisplayName: 'retention',
      targetLabel: null,
    });
  });
});
