import { type Simulator, simulatedPlant, startSimulator } from '@aegis/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatorCredentials } from '../../src/cli/demo-realtime.js';
import { systemContext } from '../../src/context.js';
import { login, useBrowserSuite } from './browser.js';

/**
 * The story end to end: the simulator publishes a press over MQTT to the embedded
 * broker, a fault (vibration rising) crosses the HH limit, the alarm appears in the browser in
 * Chinese, and the operator acknowledges it there.
 */
const e2e = useBrowserSuite();
let sim: Simulator | null = null;
let ruleId: number;
let follow: ReturnType<typeof setInterval> | undefined;

beforeAll(async () => {
  const s = e2e.app.aegis.services;
  const ctx = systemContext('e2e');
  const press = await s.plant.create(ctx, {
    parentId: e2e.plant.a.line.id,
    level: 'equipment',
    code: 'PRS-01',
    nameZh: '1号压力机',
    nameEn: 'Press 1',
    status: 'in_service',
    description: '',
    reason: 'browser test',
  });
  const plant = simulatedPlant({ opcuaConnectorId: 1, modbusConnectorId: 1 });
  const vib = plant.tags.find((t) => t.equipmentCode === 'PRS-01' && t.role === 'vibration')!;
  const tag = await s.tags.create(ctx, {
    equipmentId: press.id,
    code: vib.code,
    nameZh: vib.nameZh,
    nameEn: vib.nameEn,
    unit: vib.unit,
    type: vib.type,
    engLow: vib.engLow,
    engHigh: vib.engHigh,
    states: null,
    source: vib.source,
    storageDeadband: 0,
    storageHeartbeatMs: 60_000,
    reason: 'browser test',
  });
  const rule = await s.alarms.createRule(ctx, {
    tagId: tag.id,
    enabled: true,
    rule: {
      type: 'limit',
      id: '',
      tag: '',
      levels: { HH: { setpoint: vib.alarmLimits!.hh!, priority: 'critical' } },
      deadband: 0.5,
      onDelayMs: 0,
      offDelayMs: 0,
    },
    interlock: null,
    reason: 'browser test',
  });
  ruleId = (rule as { id: number }).id;
  // The simulator publishes every MQTT equipment of its plant, and the broker lets a device
  // publish only to topics that tags read: one tag per other simulated topic keeps it connected.
  for (const e of plant.equipment) {
    const first = e.tags[0];
    if (e.transport !== 'mqtt' || e.code === 'PRS-01' || !first) continue;
    await s.tags.create(ctx, {
      equipmentId: press.id,
      code: `SIM-${e.code}`,
      nameZh: e.nameZh,
      nameEn: e.nameEn,
      unit: first.unit,
      type: first.type,
      engLow: null,
      engHigh: null,
      states: null,
      source: first.source,
      storageDeadband: 0,
      storageHeartbeatMs: 60_000,
      reason: 'browser test',
    });
  }
  // The simulator stamps values with the real time: the app's clock follows it, or its values
  // would be ahead of the app and not evaluated.
  follow = setInterval(() => e2e.app.clock.set(new Date()), 200);
  // The simulator signs in to the embedded broker like any device.
  const credentials = await simulatorCredentials(s);
  sim = await startSimulator({
    mqttUrl: s.connectors.broker()!.url,
    mqttUsername: credentials.username,
    mqttPassword: credentials.password,
    transports: ['mqtt'],
    rateMs: 200,
    seed: 7,
  });
}, 120_000);
afterAll(async () => {
  clearInterval(follow);
  await sim?.stop();
});

describe('alarms in the browser', () => {
  it('shows the alarm a simulated fault raises and lets the operator acknowledge it (zh-CN)', async () => {
    const page = await e2e.page();
    await login(page, 'admin');
    await page.goto('/alarms');
    const key = `${ruleId}:HH`;
    const row = page.locator(`[data-alarm-key="${key}"]`);
    expect(await row.count()).toBe(0); // nothing before the fault

    sim!.injectFault('PRS-01', 'vibration-rise', { rampMs: 2000 });
    await row.first().waitFor({ timeout: 30_000 });
    expect(await row.first().getAttribute('data-alarm-state')).toBe('unack_active');
    expect(await row.first().getAttribute('data-alarm-priority')).toBe('critical');

    // One step: the acknowledge dialog takes an optional comment.
    await row.first().getByRole('button', { name: '确认' }).click();
    await page.getByTestId('alarm-ack-comment').fill('已通知维修');
    await page.getByTestId('alarm-ack-ok').click();
    await page.locator(`[data-alarm-key="${key}"][data-alarm-state="ack_active"]`).first().waitFor();

    const journal = await e2e.app.aegis.services.alarms.history(systemContext('check'), {
      key,
      limit: 10,
      offset: 0,
    });
    expect(journal.items.map((j) => [j.type, j.user])).toEqual(
      expect.arrayContaining([
        ['activated', null],
        ['acknowledged', 'admin'],
      ]),
    );
    expect(journal.items.find((j) => j.type === 'acknowledged')?.comment).toBe('已通知维修');
  });
});
