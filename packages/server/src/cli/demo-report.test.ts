import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as XLSX from 'xlsx';
import { type Client, startTestApp, type TestApp } from '../test/harness.js';
import { seedDemo } from './demo.js';
import { seedDemoHazards } from './demo-hazard.js';
import { seedDemoHistory } from './demo-history.js';
import { seedDemoInspection } from './demo-inspection.js';
import { seedDemoNotify } from './demo-notify.js';
import { seedDemoRealtime } from './demo-realtime.js';
import { seedDemoReports } from './demo-report.js';
import { seedDemoRisk } from './demo-risk.js';

let app: TestApp;
let safety: Client;
let seedSeconds = 0;

beforeAll(async () => {
  app = await startTestApp();
  const s = app.aegis.services;
  const seeded = (await seedDemo(s))!;
  await seedDemoRealtime(s);
  await seedDemoNotify(s, seeded.siteId);
  await seedDemoRisk(s);
  await seedDemoInspection(s);
  await seedDemoHazards(s);
  await seedDemoHistory(s);
  const t0 = performance.now();
  await seedDemoReports(s);
  seedSeconds = (performance.now() - t0) / 1000;
  await s.reports.idle();
  safety = await app.as('safety', seeded.password);
}, 300_000);
afterAll(() => app?.close());

describe('the demo reports', () => {
  it('queues its archive without holding up the start, and the three reports are done', async () => {
    expect(seedSeconds).toBeLessThan(5);
    const list = await safety.get('/api/reports?limit=10');
    expect(list.status).toBe(200);
    expect(
      list.body.items.map((r: { kind: string; status: string }) => `${r.kind}:${r.status}`).sort(),
    ).toEqual(['monthly_alarm:done', 'shift_daily:done', 'weekly_safety:done']);
  });

  it('shows the history in the monthly alarm report: the stamping bad actor leads', async () => {
    const list = await safety.get('/api/reports?kind=monthly_alarm');
    const run = list.body.items[0];
    const res = await app.aegis.http.inject({
      method: 'GET',
      url: `/api/reports/${run.id}/files/xlsx`,
      headers: { cookie: safety.cookie },
    });
    const wb = XLSX.read(res.rawPayload, { type: 'buffer' });
    const summary = XLSX.utils.sheet_to_json<unknown[]>(wb.Sheets['概要']!, { header: 1 });
    expect(Number(summary.find((r) => r[0] === '报警总数')?.[1])).toBeGreaterThan(100);
    const bad = XLSX.utils.sheet_to_json<Record<string, unknown>>(wb.Sheets['频发报警']!);
    expect(bad.length).toBeGreaterThan(3);
    expect(Number(bad[0]!['占比 %'])).toBeGreaterThan(15);
  });

  it('schedules the daily shift report and the weekly safety report to the safety officer', async () => {
    const schedules = await safety.get('/api/reports/schedules');
    expect(
      schedules.body.map(
        (x: { kind: string; recipientNames: string[] }) => `${x.kind}→${x.recipientNames.join(',')}`,
      ),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^shift_daily→/),
        expect.stringMatching(/^weekly_safety→/),
      ]),
    );
    for (const x of schedules.body) expect(x.recipientNames).toHaveLength(1);
    const policies = await app.aegis.services.notify.listPolicies(
      (await import('../context.js')).systemContext(),
    );
    expect(policies.some((p) => p.match.kinds.includes('report.ready'))).toBe(true);
  });
});
