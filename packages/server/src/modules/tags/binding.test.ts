import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../context.js';
import {
  ADMIN_PASSWORD,
  type Client,
  seedTwoWorkshops,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';
import { parseCsv } from './tabular.js';

/**
 * Source bindings are scoped too: a tag of workshop A must not be pointed at workshop B's
 * device (and so read its values), and one device address feeds one tag only.
 */
let app: TestApp;
let admin: Client;
let leadA: Client;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;
const reason = 'binding review';

const tag = (equipmentId: number, code: string, source: unknown) => ({
  equipmentId,
  code,
  nameZh: code,
  nameEn: code,
  unit: 'ppm',
  source,
  reason,
});
const mqtt = (topic: string, path = 'h2s') => ({ kind: 'mqtt', topic, path });

beforeAll(async () => {
  app = await startTestApp();
  p = await seedTwoWorkshops(app);
  admin = await app.as('admin');
  leadA = await app.as('lead.a');
});
afterAll(() => app.close());

describe('tag source bindings', () => {
  it("refuses a workshop lead binding a tag of their workshop to a device (another workshop's topic)", async () => {
    const theirs = await admin.post('/api/tags', tag(p.b.press.id, 'GAS', mqtt('site/B/B-PRS-01/gas')));
    expect(theirs.status).toBe(201);
    const sneak = await leadA.post('/api/tags', tag(p.a.press.id, 'SNEAK', mqtt('site/B/B-PRS-01/gas', '$')));
    expect(sneak.status).toBe(403);
    expect(sneak.body.error.message).toMatch(/connector\.manage/);
    expect((await leadA.get('/api/tags?q=SNEAK')).body.total).toBe(0);
    const denied = await admin.get('/api/audit?action=access.denied');
    expect(JSON.stringify(denied.body.items)).toContain('connector.manage');
    // An OPC UA node id or a Modbus register of any connector: the same.
    const modbus = { kind: 'modbus', connectorId: 1, area: 'holding', address: 7 };
    expect((await leadA.post('/api/tags', tag(p.a.press.id, 'REG', modbus))).status).toBe(403);
  });

  it('lets the lead keep editing tags bound by the controls engineer, but not rebind them', async () => {
    const bound = await admin.post('/api/tags', tag(p.a.press.id, 'TEMP', mqtt('site/A/A-PRS-01/temp', 'v')));
    expect(bound.status).toBe(201);
    const unit = await leadA.patch(`/api/tags/${bound.body.id}`, { unit: '°C', reason });
    expect(unit.status).toBe(200);
    // Sending the same source back (a form saves every field) is not a rebinding.
    const same = await leadA.patch(`/api/tags/${bound.body.id}`, {
      source: { ...bound.body.source },
      nameEn: 'Temperature',
      reason,
    });
    expect(same.status, JSON.stringify(same.body)).toBe(200);
    const rebind = await leadA.patch(`/api/tags/${bound.body.id}`, {
      source: mqtt('site/B/B-PRS-01/gas'),
      reason,
    });
    expect(rebind.status).toBe(403);
    // Tags written through POST /api/ingest need no connector.
    expect((await leadA.post('/api/tags', tag(p.a.press.id, 'MANUAL', { kind: 'http' }))).status).toBe(201);
  });

  it('binds one device address to one tag, naming the tag that has it', async () => {
    const first = await admin.post(
      '/api/tags',
      tag(p.a.press.id, 'VIB', mqtt('site/A/A-PRS-01/vib', 'x.rms')),
    );
    expect(first.status).toBe(201);
    // `$.x.rms` is the same JSON path as `x.rms`.
    const again = await admin.post(
      '/api/tags',
      tag(p.b.press.id, 'VIB', mqtt('site/A/A-PRS-01/vib', '$.x.rms')),
    );
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('A-PRS-01.VIB');
    // Another field of the same message is another source.
    expect(
      (await admin.post('/api/tags', tag(p.a.press.id, 'VIB-PEAK', mqtt('site/A/A-PRS-01/vib', 'x.peak'))))
        .status,
    ).toBe(201);
    const reg = { kind: 'modbus', connectorId: 4, unitId: 1, area: 'holding', address: 40 };
    expect((await admin.post('/api/tags', tag(p.a.press.id, 'R40', reg))).status).toBe(201);
    const asFloat = { ...reg, unitId: undefined, dataType: 'float32' };
    expect((await admin.post('/api/tags', tag(p.b.press.id, 'R40', asFloat))).status).toBe(409);
    // Moving the binding onto a taken address is refused the same way.
    const other = await admin.post('/api/tags', tag(p.b.press.id, 'R41', { ...reg, address: 41 }));
    const onto = await admin.patch(`/api/tags/${other.body.id}`, { source: reg, reason });
    expect(onto.status).toBe(409);
  });

  it('does not name a tag the caller may not see', async () => {
    // A controls engineer of workshop A: connector.manage everywhere, tags only in workshop A.
    const ctx = systemContext('test');
    const { users, access, db } = app.aegis.services;
    const wiring = await admin.post('/api/access/roles', {
      code: 'wiring',
      nameZh: '接线',
      nameEn: 'Wiring',
      permissions: ['connector.manage'],
      reason,
    });
    expect(wiring.status).toBe(201);
    const eng = await users.create(
      ctx,
      {
        username: 'ctrl.a',
        displayName: 'Controls A',
        password: ADMIN_PASSWORD,
        employeeNo: null,
        phone: null,
        email: null,
        postId: null,
        teamId: null,
        departmentId: null,
        homeNodeId: p.a.area.id,
        kind: 'person',
        locale: 'en-US',
      },
      { mustChange: false },
    );
    await db.transaction(async (tx) => {
      await access.grantDirect(tx, eng.id, 'workshop_lead', p.a.area.id);
      await access.grantDirect(tx, eng.id, 'wiring', null);
    });
    const ctrl = await app.as('ctrl.a');
    const taken = await ctrl.post('/api/tags', tag(p.a.press.id, 'PEEK', mqtt('site/B/B-PRS-01/gas')));
    expect(taken.status).toBe(409);
    expect(taken.body.error.message).toBe('This source is already bound to another tag');
    expect(taken.body.error.message).not.toContain('B-PRS-01');
    const own = await ctrl.post('/api/tags', tag(p.a.press.id, 'LEVEL', mqtt('site/A/A-PRS-01/level', 'v')));
    expect(own.status).toBe(201);
  });

  it('checks bindings row by row in an import', async () => {
    const csv = [
      'equipment,code,type,source.kind,source.topic,source.path',
      'A-PRS-01,IMP-1,number,mqtt,site/A/imp,a',
      'A-PRS-01,IMP-2,number,http,,',
    ].join('\n');
    const content = Buffer.from(csv).toString('base64');
    const byLead = await leadA.post('/api/tags/import', { format: 'csv', content, reason });
    expect(byLead.body.errors).toEqual([expect.objectContaining({ row: 2, field: 'source.kind' })]);
    const dup = `${csv}\nB-PRS-01,IMP-3,number,mqtt,site/A/imp,$.a`;
    const byAdmin = await admin.post('/api/tags/import', {
      format: 'csv',
      content: Buffer.from(dup).toString('base64'),
      reason,
    });
    expect(byAdmin.body.errors).toEqual([
      expect.objectContaining({
        row: 4,
        field: 'source',
        message: expect.stringContaining('A-PRS-01.IMP-1'),
      }),
    ]);
  });

  it("lets a lead re-import their workshop's export, bindings unchanged", async () => {
    const csv = await leadA.get(`/api/tags/export?format=csv&nodeId=${p.a.area.id}`);
    expect(csv.status).toBe(200);
    const table = parseCsv(csv.body as string);
    const header = table[0]!;
    const rows = table.slice(1);
    const temp = rows.find((r) => r[header.indexOf('code')] === 'TEMP')!;
    expect(temp[header.indexOf('source.kind')]).toBe('mqtt');
    temp[header.indexOf('unit')] = 'K';
    const content = Buffer.from(
      [header, ...rows].map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')).join('\n'),
    ).toString('base64');
    const res = await leadA.post('/api/tags/import', { format: 'csv', content, reason });
    expect(res.body.errors).toEqual([]);
    expect(res.body.updated).toBe(1);
  });
});
