import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, seedTwoWorkshops, startTestApp, type TestApp } from '../../test/harness.js';
import { parseCsv } from './tabular.js';

let app: TestApp;
let admin: Client;
let leadA: Client;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;
const reason = 'tag list from the P&ID rev. C';

beforeAll(async () => {
  app = await startTestApp();
  p = await seedTwoWorkshops(app);
  admin = await app.as('admin');
  leadA = await app.as('lead.a');
});
afterAll(() => app.close());

const tag = (equipmentId: number, code: string, extra: Record<string, unknown> = {}) => ({
  equipmentId,
  code,
  nameZh: `${code} 振动`,
  nameEn: `${code} vibration`,
  unit: 'mm/s',
  engLow: 0,
  engHigh: 50,
  reason,
  ...extra,
});

describe('tags', () => {
  it('creates, lists, changes and deletes a tag with its binding, auditing each change with the reason', async () => {
    const created = await admin.post(
      '/api/tags',
      tag(p.a.press.id, 'VIB-1', {
        source: { kind: 'mqtt', topic: 'plant/a/+/telemetry', path: 'values.vib' },
      }),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      code: 'VIB-1',
      equipmentCode: 'A-PRS-01',
      source: { kind: 'mqtt', topic: 'plant/a/+/telemetry', path: 'values.vib', connectorId: null },
    });
    const id = created.body.id;
    const listed = await admin.get(`/api/tags?equipmentId=${p.a.press.id}`);
    expect(listed.body.items.map((t: { code: string }) => t.code)).toContain('VIB-1');

    const changed = await admin.patch(`/api/tags/${id}`, {
      engHigh: 80,
      reason: 'sensor replaced, wider range',
    });
    expect(changed.status).toBe(200);
    expect(changed.body.engHigh).toBe(80);
    const audit = await admin.get(`/api/audit?action=tag.update&targetId=${id}`);
    expect(audit.body.items[0]).toMatchObject({
      reason: 'sensor replaced, wider range',
      before: { engHigh: 50 },
      after: { engHigh: 80 },
    });

    expect((await admin.del(`/api/tags/${id}`, {})).status).toBe(400); // no reason
    expect((await admin.del(`/api/tags/${id}`, { reason: 'decommissioned' })).status).toBe(200);
    expect((await admin.get(`/api/tags/${id}`)).status).toBe(404);
  });

  it('refuses bad tags with the field named', async () => {
    const noReason = await admin.post('/api/tags', { ...tag(p.a.press.id, 'X'), reason: undefined });
    expect(noReason.status).toBe(400);
    expect(JSON.stringify(noReason.body.error.details)).toContain('reason');
    const range = await admin.post('/api/tags', tag(p.a.press.id, 'X', { engLow: 10, engHigh: 5 }));
    expect(range.status).toBe(400);
    expect(JSON.stringify(range.body.error.details)).toContain('engHigh');
    const onLine = await admin.post('/api/tags', tag(p.a.line.id, 'X'));
    expect(onLine.status).toBe(400);
    expect(onLine.body.error.message).toMatch(/equipment/);
    const badSource = await admin.post(
      '/api/tags',
      tag(p.a.press.id, 'X', { source: { kind: 'modbus', address: 1 } }),
    );
    expect(badSource.status).toBe(400);
    expect(JSON.stringify(badSource.body.error.details)).toContain('connectorId');
    await admin.post('/api/tags', tag(p.a.press.id, 'DUP'));
    const dup = await admin.post('/api/tags', tag(p.a.press.id, 'DUP'));
    expect(dup.status).toBe(409);
  });

  it('keeps a workshop lead to the tags of their workshop', async () => {
    const b = await admin.post('/api/tags', tag(p.b.press.id, 'B-ONLY'));
    expect(b.status).toBe(201);
    const a = await leadA.post('/api/tags', tag(p.a.press.id, 'A-LEAD'));
    expect(a.status).toBe(201);
    const list = await leadA.get('/api/tags?limit=1000');
    const codes = list.body.items.map((t: { equipmentCode: string }) => t.equipmentCode);
    expect(codes).toContain('A-PRS-01');
    expect(codes).not.toContain('B-PRS-01');
    expect((await leadA.get(`/api/tags/${b.body.id}`)).status).toBe(404);
    expect((await leadA.patch(`/api/tags/${b.body.id}`, { unit: 'bar', reason })).status).toBe(404);
    expect((await leadA.post('/api/tags', tag(p.b.press.id, 'SNEAK'))).status).toBe(404);
  });

  it('exports CSV and XLSX and imports them back, all rows or none, with per-row errors', async () => {
    await admin.post(
      '/api/tags',
      tag(p.a.press.id, 'TEMP', {
        unit: '°C',
        source: { kind: 'sparkplug', group: 'S1', edgeNode: 'GW1', device: 'A-PRS-01', metric: 'Temp' },
      }),
    );
    const csv = await admin.get(`/api/tags/export?format=csv&nodeId=${p.a.area.id}`);
    expect(csv.status).toBe(200);
    expect(String(csv.headers['content-disposition'])).toMatch(/attachment; filename="aegis-tags-.*\.csv"/);
    const table = parseCsv(csv.body as string);
    expect(table[0]).toContain('source.metric');
    const tempRow = table.find((r) => r[1] === 'TEMP')!;
    expect(tempRow[0]).toBe('A-PRS-01');
    expect(table.some((r) => r[0] === 'B-PRS-01')).toBe(false);

    // Change one row, add one, and break one: nothing may be written.
    const header = table[0]!;
    const col = (n: string) => header.indexOf(n);
    const rows = table.slice(1).map((r) => [...r]);
    rows.find((r) => r[1] === 'TEMP')![col('unit')] = 'K';
    const added = header.map(() => '');
    added[col('equipment')] = 'A-PRS-01';
    added[col('code')] = 'NEW-1';
    added[col('type')] = 'boolean';
    added[col('source.kind')] = 'http';
    const broken = [...added];
    broken[col('code')] = 'NEW-2';
    broken[col('engLow')] = 'abc';
    broken[col('source.kind')] = 'modbus';
    const toCsv = (rs: string[][]) =>
      Buffer.from(
        [header, ...rs].map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')).join('\n'),
      ).toString('base64');
    const bad = await admin.post('/api/tags/import', {
      format: 'csv',
      content: toCsv([...rows, added, broken]),
      reason,
    });
    expect(bad.status).toBe(200);
    expect(bad.body.created).toBe(0);
    const errRow = rows.length + 3;
    expect(bad.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: errRow, field: 'engLow' }),
        expect.objectContaining({ row: errRow, field: 'source.connectorId' }),
      ]),
    );
    expect((await admin.get('/api/tags?q=NEW-1')).body.total).toBe(0);

    const dry = await admin.post('/api/tags/import', {
      format: 'csv',
      content: toCsv([...rows, added]),
      reason,
      dryRun: true,
    });
    expect(dry.body).toMatchObject({ dryRun: true, created: 1, updated: 1, errors: [] });
    expect((await admin.get('/api/tags?q=NEW-1')).body.total).toBe(0);

    const good = await admin.post('/api/tags/import', {
      format: 'csv',
      content: toCsv([...rows, added]),
      reason,
    });
    expect(good.body).toMatchObject({ dryRun: false, created: 1, updated: 1, errors: [] });
    const temp = (await admin.get('/api/tags?q=TEMP')).body.items[0];
    expect(temp).toMatchObject({ unit: 'K', source: { kind: 'sparkplug', metric: 'Temp' } });

    const xlsx = await admin.request('GET', '/api/tags/export?format=xlsx');
    expect(xlsx.status).toBe(200);
    const file = await app.aegis.http.inject({
      method: 'GET',
      url: '/api/tags/export?format=xlsx',
      headers: { cookie: admin.cookie },
    });
    const again = await admin.post('/api/tags/import', {
      format: 'xlsx',
      content: file.rawPayload.toString('base64'),
      reason,
    });
    expect(again.body.errors).toEqual([]);
    expect(again.body.unchanged).toBeGreaterThanOrEqual(3);
    expect(again.body.created + again.body.updated).toBe(0);

    const garbage = await admin.post('/api/tags/import', {
      format: 'xlsx',
      content: Buffer.from('not a workbook').toString('base64'),
      reason,
    });
    expect(garbage.status).toBe(400);
    expect(garbage.body.error.message).toMatch(/cannot be read/);
  });

  it('lets a lead import only into their own workshop', async () => {
    const csv = `equipment,code,type\nB-PRS-01,SNEAK,number\nA-PRS-01,FINE,number\n`;
    const res = await leadA.post('/api/tags/import', {
      format: 'csv',
      content: Buffer.from(csv).toString('base64'),
      reason,
    });
    expect(res.body.errors).toEqual([expect.objectContaining({ row: 2, field: 'equipment' })]);
    expect(res.body.created).toBe(0);
  });
});
