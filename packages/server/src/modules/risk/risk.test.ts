import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Client,
  createTestUser,
  seedTwoWorkshops,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';
import { measureById } from './index.js';

/** 风险分级管控: the register through the HTTP API, as an administrator, workshop leads and a reader. */
let app: TestApp;
let admin: Client;
let leadA: Client;
let reader: Client;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;

beforeAll(async () => {
  app = await startTestApp();
  p = await seedTwoWorkshops(app);
  await createTestUser(app, { username: 'reader', role: 'auditor' });
  admin = await app.as('admin');
  leadA = await app.as('lead.a');
  reader = await app.as('reader');
});
afterAll(() => app.close());

const tankUnit = (nodeId: number, over: Record<string, unknown> = {}) => ({
  nodeId,
  name: '压力机冲压作业',
  kind: 'operation',
  method: 'lec',
  events: [
    {
      description: '手伸入模具区',
      consequence: '机械伤害',
      score: { method: 'lec', l: 3, e: 6, c: 15 },
      measures: [
        { kind: 'engineering', description: '双手按钮与光幕保护', cycle: 'shift' },
        { kind: 'training', description: '岗前安全培训' },
      ],
    },
    {
      description: '液压油泄漏',
      consequence: '火灾',
      score: { method: 'lec', l: 1, e: 6, c: 7 },
      measures: [{ kind: 'management', description: '每周检查液压管路', cycle: 'week' }],
    },
  ],
  ...over,
});

