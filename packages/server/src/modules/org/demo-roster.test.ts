import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../cli/demo.js';
import { type Client, startTestApp, type TestApp } from '../../test/harness.js';

/** The demo plant answers "who is on call" at its first start, without anyone writing a roster. */
let app: TestApp;
let lead: Client;

beforeAll(async () => {
  app = await startTestApp();
  await seedDemo(app.aegis.services);
  lead = await app.as('stamp.lead', 'Aegis-Demo-2026');
}, 180_000);
afterAll(() => app.close());

describe('demo roster', () => {
  it('has a team and an on-call person on duty in every workshop, now and in a month', async () => {
    const { plant, org } = app.aegis.services;
    for (const code of ['STAMP', 'CHEM', 'GAS']) {
      const [area] = await plant.byCode(code, 'area');
      if (!area) throw new Error(`no workshop ${code}`);
      for (const at of [app.clock.now(), new Date(app.clock.now().getTime() + 30 * 86_400_000)]) {
        const duty = await org.onDutyAt(`${area.path}999999/`, at);
        expect(duty, `${code} at ${at.toISOString()}`).toMatchObject({ nodeId: area.id });
        expect(duty!.onCallUserId).not.toBeNull();
      }
    }
  });

  it('shows the stamping lead who is on duty in the workshop', async () => {
    const [area] = await app.aegis.services.plant.byCode('STAMP', 'area');
    const res = await lead.get(`/api/org/on-duty?nodeId=${area!.id}`);
    expect(res.status).toBe(200);
    // the two stamping teams take turns; each one's leader is on call
    const byTeam: Record<string, string> = { 冲压甲班: '陈班长', 冲压乙班: '张主任' };
    expect(res.body.onDuty.onCall.displayName).toBe(byTeam[res.body.onDuty.teamName]);
  });
});
