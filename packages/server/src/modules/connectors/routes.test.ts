import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_PASSWORD,
  type Client,
  seedTwoWorkshops,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';

/**
 * The connector API through the whole app. Runs once the connector service is wired into the
 * app (services.connectors); until then each test reports itself skipped.
 */
let app: TestApp;
let admin: Client;
let lead: Client;
let wired = false;
const reason = 'commissioning line 2';

beforeAll(async () => {
  app = await startTestApp({ mqttPort: 0, mqttWsPort: 0, host: '127.0.0.1' });
  wired = 'connectors' in app.aegis.services;
  admin = await app.as('admin');
  const plant = await seedTwoWorkshops(app);
  lead = await app.as(plant.a.lead.username, ADMIN_PASSWORD);
});
afterAll(async () => {
  await app.close();
});

describe('connector API', () => {
  it('refuses bad settings with field errors and changes without a reason', async (ctx) => {
    if (!wired) return ctx.skip();
    const bad = await admin.post('/api/connectors', {
      code: 'line-broker',
      name: 'Line broker',
      kind: 'mqtt',
      config: { url: 'http://broker' },
      reason,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(bad.body.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'config.url' })]),
    );

    const noReason = await admin.post('/api/connectors', {
      code: 'plc-1',
      name: 'PLC',
      kind: 'modbus',
      config: { host: '127.0.0.1', port: 1 },
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.code).toBe('reason_required');
  });

  it('creates, lists, changes, restarts and deletes connectors; passwords never come back', async (ctx) => {
    if (!wired) return ctx.skip();
    const created = await admin.post('/api/connectors', {
      code: 'site-broker',
      name: 'Site broker',
      kind: 'mqtt',
      config: { url: 'mqtt://127.0.0.1:1', username: 'aegis', password: 'broker-secret' },
      enabled: false,
      reason,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ code: 'site-broker', hasPassword: true, enabled: false });
    const id = created.body.id as number;

    const list = await admin.get('/api/connectors');
    expect(list.status).toBe(200);
    expect(list.body.map((c: { code: string }) => c.code)).toEqual(['mqtt-default', 'site-broker']);
    expect(JSON.stringify(list.body)).not.toContain('broker-secret');

    const patched = await admin.patch(`/api/connectors/${id}`, { name: 'Site broker (backup)', reason });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Site broker (backup)', hasPassword: true });
    expect((await admin.post(`/api/connectors/${id}/restart`, { reason: 'values frozen' })).status).toBe(200);

    // A workshop lead watches live data: sees the connections, not their settings, and cannot change them.
    const seen = await lead.get('/api/connectors');
    expect(seen.status).toBe(200);
    expect(seen.body[1].config).toEqual({});
    expect((await lead.patch(`/api/connectors/${id}`, { enabled: true, reason })).status).toBe(403);

    expect((await admin.del(`/api/connectors/${id}`, { reason })).status).toBe(200);
    expect((await admin.get(`/api/connectors/${id}`)).status).toBe(404);
  });
});
