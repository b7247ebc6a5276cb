import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as XLSX from 'xlsx';
import { systemContext } from '../../context.js';
import {
  type Client,
  createTestUser,
  seedTwoWorkshops,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';
import { type SmtpSink, startSmtpSink } from '../notify/smtp-sink.js';
import { createReportService } from './service.js';

const run = promisify(execFile);
const reason = 'report test';

let app: TestApp;
let admin: Client;
let safety: Client;
let leadA: Client;
let auditor: Client;
let sink: SmtpSink;
let dir: string;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;
const ids = { safety: 0, dayShift: 0, nightShift: 0 };
const HAZARDS = 70;

/** What a real reader (poppler's pdftotext) extracts, without whitespace (cells wrap). */
async function pdfText(pdf: Buffer, name: string) {
  const file = path.join(dir, `${name}.pdf`);
  await writeFile(file, pdf);
  const { stdout } = await run('/usr/bin/pdftotext', ['-raw', '-enc', 'UTF-8', file, '-']);
  return stdout.replace(/\s+/g, '');
}
/** pdfinfo's page count and the PNG pages pdftoppm renders. */
async function renderPages(pdf: Buffer, name: string) {
  const file = path.join(dir, `${name}-r.pdf`);
  await writeFile(file, pdf);
  const info = (await run('/usr/bin/pdfinfo', [file])).stdout;
  const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
  await run('/usr/bin/pdftoppm', ['-png', '-r', '30', file, path.join(dir, `${name}-page`)]);
  const pngs = (await readdir(dir)).filter((f) => f.startsWith(`${name}-page`) && f.endsWith('.png'));
  for (const f of pngs) {
    const head = (await readFile(path.join(dir, f))).subarray(1, 4).toString();
    expect(head).toBe('PNG');
  }
  return { pages, rendered: pngs.length };
}
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function download(client: Client, id: number, format: 'pdf' | 'xlsx') {
  const res = await app.aegis.http.inject({
    method: 'GET',
    url: `/api/reports/${id}/files/${format}`,
    headers: { cookie: client.cookie },
  });
  return { status: res.statusCode, bytes: res.rawPayload, headers: res.headers };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aegis-report-'));
  sink = await startSmtpSink();
  app = await startTestApp({ loginRateLimitPerMinute: 1000 }, { persistent: true });
  admin = await app.as('admin');
  p = await seedTwoWorkshops(app);
  const s = await createTestUser(app, { username: 'safety', displayName: '李安环', role: 'safety_officer' });
  ids.safety = s.id;
  await createTestUser(app, { username: 'auditor', displayName: '审计员', role: 'auditor' });
  safety = await app.as('safety');
  leadA = await app.as('lead.a');
  auditor = await app.as('auditor');
  expect(
    (await safety.request('PUT', '/api/me/notify-profile', { email: 'safety@plant.example' })).status,
  ).toBe(200);
  const day = await admin.post('/api/org/shifts', {
    code: 'D',
    name: '白班',
    startTime: '08:00',
    endTime: '20:00',
    reason,
  });
  const night = await admin.post('/api/org/shifts', {
    code: 'N',
    name: '夜班',
    startTime: '20:00',
    endTime: '08:00',
    reason,
  });
  expect(day.status, JSON.stringify(day.body)).toBeLessThan(300);
  ids.dayShift = day.body.id;
  ids.nightShift = night.body.id;
  const { hazard } = app.aegis.services;
  const ctx = systemContext('test-seed');
  for (let i = 1; i <= HAZARDS; i++)
    await hazard.create(ctx, {
      nodeId: i % 5 === 0 ? p.b.area.id : p.a.line.id,
      title: `泄漏点第${i}号阀门`,
      description: '',
      place: '',
      source: 'adhoc',
      photoIds: [],
    });
  // Three alarms raised in the day shift of 2026-03-02 (08:00–20:00 Shanghai) in workshop A, one still active.
  const pressPath = (await app.aegis.services.plant.byId(p.a.press.id))!.path;
  for (const [i, min, type, to] of [
    [1, 10, 'activated', 'unack_active'],
    [2, 20, 'activated', 'unack_active'],
    [3, 30, 'activated', 'unack_active'],
    [1, 40, 'acknowledged', 'ack_active'],
    [2, 50, 'cleared', 'rtn_unack'],
    [3, 55, 'cleared', 'normal'],
  ] as const)
    await app.aegis.services.db.query(
      `INSERT INTO alarm_event (at, key, rule_id, tag_id, equipment_id, node_path, type, from_state, to_state, priority, message, annunciated)
       VALUES ($1, $2, 1, 1, $3, $4, $5, 'normal', $6, 'high', $7, true)`,
      [
        new Date(Date.UTC(2026, 2, 2, 1, min)),
        `k${i}`,
        p.a.press.id,
        pressPath,
        type,
        to,
        `反应釜压力高高报警${i}`,
      ],
    );
}, 180_000);
afterAll(async () => {
  await app?.close();
  await sink?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the PDF and XLSX of a report, read with real readers', () => {
  it('prints every hazard of a multi-page register in Chinese, with the header on every page', async () => {
    const out = await app.aegis.services.reports.render('hazard_register', {
      nodeId: null,
      from: '2026-03-01',
      to: '2026-03-02',
    });
    const text = await pdfText(out.pdf!, 'hazards');
    expect(text).toContain('隐患台账');
    for (let i = 1; i <= HAZARDS; i++) expect(text).toContain(`泄漏点第${i}号阀门`);
    const { pages, rendered } = await renderPages(out.pdf!, 'hazards');
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(rendered).toBe(pages);
    // the table's header is repeated on each page it runs over
    expect(text.split('上报时间').length - 1).toBeGreaterThanOrEqual(pages);
    expect(text).toContain(`第${pages}页`);
  });

  it('writes the register workbook with numbers as numbers and plant-time dates as dates', async () => {
    const out = await app.aegis.services.reports.render('hazard_register', {
      nodeId: p.a.area.id,
      from: '2026-03-01',
      to: '2026-03-02',
    });
    const wb = XLSX.read(out.xlsx!, { type: 'buffer', cellDates: true });
    expect(wb.SheetNames).toEqual(['概要', '隐患台账']);
    const ws = wb.Sheets['隐患台账']!;
    const rows = XLSX.utils.sheet_to_json<Record<string, unknown>>(ws);
    expect(rows).toHaveLength(HAZARDS - HAZARDS / 5); // workshop B's fifth is out
    const reported = rows[0]!['上报时间'];
    expect(reported).toBeInstanceOf(Date);
    // reported at 08:00Z = 16:00 in Shanghai: the cell shows the plant's wall clock
    expect((reported as Date).getUTCHours() === 16 || (reported as Date).getHours() === 16).toBe(true);
    expect(ws['!autofilter']).toBeTruthy();
    const summary = XLSX.utils.sheet_to_json<unknown[]>(wb.Sheets['概要']!, { header: 1 });
    const count = summary.find((r) => r[0] === '隐患数');
    expect(count?.[1]).toBe(HAZARDS - HAZARDS / 5);
    expect(typeof count?.[1]).toBe('number');
  });

  it('reports the day shift: alarms raised and still standing at handover, in both files', async () => {
    const out = await app.aegis.services.reports.render('shift_daily', {
      nodeId: p.a.area.id,
      from: '2026-03-02',
      to: '2026-03-02',
      shiftId: ids.dayShift,
    });
    const text = await pdfText(out.pdf!, 'shift');
    expect(text).toContain('交接班日报');
    expect(text).toContain('白班（08:00–20:00）');
    // one alarm still active (acknowledged) and one returned unacknowledged is cleared: k1 stands
    expect(text).toContain('反应釜压力高高报警1');
    expect(text).not.toContain('反应釜压力高高报警3');
    const wb = XLSX.read(out.xlsx!, { type: 'buffer', cellDates: true });
    const summary = XLSX.utils.sheet_to_json<unknown[]>(wb.Sheets['概要']!, { header: 1 });
    expect(summary.find((r) => r[0] === '报警（触发）')?.[1]).toBe(3);
    const standing = XLSX.utils.sheet_to_json<Record<string, unknown>>(wb.Sheets[wb.SheetNames[1]!]!);
    expect(standing.map((r) => r['报警'])).toEqual(['反应釜压力高高报警1']);
    expect(standing[0]!['触发时间']).toBeInstanceOf(Date);
  });

  it('draws the weekly report with its charts and says which sections are left out', async () => {
    const out = await app.aegis.services.reports.render('weekly_safety', {
      nodeId: null,
      from: '2026-02-24',
      to: '2026-03-02',
    });
    const text = await pdfText(out.pdf!, 'weekly');
    for (const s of [
      '安全周报',
      '本期与上期对比',
      '每日报警数（按优先级）',
      '未关闭隐患',
      '作业票与应急演练',
    ])
      expect(text).toContain(s);
    // the shift comparison and training needs: a section when their modules answer, else named as left out
    for (const s of ['班次对比', '培训需求']) expect(text).toContain(s);
    const facts = XLSX.utils.sheet_to_json<unknown[]>(
      XLSX.read(out.xlsx!, { type: 'buffer' }).Sheets['概要']!,
      {
        header: 1,
      },
    );
    const leftOut = String(facts.find((r) => r[0] === '未包含')?.[1] ?? '');
    expect(leftOut.includes('班次对比') || text.includes('五、班次对比')).toBe(true);
    const { pages, rendered } = await renderPages(out.pdf!, 'weekly');
    expect(rendered).toBe(pages);
    const wb = XLSX.read(out.xlsx!, { type: 'buffer' });
    const cmp = XLSX.utils.sheet_to_json<Record<string, unknown>>(wb.Sheets['本期与上期']!);
    const raised = cmp.find((r) => r['指标'] === '报警触发')!;
    expect(Object.values(raised)).toContain(3);
  });
});

