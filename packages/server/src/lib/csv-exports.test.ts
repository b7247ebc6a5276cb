import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, seedTwoWorkshops, startTestApp, type TestApp } from '../test/harness.js';
import { parseCsv } from './csv.js';

let app: TestApp;
let admin: Client;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;
const FORMULA = '=HYPERLINK("http://evil.example","open")';
let tagId: number;

beforeAll(async () => {
  app = await startTestApp();
  p = await seedTwoWorkshops(app);
  admin = await app.as('admin');
  const created = await admin.post('/api/tags', {
    equipmentId: p.a.press.id,
    code: 'INJ-1',
    nameZh: FORMULA,
    nameEn: '@SUM(1+1)',
    unit: '-cmd',
    engLow: -40,
    engHigh: 50,
    reason: '+formula in the reason, too',
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  tagId = created.body.id;
});
afterAll(() => app.close());

describe('every CSV export follows the one CSV policy', () => {
  it('tag export: formulas get a leading quote, negative numbers stay numbers, and it re-imports unchanged', async () => {
    const res = await admin.get(`/api/tags/export?format=csv&nodeId=${p.a.press.id}`);
    expect(res.status).toBe(200);
    const text = res.body as string;
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const line = text.split('\r\n').find((l) => l.includes('INJ-1'))!;
    expect(line).toContain(`"'=HYPERLINK(""http://evil.example"",""open"")"`);
    expect(line).toContain(",'@SUM(1+1),'-cmd,number,-40,50,");
    // No cell of the raw file starts with a formula trigger.
    for (const cell of line.split(',')) expect(cell.replace(/^"/, '')).not.toMatch(/^[=+@]/);

    // The file as exported imports back as it was: nothing changes.
    const again = await admin.post('/api/tags/import', {
      format: 'csv',
      content: Buffer.from(text, 'utf8').toString('base64'),
      reason: 'round trip',
    });
    expect(again.body).toMatchObject({ created: 0, updated: 0, errors: [] });
    expect((await admin.get(`/api/tags/${tagId}`)).body).toMatchObject({ nameZh: FORMULA, unit: '-cmd' });
  });

  it('imports quoted cells holding commas, quotes and line breaks, with a BOM', async () => {
    const csv = `\uFEFFequipment,code,nameZh,nameEn,type\r\nA-PRS-01,MULTI,"温度, 上部","line 1\nline ""2""",number\r\n`;
    const res = await admin.post('/api/tags/import', {
      format: 'csv',
      content: Buffer.from(csv, 'utf8').toString('base64'),
      reason: 'quoted cells',
    });
    expect(res.body).toMatchObject({ created: 1, errors: [] });
    const tag = (await admin.get('/api/tags?q=MULTI')).body.items[0];
    expect(tag).toMatchObject({ nameZh: '温度, 上部', nameEn: 'line 1\nline "2"' });
  });

  it('audit export: a formula in a reason is defused', async () => {
    const res = await admin.request('GET', '/api/audit/export.csv?action=tag.create');
    expect(res.status).toBe(200);
    const text = String(res.body);
    expect(text).toContain("'+formula in the reason, too");
    const rows = parseCsv(text);
    expect(rows.some((r) => r.includes('+formula in the reason, too'))).toBe(true);
    for (const line of text.split('\r\n')) {
      for (const cell of line.split(',')) expect(cell.replace(/^"/, '')).not.toMatch(/^[=+@]/);
    }
  });
});
