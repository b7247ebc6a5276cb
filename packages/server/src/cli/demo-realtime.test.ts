import { type Simulator, startSimulator } from '@aegis/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaultPlayer, simulatorControl } from '../modules/demo/index.js';
import type { SmtpSink } from '../modules/notify/smtp-sink.js';
import { type Client, startTestApp, type TestApp } from '../test/harness.js';
import { DEMO_PASSWORD, seedDemo } from './demo.js';
import { seedDemoNotify, startDemoMailSink } from './demo-notify.js';
import { seedDemoRealtime, simulatorCredentials } from './demo-realtime.js';

let app: TestApp;
let admin: Client;
let siteId: number;

beforeAll(async () => {
  app = await startTestApp();
  siteId = (await seedDemo(app.aegis.services))!.siteId;
  admin = await app.as('admin');
}, 180_000);
afterAll(() => app.close());

type TagRow = { id: number; code: string };
type RuleRow = { rule: { type: string }; interlock: { tagId: number; value: unknown } | null };

/** Runs the plant forward half a second at a time until `done` holds (or 40 real seconds pass). */
async function until<T>(step: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 400; i++) {
    app.clock.advance(500);
    await app.aegis.services.alarms.tick();
    const r = await step();
    if (r !== undefined) return r;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the plant never got there');
}

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
    const tank = (await admin.get('/api/tags?q=TK-101&limit=50')).body.items as TagRow[];
    const level = tank.find((t) => t.code === 'LEVEL')!;
    const rules = (await admin.get(`/api/tags/${level.id}/alarm-rules`)).body as RuleRow[];
    expect(rules[0]).toMatchObject({ rule: { type: 'limit' }, interlock: { value: false } });
    expect(tank.find((t) => t.id === rules[0]!.interlock!.tagId)?.code).toBe('FEED_VALVE');
    // The slowly drifting tank temperature is stored with swinging-door compression; the level is not.
    expect(tank.find((t) => t.code === 'TEMP')).toMatchObject({
      storageCompression: 'swinging_door',
      storageDeviation: 0.25,
    });
    expect(level).toMatchObject({ storageCompression: 'none', storageDeviation: null });
    // Every demo rule is in the audit trail with the demo's reason.
    const audit = (await admin.get('/api/audit?action=alarm.rule.create&limit=1')).body.items;
    expect(audit[0]?.reason).toMatch(/demo/);
  }, 180_000);

  it('gives every gas detector an interlock: a gas alarm sounds the detector beacon', async () => {
    const detector = (await admin.get('/api/tags?q=GD-201&limit=50')).body.items as TagRow[];
    const beacon = detector.find((t) => t.code === 'BEACON')!;
    for (const code of ['H2S', 'CH4_LEL']) {
      const tag = detector.find((t) => t.code === code)!;
      const rules = (await admin.get(`/api/tags/${tag.id}/alarm-rules`)).body as RuleRow[];
      expect(rules.find((r) => r.rule.type === 'limit')?.interlock).toMatchObject({
        tagId: beacon.id,
        value: true,
      });
    }
  });
});