describe('risk units', () => {
  it("creates a unit whose level is the worst of its events' LEC scores", async () => {
    const res = await leadA.post('/api/risk/units', {
      ...tankUnit(p.a.press.id),
      responsibleUserId: p.a.lead.id,
    });
    expect(res.status).toBe(201);
    expect(res.body.events.map((e: { value: number; level: string }) => [e.value, e.level])).toEqual([
      [270, 'significant'],
      [42, 'low'],
    ]);
    expect(res.body.computedLevel).toBe('significant');
    expect(res.body.level).toBe('significant');
    expect(res.body.responsible).toEqual({ id: p.a.lead.id, displayName: 'Lead A' });
    expect(res.body.events[0].measures[0].cycle).toBe('shift');
    const audit = await admin.get('/api/audit?action=risk.unit.create&limit=10');
    expect(audit.body.items.length).toBe(1);
  });

  it('edits a unit keeping the ids of its measures, and removes the measures left out', async () => {
    const created = await admin.post('/api/risk/units', tankUnit(p.a.line.id, { name: '冲压线' }));
    const u = created.body;
    const kept = u.events[0].measures[0];
    const res = await admin.request('PUT', `/api/risk/units/${u.id}`, {
      ...tankUnit(p.a.line.id, { name: '冲压一线' }),
      reason: '年度风险辨识复评',
      events: [
        {
          id: u.events[0].id,
          description: '手伸入模具区',
          consequence: '机械伤害',
          score: { method: 'lec', l: 6, e: 6, c: 15 },
          measures: [{ ...kept, responsibleUserId: null, postId: null }],
        },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('冲压一线');
    expect(res.body.events).toHaveLength(1);
    expect(res.body.events[0].measures.map((m: { id: number }) => m.id)).toEqual([kept.id]);
    expect(res.body.level).toBe('major');
    expect(await measureById(app.aegis.services.db, kept.id)).toMatchObject({
      id: kept.id,
      unitId: u.id,
      nodeId: p.a.line.id,
      path: p.a.line.path,
      cycle: 'shift',
    });
    expect(await measureById(app.aegis.services.db, u.events[1].measures[0].id)).toBeNull();
  });

  it('refuses a second unit of the same name at the same node', async () => {
    const again = await admin.post('/api/risk/units', tankUnit(p.a.press.id));
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
  });

  it('refuses a measure id of another unit', async () => {
    const one = (await admin.post('/api/risk/units', tankUnit(p.b.line.id, { name: 'B1' }))).body;
    const two = (await admin.post('/api/risk/units', tankUnit(p.b.line.id, { name: 'B2' }))).body;
    const res = await admin.request('PUT', `/api/risk/units/${two.id}`, {
      ...tankUnit(p.b.line.id, { name: 'B2' }),
      reason: '试图借用别的措施',
      events: [{ ...tankUnit(0).events[0], measures: [{ ...one.events[0].measures[0] }] }],
    });
    expect(res.status).toBe(400);
  });

  it('raises the level by hand only with a reason, and never lowers it', async () => {
    const noReason = await admin.post(
      '/api/risk/units',
      tankUnit(p.a.area.id, { name: '车间A', overrideLevel: 'major' }),
    );
    expect(noReason.status).toBe(400);
    const lower = await admin.post(
      '/api/risk/units',
      tankUnit(p.a.area.id, { name: '车间A', overrideLevel: 'low', overrideReason: '想降级' }),
    );
    expect(lower.status).toBe(400);
    const raised = await admin.post(
      '/api/risk/units',
      tankUnit(p.a.area.id, { name: '车间A', overrideLevel: 'major', overrideReason: '曾发生断指事故' }),
    );
    expect(raised.status).toBe(201);
    expect(raised.body).toMatchObject({
      computedLevel: 'significant',
      overrideLevel: 'major',
      level: 'major',
      overrideReason: '曾发生断指事故',
    });
  });

  it('scores a matrix unit and refuses events scored with another method', async () => {
    const matrix = await admin.post('/api/risk/units', {
      nodeId: p.b.press.id,
      name: '行车吊装',
      kind: 'operation',
      method: 'matrix',
      events: [{ description: '吊物坠落', score: { method: 'matrix', likelihood: 3, severity: 4 } }],
    });
    expect(matrix.status).toBe(201);
    expect(matrix.body.level).toBe('general');
    const mixed = await admin.post('/api/risk/units', {
      ...tankUnit(p.b.press.id, { name: '混合' }),
      method: 'matrix',
    });
    expect(mixed.status).toBe(400);
  });
});

describe('scope', () => {
  it("refuses a workshop lead a unit in another workshop, and another workshop's people", async () => {
    expect((await leadA.post('/api/risk/units', tankUnit(p.b.press.id, { name: 'X' }))).status).toBe(404);
    const foreignPerson = await leadA.post('/api/risk/units', {
      ...tankUnit(p.a.press.id, { name: 'Y' }),
      responsibleUserId: p.b.lead.id,
    });
    expect(foreignPerson.status).toBe(404);
    const deptB = await admin.post('/api/org/departments', {
      code: 'B-SAFE',
      name: 'B 安全',
      nodeId: p.b.area.id,
    });
    const foreignDept = await leadA.post('/api/risk/units', {
      ...tankUnit(p.a.press.id, { name: 'Y' }),
      departmentId: deptB.body.id,
    });
    expect(foreignDept.status).toBe(404);
    const unknownPost = await leadA.post('/api/risk/units', {
      ...tankUnit(p.a.press.id, { name: 'Y' }),
      events: [{ ...tankUnit(0).events[0], measures: [{ kind: 'ppe', description: '手套', postId: 9999 }] }],
    });
    expect(unknownPost.status).toBe(400);
    const denied = await admin.get('/api/audit?action=access.denied&limit=100');
    expect(denied.body.items.some((e: { targetType: string }) => e.targetType === 'department')).toBe(true);
    const bUnit = (await admin.get(`/api/risk/units?nodeId=${p.b.area.id}`)).body.items[0];
    expect((await leadA.get(`/api/risk/units/${bUnit.id}`)).status).toBe(404);
    expect(
      (
        await leadA.request('PUT', `/api/risk/units/${bUnit.id}`, {
          ...tankUnit(p.a.press.id),
          reason: '搬到A车间',
        })
      ).status,
    ).toBe(404);
    const listed = (await leadA.get('/api/risk/units')).body.items as Array<{ nodeId: number }>;
    expect(listed.length).toBeGreaterThan(0);
    const aNodes = [p.a.area.id, p.a.line.id, p.a.press.id];
    expect(listed.every((u) => aNodes.includes(u.nodeId))).toBe(true);
  });

  it('lets a lead edit a unit that names a person set by the safety function, without re-checking that person', async () => {
    const u = (
      await admin.post('/api/risk/units', {
        ...tankUnit(p.a.press.id, { name: '外派负责人' }),
        responsibleUserId: p.b.lead.id,
      })
    ).body;
    const edited = await leadA.request('PUT', `/api/risk/units/${u.id}`, {
      ...tankUnit(p.a.press.id, { name: '外派负责人（复评）' }),
      responsibleUserId: p.b.lead.id,
      reason: '名称规范化',
    });
    expect(edited.status).toBe(200);
    expect(edited.body.responsibleUserId).toBe(p.b.lead.id);
    expect((await admin.del(`/api/risk/units/${u.id}`, { reason: '测试数据清理' })).status).toBe(200);
  });

  it('refuses the read-only role every write', async () => {
    const any = (await reader.get('/api/risk/units')).body.items[0];
    expect(any).toBeDefined();
    expect((await reader.post('/api/risk/units', tankUnit(p.a.press.id, { name: 'Z' }))).status).toBe(403);
    expect(
      (
        await reader.request('PUT', `/api/risk/units/${any.id}`, {
          ...tankUnit(p.a.press.id),
          reason: '只读',
        })
      ).status,
    ).toBe(403);
    expect((await reader.del(`/api/risk/units/${any.id}`, { reason: '只读用户' })).status).toBe(403);
  });
});

describe('the risk map, the measures picker and the export', () => {
  it('counts units per node and rolls the worst level up the tree', async () => {
    const map = (await admin.get('/api/risk/map')).body.nodes as Array<{
      id: number;
      counts: Record<string, number>;
      worst: string | null;
      subtreeWorst: string | null;
    }>;
    const at = (id: number) => map.find((n) => n.id === id)!;
    expect(at(p.a.line.id).worst).toBe('major');
    expect(at(p.a.press.id).counts.significant).toBe(1);
    expect(at(p.a.area.id).subtreeWorst).toBe('major');
    expect(at(p.site.id).worst).toBeNull();
    expect(at(p.site.id).subtreeWorst).toBe('major');
    expect(at(p.b.area.id).subtreeWorst).toBe('significant');
    const mine = (await leadA.get('/api/risk/map')).body.nodes as Array<{ id: number }>;
    expect(mine.map((n) => n.id).sort()).toEqual([p.a.area.id, p.a.line.id, p.a.press.id].sort());
  });

  it('filters the register by level and subtree', async () => {
    const major = (await admin.get('/api/risk/units?level=major')).body.items as Array<{ level: string }>;
    expect(major.length).toBe(2);
    const underB = (await admin.get(`/api/risk/units?nodeId=${p.b.area.id}`)).body.items as Array<{
      nodeId: number;
    }>;
    expect(underB.length).toBe(3);
    const byPerson = (await admin.get(`/api/risk/units?responsibleUserId=${p.a.lead.id}`)).body.items;
    expect(byPerson).toHaveLength(1);
    expect((await admin.get(`/api/risk/units?q=${encodeURIComponent('冲压')}`)).body.items.length).toBe(2);
    expect((await admin.get('/api/risk/units?q=%25')).body.items).toHaveLength(0);
  });

  it('lists the measures with a check cycle for a picker, in scope', async () => {
    const all = (await leadA.get('/api/risk/measures?withCycle=true')).body as Array<{
      cycle: string | null;
      nodeId: number;
    }>;
    expect(all.length).toBeGreaterThan(0);
    expect(all.every((m) => m.cycle !== null)).toBe(true);
    expect((await leadA.get(`/api/risk/measures?nodeId=${p.b.area.id}`)).status).toBe(404);
  });

  it('exports the register as an XLSX that opens with one row per measure', async () => {
    const res = await admin.request('GET', `/api/risk/export?nodeId=${p.a.press.id}`);
    expect(res.status).toBe(200);
    expect(String(res.headers['content-type'])).toContain('spreadsheetml');
    const inject = await app.aegis.http.inject({
      method: 'GET',
      url: `/api/risk/export?nodeId=${p.a.press.id}`,
      headers: { cookie: admin.cookie },
    });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(inject.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    // header + 3 measures of the one unit at the press
    expect(ws.rowCount).toBe(4);
    expect(String(ws.getRow(1).getCell(2).value)).toContain('风险分析单元');
    expect(ws.getRow(2).getCell(2).value).toBe('压力机冲压作业');
    expect(ws.getRow(2).getCell(4).value).toBe('较大风险');
    const measures = [2, 3, 4].map((r) => ws.getRow(r).getCell(15).value);
    expect(measures).toEqual(['双手按钮与光幕保护', '岗前安全培训', '每周检查液压管路']);
  });

  it('exports CSV by the house rules: BOM, and a cell that looks like a formula defused', async () => {
    await admin.post('/api/risk/units', tankUnit(p.b.area.id, { name: '=HYPERLINK("x")' }));
    const res = await admin.get(`/api/risk/export?format=csv&nodeId=${p.b.area.id}&q=HYPERLINK`);
    expect(res.status).toBe(200);
    const text = String(res.body);
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(text).toContain(`"'=HYPERLINK(""x"")"`);
    expect(text.trim().split('\r\n')).toHaveLength(4);
  });

  it('deletes a unit with a reason, audited', async () => {
    const u = (await admin.get(`/api/risk/units?nodeId=${p.b.line.id}`)).body.items[0];
    expect((await admin.del(`/api/risk/units/${u.id}`, {})).status).toBe(400);
    expect((await admin.del(`/api/risk/units/${u.id}`, { reason: '单元合并' })).status).toBe(200);
    expect((await admin.get(`/api/risk/units/${u.id}`)).status).toBe(404);
    const audit = await admin.get('/api/audit?action=risk.unit.delete&limit=10');
    expect(audit.body.items[0].reason).toBe('单元合并');
  });
});
