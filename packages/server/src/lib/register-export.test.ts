import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as XLSX from 'xlsx';
import { DEMO_PASSWORD, seedDemo } from '../cli/demo.js';
import { seedDemoHazards } from '../cli/demo-hazard.js';
import { seedDemoHistory } from '../cli/demo-history.js';
import { seedDemoInspection } from '../cli/demo-inspection.js';
import { seedDemoPermits } from '../cli/demo-permit.js';
import { seedDemoRealtime } from '../cli/demo-realtime.js';
import { seedDemoRisk } from '../cli/demo-risk.js';
import { type Client, startTestApp, type TestApp } from '../test/harness.js';
import { parseCsv } from './csv.js';

// Every register (inspection, hazard, permit, alarm journal, audit trail) exports in CSV and XLSX
// exactly the rows its page lists with the same filter, in the caller's scope; a second reader
// (SheetJS) sees numbers as numbers and times as dates; a cell starting with = is defused.

let app: TestApp;
let admin: Client;
let chem: Client;

beforeAll(async () => {
  app = await startTestApp();
  const s = app.aegis.services;
  await seedDemo(s);
  await seedDemoRealtime(s);
  await seedDemoRisk(s);
  await seedDemoInspection(s);
  await seedDemoHazards(s);
  await seedDemoPermits(s);
  await seedDemoHistory(s);
  admin = await app.as('admin');
  chem = await app.as('chem.lead', DEMO_PASSWORD); // workshop lead of the tank farm only
}, 400_000);
afterAll(() => app?.close());

/** The raw bytes of a download (the harness client reads bodies as text). */
async function download(c: Client, url: string) {
  const res = await app.aegis.http.inject({ method: 'GET', url, headers: { cookie: c.cookie } });
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  return res;
}
async function csvOf(c: Client, url: string) {
  const res = await download(c, url);
  expect(String(res.headers['content-type'])).toContain('text/csv');
  expect(res.body.startsWith('\uFEFF')).toBe(true);
  const [header, ...rows] = parseCsv(res.body);
  return { header: header!, rows, raw: res.body };
}
async function xlsxOf(c: Client, url: string) {
  const res = await download(c, url);
  const wb = XLSX.read(res.rawPayload, { cellDates: true });
  const ws = wb.Sheets[wb.SheetNames[0]!]!;
  const [header, ...rows] = XLSX.utils.sheet_to_json<unknown[]>(ws, {
    header: 1,
    raw: true,
    blankrows: false,
  });
  return { header: header as string[], rows };
}
const column = (t: { header: string[]; rows: unknown[][] }, name: string) => {
  const i = t.header.findIndex((h) => h.startsWith(name));
  expect(i, `column ${name}`).toBeGreaterThanOrEqual(0);
  return t.rows.map((r) => r[i]);
};
const sorted = (xs: unknown[]) => xs.map(String).sort();