describe('a gas leak in the demo plant', () => {
  let sim: Simulator;
  let inbox: SmtpSink | null = null;
  afterAll(async () => {
    await sim?.stop();
    await inbox?.close();
  }, 60_000);

  it('raises the gas alarm and trips the beacon on the simulated detector, confirmed by read-back', async () => {
    const broker = app.aegis.services.connectors.broker();
    expect(broker).not.toBeNull();
    // The simulator signs in to the embedded broker like any device.
    const credentials = await simulatorCredentials(app.aegis.services);
    sim = await startSimulator({
      mqttUrl: broker!.url,
      mqttUsername: credentials.username,
      mqttPassword: credentials.password,
      transports: ['sparkplug'],
      rateMs: 100,
      seed: 7,
      clock: () => app.clock.now().getTime(),
    });
    // The demo's notification chain: channels, escalation policy and its SMTP inbox.
    await seedDemoNotify(app.aegis.services, siteId);
    inbox = await startDemoMailSink(app.aegis.services);
    const detector = (await admin.get('/api/tags?q=GD-201&limit=50')).body.items as TagRow[];
    const h2s = detector.find((t) => t.code === 'H2S')!;
    const beacon = detector.find((t) => t.code === 'BEACON')!;
    // The detector is online and quiet first: its beacon is off.
    await until(async () => {
      const v = (await admin.get(`/api/values/current?tagIds=${beacon.id}`)).body.items[0];
      return v?.value === false ? true : undefined;
    });
    expect(sim.model.values('GD-201').BEACON).toBe(false);

    sim.injectFault('GD-201', 'gas-leak', { rampMs: 0, tag: 'H2S' });
    const command = await until(async () => {
      const list = (await admin.get('/api/alarms/interlocks')).body as Array<{
        tagId: number;
        value: unknown;
        status: string;
      }>;
      return list.find((c) => c.tagId === beacon.id && c.status !== 'sent');
    });
    expect(command).toMatchObject({ value: true, status: 'confirmed' });
    // The write reached the simulated detector over Sparkplug B and came back as its value.
    expect(sim.model.values('GD-201').BEACON).toBe(true);
    const alarms = (await admin.get('/api/alarms')).body as Array<{ tagId: number; state: string }>;
    expect(alarms.some((a) => a.tagId === h2s.id)).toBe(true);

    // The gas team on shift (the inspector's) hears it: the bell rings and the e-mail lands in the
    // demo inbox, shown in the delivery log.
    await app.aegis.services.notify.tick();
    const inspector = await app.as('inspector', DEMO_PASSWORD);
    const centre = (await inspector.get('/api/me/notifications')).body;
    expect(centre.unread).toBeGreaterThan(0);
    expect(centre.items.map((n: { title: string }) => n.title).join('\n')).toMatch(/GD-201|硫化氢|H2S/);
    const mails = await inbox!.waitFor(1);
    expect(mails.some((m) => m.to.includes('inspector@demo.aegis.local'))).toBe(true);
    const log = (await admin.get('/api/notify/deliveries?status=sent&limit=100')).body.items as Array<{
      id: number;
      channelKind: string;
    }>;
    const mailed = log.find((d) => d.channelKind === 'email')!;
    const detail = (await admin.get(`/api/notify/deliveries/${mailed.id}`)).body;
    expect(detail.html).toContain('<');
    expect(detail.body).toMatch(/GD-201|硫化氢|H2S/);
  }, 90_000);
});

describe('the automatic demo faults', () => {
  it('skips its turn, and says so, while a fault injected by hand runs, and never repairs that one', async () => {
    const s = await startSimulator({ transports: ['modbus'], modbus: { host: '127.0.0.1', port: 0 } });
    try {
      const demo = app.aegis.services.demo;
      demo.attach(simulatorControl(s));
      const said: string[] = [];
      const player = createFaultPlayer({ sim: demo.get(), demo, say: (l) => said.push(l), random: () => 0 });

      // A person gives TK-101 a fault through the API.
      const tank = (await admin.get('/api/demo/simulator')).body.find(
        (e: { code: string }) => e.code === 'TK-101',
      );
      expect(
        (await admin.post('/api/demo/faults', { equipment: 'TK-101', fault: tank.faults[0] })).status,
      ).toBe(200);
      expect(player.play()).toMatchObject({ skipped: 'manual-fault', manual: { code: 'TK-101' } });
      expect(said.at(-1)).toMatch(/skipped .* by hand .* TK-101/);
      expect(s.stats().faults).toEqual([
        expect.objectContaining({ target: 'TK-101', fault: tank.faults[0] }),
      ]);

      // Once repaired, the automatic demo plays again; a fault injected by hand on that equipment
      // afterwards is not repaired by the automatic schedule.
      expect((await admin.del('/api/demo/faults/TK-101')).status).toBe(200);
      const outcome = player.play();
      if (!('played' in outcome)) throw new Error('expected an automatic fault');
      const other = s.plant.equipment
        .find((e) => e.code === outcome.played.code)!
        .faults.find((f) => f !== outcome.played.fault)!;
      await admin.post('/api/demo/faults', { equipment: outcome.played.code, fault: other });
      expect(player.repair(outcome.played)).toBe(false);
      expect(s.stats().faults.map((f) => f.fault)).toContain(other);
      expect(said.at(-1)).toMatch(/not repaired automatically/);
    } finally {
      app.aegis.services.demo.attach(null);
      await s.stop();
    }
  });
});