describe('the monthly alarm-performance report', () => {
  it('prints the KPIs of services.kpi with the bad actors and the priority mix', async () => {
    const out = await app.aegis.services.reports.render('monthly_alarm', {
      nodeId: p.a.area.id,
      from: '2026-03-01',
      to: '2026-03-31',
    });
    const text = await pdfText(out.pdf!, 'monthly');
    for (const s of [
      '月度报警绩效报告',
      '报警负荷',
      '优先级分布',
      '前10位频发报警',
      '确认时间',
      '反应釜压力高高报警2',
    ])
      expect(text).toContain(s);
    const { pages, rendered } = await renderPages(out.pdf!, 'monthly');
    expect(rendered).toBe(pages);
    const wb = XLSX.read(out.xlsx!, { type: 'buffer' });
    const summary = XLSX.utils.sheet_to_json<unknown[]>(wb.Sheets['概要']!, { header: 1 });
    expect(summary.find((r) => r[0] === '报警总数')?.[1]).toBe(3);
    const bad = XLSX.utils.sheet_to_json<Record<string, unknown>>(wb.Sheets['频发报警']!);
    expect(bad).toHaveLength(3);
    expect(bad.every((r) => r['次数'] === 1)).toBe(true);
  });
});

describe('generating on demand', () => {
  it('answers a queued run at once, shows progress, archives both files with their SHA-256 and audits it all', async () => {
    const res = await safety.post('/api/reports', {
      kind: 'hazard_register',
      params: { nodeId: p.a.area.id, from: '2026-03-01', to: '2026-03-02' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(['queued', 'running']).toContain(res.body.status);
    expect(res.body.title).toBe('隐患台账 · 车间A · 2026-03-01 至 2026-03-02');
    await app.aegis.services.reports.idle();
    const done = await safety.get(`/api/reports/${res.body.id}`);
    expect(done.body.status).toBe('done');
    expect(done.body.progress).toBe(100);
    expect(done.body.requestedBy.name).toBe('李安环');
    expect(done.body.files.map((f: { format: string }) => f.format)).toEqual(['pdf', 'xlsx']);
    for (const f of done.body.files as {
      format: 'pdf' | 'xlsx';
      sha256: string;
      size: number;
      name: string;
    }[]) {
      const d = await download(safety, res.body.id, f.format);
      expect(d.status).toBe(200);
      expect(sha(d.bytes)).toBe(f.sha256);
      expect(d.bytes.length).toBe(f.size);
      expect(String(d.headers['content-disposition'])).toContain(encodeURIComponent('隐患台账'));
    }
    // the archive on disk holds the same bytes
    const { db } = app.aegis.services;
    const rows = await db.query<{ file: string; sha256: string }>(
      'SELECT file, sha256 FROM report_file WHERE run_id = $1',
      [res.body.id],
    );
    for (const r of rows) {
      expect(r.file.startsWith('reports/')).toBe(true);
      expect(sha(await readFile(path.join(app.config.dataDir, r.file)))).toBe(r.sha256);
    }
    const audit = await admin.get(`/api/audit?targetType=report_run&targetId=${res.body.id}&limit=20`);
    const actions = audit.body.items.map((e: { action: string }) => e.action).sort();
    expect(actions).toEqual(['report.archive', 'report.download', 'report.download', 'report.generate']);
    const list = await safety.get('/api/reports?limit=5');
    expect(list.body.items[0].id).toBe(res.body.id);
  });

  it('reports its progress as it goes, never backwards, up to the files', async () => {
    const seen: number[] = [];
    await app.aegis.services.reports.render(
      'shift_daily',
      { nodeId: null, from: '2026-03-01', to: '2026-03-02' },
      { onProgress: (p) => void seen.push(p) },
    );
    // two days × two shifts, then the PDF's blocks and the workbook
    expect(seen.length).toBeGreaterThan(6);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(seen[0]).toBeLessThan(40);
    expect(seen[seen.length - 1]).toBeGreaterThanOrEqual(95);
  });

  it('refuses a changed archive file instead of serving it', async () => {
    const res = await safety.post('/api/reports', {
      kind: 'permit_register',
      params: { nodeId: p.a.area.id, from: '2026-03-01', to: '2026-03-02' },
    });
    await app.aegis.services.reports.idle();
    const [row] = await app.aegis.services.db.query<{ file: string }>(
      `SELECT file FROM report_file WHERE run_id = $1 AND format = 'pdf'`,
      [res.body.id],
    );
    await writeFile(path.join(app.config.dataDir, row!.file), Buffer.from('%PDF-1.3 forged'));
    expect((await download(safety, res.body.id, 'pdf')).status).toBe(500);
  });

  it('says clearly what is wrong with the parameters', async () => {
    const bad = async (params: Record<string, unknown>, kind = 'hazard_register') =>
      safety.post('/api/reports', { kind, params });
    const backwards = await bad({ nodeId: p.a.area.id, from: '2026-03-02', to: '2026-03-01' });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.message).toContain('after it ends');
    const long = await bad({ nodeId: null, from: '2025-01-01', to: '2026-03-01' });
    expect(long.status).toBe(400);
    expect(long.body.error.message).toContain('at most 366 days');
    const unknown = await bad({ nodeId: 999_999, from: '2026-03-01', to: '2026-03-01' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('Plant node 999999 does not exist');
    const shift = await bad(
      { nodeId: null, from: '2026-03-01', to: '2026-03-01', shiftId: 999 },
      'shift_daily',
    );
    expect(shift.status).toBe(400);
    const notADay = await bad({ nodeId: null, from: '2026-02-30', to: '2026-03-01' });
    expect(notADay.status).toBe(400);
  });

  it('keeps reports in their scope: a read-only role cannot generate, a workshop lead sees only their workshop', async () => {
    const params = { nodeId: p.a.area.id, from: '2026-03-01', to: '2026-03-02' };
    expect((await auditor.post('/api/reports', { kind: 'hazard_register', params })).status).toBe(403);
    // lead A may generate for A, not for B (B is not even visible: 404)
    const own = await leadA.post('/api/reports', { kind: 'hazard_register', params });
    expect(own.status).toBe(202);
    const other = await leadA.post('/api/reports', {
      kind: 'hazard_register',
      params: { ...params, nodeId: p.b.area.id },
    });
    expect(other.status).toBe(404);
    // the audit extract needs audit.export
    const extract = await leadA.post('/api/reports', { kind: 'audit_extract', params });
    expect(extract.status).toBe(403);
    await app.aegis.services.reports.idle();
    // a report of workshop B made by the safety officer is hidden from lead A, list and download
    const b = await safety.post('/api/reports', {
      kind: 'hazard_register',
      params: { ...params, nodeId: p.b.area.id },
    });
    await app.aegis.services.reports.idle();
    expect((await leadA.get(`/api/reports/${b.body.id}`)).status).toBe(404);
    expect((await download(leadA, b.body.id, 'pdf')).status).toBe(404);
    const listed = await leadA.get('/api/reports?limit=100');
    expect(listed.body.items.some((r: { id: number }) => r.id === b.body.id)).toBe(false);
    expect(listed.body.items.some((r: { id: number }) => r.id === own.body.id)).toBe(true);
  });

  it('extracts the audit trail for an inspector, every entry of the period in the PDF', async () => {
    const res = await safety.post('/api/reports', {
      kind: 'audit_extract',
      params: { nodeId: null, from: '2026-03-02', to: '2026-03-02' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    await app.aegis.services.reports.idle();
    const d = await download(safety, res.body.id, 'pdf');
    expect(d.status).toBe(200);
    const text = await pdfText(d.bytes, 'audit');
    expect(text).toContain('审计记录摘录');
    const wb = XLSX.read((await download(safety, res.body.id, 'xlsx')).bytes, {
      type: 'buffer',
      cellDates: true,
    });
    const rows = XLSX.utils.sheet_to_json<Record<string, unknown>>(wb.Sheets['审计记录']!);
    expect(rows.length).toBeGreaterThan(HAZARDS);
    for (const r of rows) expect(typeof r['序号']).toBe('number');
    expect(text).toContain('report.generate');
  });
});

describe('schedules', () => {
  let scheduleId = 0;
  it('needs report.manage and a reason, and checks the cron', async () => {
    const body = {
      name: '车间A 交接班日报',
      kind: 'shift_daily',
      nodeId: p.a.area.id,
      period: 'yesterday',
      cron: '0 8 * * *',
      recipients: { userIds: [ids.safety], roleIds: [] },
    };
    expect((await safety.post('/api/reports/schedules', body)).status).toBe(400); // no reason
    expect((await auditor.post('/api/reports/schedules', { ...body, reason })).status).toBe(403);
    const badCron = await safety.post('/api/reports/schedules', { ...body, cron: '0 8 * * * * * *', reason });
    expect(badCron.status).toBe(400);
    const ok = await safety.post('/api/reports/schedules', { ...body, reason });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.recipientNames).toEqual(['李安环']);
    // 08:00 in Shanghai is 00:00Z: the next after 2026-03-02T08:00Z is 2026-03-03T00:00Z
    expect(ok.body.nextAt).toBe('2026-03-03T00:00:00.000Z');
    scheduleId = ok.body.id;
  });

  it('e-mails the scheduled report with the PDF attached, once per occurrence across ticks and a restart', async () => {
    const email = await admin.post('/api/notify/channels', {
      code: 'mail',
      name: '邮件',
      kind: 'email',
      settings: { host: '127.0.0.1', port: sink.port, security: 'none', from: 'aegis@plant.example' },
      reason,
    });
    expect(email.status, JSON.stringify(email.body)).toBe(201);
    const policy = await admin.post('/api/notify/policies', {
      code: 'reports',
      name: '报表推送',
      match: { kinds: ['report.ready'], priorities: [], nodeId: null },
      levels: [{ delayMinutes: 0, recipients: [{ type: 'assignee' }], channelIds: [email.body.id] }],
      repeat: { count: 0, intervalMinutes: 10 },
      groupSeconds: 0,
      reason,
    });
    expect(policy.status, JSON.stringify(policy.body)).toBe(201);
    const runsOf = async () =>
      app.aegis.services.db.query<{ id: string; occurrence: Date; status: string; params: { from: string } }>(
        'SELECT id, occurrence, status, params FROM report_run WHERE schedule_id = $1 ORDER BY occurrence',
        [scheduleId],
      );
    await app.aegis.services.reports.runSchedules();
    expect(await runsOf()).toHaveLength(0); // not yet due
    app.clock.set(new Date('2026-03-03T00:00:30Z'));
    await app.aegis.services.reports.runSchedules();
    await app.aegis.services.reports.runSchedules();
    let runs = await runsOf();
    expect(runs).toHaveLength(1);
    expect(runs[0]!.status).toBe('done');
    expect(runs[0]!.params.from).toBe('2026-03-02');
    await app.aegis.services.notify.pulse();
    await app.aegis.services.notify.pulse();
    const mails = await sink.waitFor(1);
    const mail = mails.find((m) => m.to.includes('safety@plant.example'))!;
    expect(mail.subject).toContain('交接班日报');
    const pdf = mail.parsed.attachments.find((a) => a.contentType === 'application/pdf');
    expect(pdf?.filename).toMatch(/^交接班日报_车间A_2026-03-02\.pdf$/);
    const [file] = await app.aegis.services.db.query<{ sha256: string }>(
      `SELECT sha256 FROM report_file WHERE run_id = $1 AND format = 'pdf'`,
      [runs[0]!.id],
    );
    expect(sha(pdf!.content)).toBe(file!.sha256);
    expect(await pdfText(pdf!.content, 'mailed')).toContain('白班');

    // a restart, the same minute and the next day's occurrence: one new run, one more mail
    await app.restart();
    await app.aegis.services.reports.runSchedules();
    expect(await runsOf()).toHaveLength(1);
    app.clock.set(new Date('2026-03-04T00:01:00Z'));
    await app.aegis.services.reports.runSchedules();
    await app.aegis.services.reports.runSchedules();
    runs = await runsOf();
    expect(runs.map((r) => r.occurrence.toISOString())).toEqual([
      '2026-03-03T00:00:00.000Z',
      '2026-03-04T00:00:00.000Z',
    ]);
    await app.aegis.services.notify.pulse();
    await app.aegis.services.notify.pulse();
    await sink.waitFor(2);
    // the marker: a third pulse sends nothing more
    await app.aegis.services.notify.pulse();
    expect(sink.mails.filter((m) => m.subject.includes('交接班日报'))).toHaveLength(2);
    safety = await app.as('safety');
    admin = await app.as('admin');
  });

  it('generates a due occurrence once when two schedulers tick at the same time', async () => {
    const weekly = await safety.post('/api/reports/schedules', {
      name: '全厂安全周报',
      kind: 'weekly_safety',
      nodeId: null,
      period: 'last_week',
      cron: '0 8 * * 1',
      recipients: { userIds: [], roleIds: [] },
      reason,
    });
    expect(weekly.status, JSON.stringify(weekly.body)).toBe(200);
    // a second process: the same services, its own report worker
    const other = createReportService({ ...app.aegis.services, config: app.config });
    app.clock.set(new Date('2026-03-09T00:00:10Z'));
    await Promise.all([app.aegis.services.reports.runSchedules(), other.runSchedules()]);
    await Promise.all([app.aegis.services.reports.idle(), other.idle()]);
    safety = await app.as('safety'); // a week later: fresh sessions
    admin = await app.as('admin');
    const runs = await app.aegis.services.db.query<{ status: string; params: { from: string; to: string } }>(
      'SELECT status, params FROM report_run WHERE schedule_id = $1',
      [weekly.body.id],
    );
    expect(runs).toHaveLength(1);
    expect(runs[0]!.status).toBe('done');
    expect(runs[0]!.params).toMatchObject({ from: '2026-03-02', to: '2026-03-08' });
    expect((await safety.del(`/api/reports/schedules/${weekly.body.id}`, { reason })).status).toBe(200);
  });

  it('fails a run left running by a stopped process, with the reason', async () => {
    const { db } = app.aegis.services;
    const [r] = await db.query<{ id: string }>(
      `INSERT INTO report_run (kind, node_id, params, title, status, started_at, heartbeat_at, created_at)
       VALUES ('hazard_register', NULL, '{"nodeId":null,"from":"2026-03-01","to":"2026-03-01"}', 't', 'running', $1, $1, $1) RETURNING id`,
      [new Date(app.clock.now().getTime() - 10 * 60_000)],
    );
    await app.aegis.services.reports.runSchedules();
    const got = await safety.get(`/api/reports/${r!.id}`);
    expect(got.body.status).toBe('failed');
    expect(got.body.error).toContain('服务重启');
  });

  it('changes and deletes a schedule with a reason, audited', async () => {
    const up = await safety.request('PUT', `/api/reports/schedules/${scheduleId}`, {
      name: '车间A 交接班日报（每周一）',
      kind: 'shift_daily',
      nodeId: p.a.area.id,
      period: 'yesterday',
      cron: '0 8 * * 1',
      recipients: { userIds: [ids.safety], roleIds: [] },
      reason,
    });
    expect(up.status, JSON.stringify(up.body)).toBe(200);
    expect(up.body.cron).toBe('0 8 * * 1');
    expect((await safety.del(`/api/reports/schedules/${scheduleId}`, { reason })).status).toBe(200);
    expect((await safety.get('/api/reports/schedules')).body).toEqual([]);
    const audit = await admin.get(`/api/audit?targetType=report_schedule&targetId=${scheduleId}`);
    expect(audit.body.items.map((e: { action: string }) => e.action).sort()).toEqual([
      'report.schedule.create',
      'report.schedule.delete',
      'report.schedule.update',
    ]);
  });
});
