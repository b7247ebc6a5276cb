import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_PASSWORD,
  type Client,
  createTestUser,
  seedTwoWorkshops,
  startTestApp,
  type TestApp,
} from '../test/harness.js';
import { fillPath, type Operation, operations } from '../test/openapi.js';

// The read-only auditor may read everything and change nothing: every state-changing operation of
// the OpenAPI document refuses it, except the few that concern only the auditor's own account.
const OWN_ACCOUNT: Record<string, string> = {
  'POST /api/auth/login': 'public: signing in changes no plant data',
  'POST /api/kiosk/session': 'public: a kiosk token becomes a read-only kiosk session (modules/screen)',
  'POST /api/auth/logout': 'signing out ends only the own session',
  'POST /api/auth/password': 'the own password (the current one is required)',
  'DELETE /api/auth/sessions/{id}': 'ending the own sessions (others are refused by the service)',
  'PATCH /api/auth/me': 'the own display preferences (language)',
  'PUT /api/auth/me/preferences': 'the own display preferences',
  'PATCH /api/auth/me/preferences': 'the own display preferences',
  'POST /api/me/notifications/read': 'marking the own notifications read',
  'PUT /api/me/notify-profile': 'the own notification addresses and quiet hours',
};
const REFUSED = new Set([403, 404, 405]);

let app: TestApp;
let auditor: Client;
let ops: Operation[];
let ids: Record<string, number>;

beforeAll(async () => {
  app = await startTestApp();
  const plant = await seedTwoWorkshops(app);
  await createTestUser(app, { username: 'auditor', displayName: 'Auditor', role: 'auditor' });
  auditor = await app.as('auditor');
  ops = await operations(app);
  // Real ids, so that a refusal cannot hide behind "not found".
  ids = { id: plant.a.press.id, nodeId: plant.a.press.id, userId: plant.a.lead.id };
}, 120_000);
afterAll(() => app.close());

describe('the read-only auditor', () => {
  it('is refused every state-changing operation of the OpenAPI document', { timeout: 120_000 }, async () => {
    const writes = ops.filter((o) => o.method !== 'GET');
    expect(writes.length).toBeGreaterThan(30);
    const accepted: string[] = [];
    for (const op of writes) {
      const key = `${op.method} ${op.path}`;
      if (OWN_ACCOUNT[key]) continue;
      const url = fillPath(op, (name) => String(ids[name] ?? 1));
      // The permission check comes before validation, so even this thin body must be refused.
      const res = await auditor.request(op.method, url, { reason: 'auditor walk' });
      if (!REFUSED.has(res.status))
        accepted.push(`${key} → ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
    }
    expect(accepted).toEqual([]);
  });

  it("cannot end another user's session through its own-account route", async () => {
    const admin = await app.as('admin');
    const sessions = await admin.get('/api/auth/sessions');
    const res = await auditor.del(`/api/auth/sessions/${sessions.body[0].id}`);
    expect(REFUSED.has(res.status), JSON.stringify(res.body)).toBe(true);
    expect((await admin.get('/api/auth/me')).status).toBe(200);
  });

  it('still reads what it audits', async () => {
    expect((await auditor.get('/api/audit')).status).toBe(200);
    expect((await auditor.get('/api/plant/tree')).status).toBe(200);
  });
});
