import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, startTestApp, type TestApp } from '../test/harness.js';
import { seedDemo } from './demo.js';
import { seedDemoRealtime } from './demo-realtime.js';

let app: TestApp;
let admin: Client;

beforeAll(async () => {
  app = await startTestApp();
  await seedDemo(app.aegis.services);
  admin = await app.as('admin');
});
afterAll(() => app.close());

describe('demo seeding of the real-time half', () => {
  it('creates the simulator connectors, the tags on the demo equipment and alarm rules with interlocks', async () => {
    const seeded = await seedDemoRealtime(app.aegis.services);
    expect(seeded.tags).toBeGreaterThan(100);
    const connectors = (await admin.get('/api/connectors')).body as Array<{ code: string; kind: string }>;
    expect(connectors.map((c) => c.code)).toEqual(
      expect.arrayContaining(['mqtt-default', 'sim-modbus', 'sim-opcua']),
    );
    const gas = (await admin.get('/api/tags?q=GD-203')).body.items as Array<{
      code: string;
      source: { kind: string };
    }>;
    expect(gas.find((t) => t.code === 'H2S')?.source.kind).toBe('sparkplug');
    const tank = (await admin.get('/api/tags?q=TK-101&limit=50')).body.items as Array<{
      id: number;
      code: string;
    }>;
    const level = tank.find((t) => t.code === 'LEVEL')!;
    const rules = (await admin.get(`/api/tags/${level.id}/alarm-rules`)).body as Array<{
      rule: { type: string };
      interlock: { tagId: number; value: unknown } | null;
    }>;
    expect(rules[0]).toMatchObject({ rule: { type: 'limit' }, interlock: { value: false } });
    expect(tank.find((t) => t.id === rules[0]!.interlock!.tagId)?.code).toBe('FEED_VALVE');
    // Every demo rule is in the audit trail with the demo's reason.
    const audit = (await admin.get('/api/audit?action=alarm.rule.create&limit=1')).body.items;
    expect(audit[0]?.reason).toMatch(/demo/);
  });
});