describe('register exports', () => {
  it('inspection register: the filtered, scoped tasks in CSV and XLSX, task numbers as numbers, times as dates', async () => {
    const filter = 'state=missed,done_late';
    const listed = (await chem.get(`/api/inspection/tasks?${filter}&limit=1000`)).body;
    expect(listed.total).toBeGreaterThan(3);
    const ids = listed.items.map((t: { id: number }) => t.id);
    const csv = await csvOf(chem, `/api/inspection/tasks/export.csv?${filter}`);
    const xlsx = await xlsxOf(chem, `/api/inspection/tasks/export.xlsx?${filter}`);
    expect(sorted(column(csv, '任务'))).toEqual(sorted(ids));
    expect(sorted(column(xlsx, '任务'))).toEqual(sorted(ids));
    expect(column(xlsx, '任务').every((v) => typeof v === 'number')).toBe(true);
    expect(column(xlsx, '截止').every((v) => v instanceof Date)).toBe(true);
    expect(new Set(column(csv, '状态'))).toEqual(new Set(['未检', '超期完成']));
  });

  it('hazard register: a workshop lead exports only the hazards of the workshop, the page filter applied', async () => {
    const listedAll = (await admin.get('/api/hazards?state=closed&limit=500')).body;
    const listed = (await chem.get('/api/hazards?state=closed&limit=500')).body;
    expect(listed.total).toBeGreaterThan(0);
    expect(listed.total).toBeLessThan(listedAll.total); // scoped
    const codes = listed.items.map((h: { code: string }) => h.code);
    const csv = await csvOf(chem, '/api/hazards/export.csv?state=closed');
    const xlsx = await xlsxOf(chem, '/api/hazards/export.xlsx?state=closed');
    expect(sorted(column(csv, '编号'))).toEqual(sorted(codes));
    expect(sorted(column(xlsx, '编号'))).toEqual(sorted(codes));
    expect(column(xlsx, '上报时间').every((v) => v instanceof Date)).toBe(true);
    expect(column(xlsx, '关闭时间').every((v) => v instanceof Date)).toBe(true);
  });

  it('hazard register: a title that starts with = is defused in both formats', async () => {
    const node = (await app.aegis.services.plant.byCode('TK-101', 'equipment'))[0]!;
    const res = await chem.post('/api/hazards', {
      nodeId: node.id,
      title: '=HYPERLINK("http://evil.example","click")',
      description: '公式注入测试',
      source: 'adhoc',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const csv = await csvOf(chem, '/api/hazards/export.csv?state=reported');
    expect(column(csv, '标题')).toContain('=HYPERLINK("http://evil.example","click")'); // read back as text
    expect(csv.raw).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`); // stored defused
    const xlsx = await xlsxOf(chem, '/api/hazards/export.xlsx?state=reported');
    expect(column(xlsx, '标题')).toContain(`'=HYPERLINK("http://evil.example","click")`);
  });

  it('permit register: the filtered permits in CSV and XLSX, validity as dates', async () => {
    const listed = (await admin.get('/api/permits?limit=1000')).body;
    const items = (listed.items ?? listed) as Array<{ code: string; state: string }>;
    const state = items[0]!.state;
    const codes = items.filter((p) => p.state === state).map((p) => p.code);
    const csv = await csvOf(admin, `/api/permits/export.csv?state=${state}`);
    const xlsx = await xlsxOf(admin, `/api/permits/export.xlsx?state=${state}`);
    expect(sorted(column(csv, '编号'))).toEqual(sorted(codes));
    expect(sorted(column(xlsx, '编号'))).toEqual(sorted(codes));
    expect(column(xlsx, '开始').every((v) => v instanceof Date)).toBe(true);
    // the tank farm's lead sees the tank farm's permits only (the demo's are elsewhere)
    const scoped = (await chem.get('/api/permits?limit=1000')).body;
    const scopedCodes = ((scoped.items ?? scoped) as Array<{ code: string }>).map((p) => p.code);
    expect(sorted(column(await csvOf(chem, '/api/permits/export.csv'), '编号'))).toEqual(sorted(scopedCodes));
    expect(scopedCodes.length).toBeLessThan(items.length);
  });

  it('alarm journal: the filtered, scoped entries in CSV and XLSX, values as numbers, times as dates', async () => {
    const to = app.clock.now().toISOString();
    const from = new Date(app.clock.now().getTime() - 2 * 86_400_000).toISOString();
    const filter = `priority=critical&type=activated&from=${from}&to=${to}`;
    const listed = (await chem.get(`/api/alarms/history?${filter}&limit=1000`)).body;
    const all = (await admin.get(`/api/alarms/history?${filter}&limit=1000`)).body;
    expect(listed.total).toBeGreaterThan(0);
    expect(listed.total).toBeLessThan(all.total); // scoped to the tank farm
    const csv = await csvOf(chem, `/api/alarms/history/export.csv?${filter}`);
    const xlsx = await xlsxOf(chem, `/api/alarms/history/export.xlsx?${filter}`);
    expect(csv.rows).toHaveLength(listed.total);
    expect(xlsx.rows).toHaveLength(listed.total);
    expect(sorted(column(xlsx, 'key'))).toEqual(sorted(listed.items.map((e: { key: string }) => e.key)));
    expect(column(xlsx, 'at').every((v) => v instanceof Date)).toBe(true);
    expect(column(xlsx, 'value').every((v) => typeof v === 'number')).toBe(true);
    const first = listed.items[0] as { at: number };
    const shown = column(xlsx, 'at')[0] as Date;
    // plant time: the cell shows the wall clock of the plant (Asia/Shanghai, UTC+8 by default)
    const wall = new Intl.DateTimeFormat('sv-SE', {
      timeZone: app.config.timezone,
      dateStyle: 'short',
      timeStyle: 'short',
    }).format(new Date(first.at));
    expect(shown.toISOString().slice(0, 16).replace('T', ' ')).toBe(wall);
  });

  it('audit trail: the filtered entries in CSV and XLSX, seq as a number, time as a date', async () => {
    const filter = 'action=role.grant';
    const listed = (await admin.get(`/api/audit?${filter}&limit=1000`)).body;
    expect(listed.total).toBeGreaterThan(3);
    const seqs = listed.items.map((e: { seq: number }) => e.seq);
    const csv = await csvOf(admin, `/api/audit/export.csv?${filter}`);
    const xlsx = await xlsxOf(admin, `/api/audit/export.xlsx?${filter}`);
    expect(sorted(column(csv, 'seq'))).toEqual(sorted(seqs));
    expect(sorted(column(xlsx, 'seq'))).toEqual(sorted(seqs));
    expect(column(xlsx, 'seq').every((v) => typeof v === 'number')).toBe(true);
    expect(column(xlsx, 'at').every((v) => v instanceof Date)).toBe(true);
    expect((await chem.get(`/api/audit/export.xlsx?${filter}`)).status).toBe(403);
  });
});
