import { type Simulator, simulatedPlant, startSimulator } from '@aegis/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatorCredentials } from '../../src/cli/demo-realtime.js';
import { systemContext } from '../../src/context.js';
import { type SmtpSink, startSmtpSink } from '../../src/modules/notify/smtp-sink.js';
import { createTestUser } from '../../src/test/harness.js';
import { login, PHONE as PHONE_CONTEXT, useBrowserSuite } from './browser.js';

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
  await inbox?.close();
});
let inbox: SmtpSink | null = null;

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

describe('notifications in the browser', () => {
  it('rings the operator’s bell and mails them; acknowledging from the notification stops the escalation (zh-CN, phone)', async () => {
    const s = e2e.app.aegis.services;
    const ctx = systemContext('e2e');
    const reason = 'browser test of notifications';
    inbox = await startSmtpSink();
    const op = await createTestUser(e2e.app, { username: 'op.zhang', displayName: '张工', role: 'operator' });
    await s.users.update(ctx, op.id, { email: 'op.zhang@plant.example' });
    const app = await s.notify.createChannel(ctx, {
      code: 'app',
      name: '站内通知',
      kind: 'inapp',
      enabled: true,
      settings: {},
      secrets: {},
      reason,
    });
    const mail = await s.notify.createChannel(ctx, {
      code: 'mail',
      name: '邮件',
      kind: 'email',
      enabled: true,
      settings: {
        host: '127.0.0.1',
        port: inbox.port,
        security: 'none',
        username: '',
        from: 'aegis@plant.example',
      },
      secrets: {},
      reason,
    });
    await s.notify.createPolicy(ctx, {
      code: 'press-critical',
      name: '冲压车间紧急报警',
      enabled: true,
      match: { kinds: ['alarm.raised'], priorities: ['critical'], nodeId: e2e.plant.a.area.id, window: null },
      levels: [
        { delayMinutes: 0, recipients: [{ type: 'user', userId: op.id }], channelIds: [app.id, mail.id] },
        { delayMinutes: 5, recipients: [{ type: 'user', userId: 1 }], channelIds: [app.id] },
      ],
      repeat: { count: 0, intervalMinutes: 10 },
      stopOn: ['ack', 'clear', 'shelve'],
      groupSeconds: 0,
      template: null,
      reason,
    });
    // The first story left the alarm acknowledged and active: repair the press so it returns to normal.
    sim!.clearFault('PRS-01');
    const key = `${ruleId}:HH`;
    const settled = async () => {
      for (let i = 0; i < 300; i++) {
        const a = (await s.alarms.list(ctx, { includeNormal: true })).find((x) => x.key === key);
        if (a?.state === 'normal' || a?.state === 'rtn_unack') return a.state;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the press never returned to normal');
    };
    if ((await settled()) === 'rtn_unack') await s.alarms.acknowledge(ctx, [key]);

    // The test app runs no timers: the notification worker is driven here, as the scheduler would.
    const worker = setInterval(() => void s.notify.tick(), 200);
    const page = await e2e.page(PHONE_CONTEXT);
    await login(page, 'op.zhang');
    const bell = page.getByTestId('notify-bell');
    await bell.waitFor();
    expect(await bell.getAttribute('data-count')).toBe('0');

    sim!.injectFault('PRS-01', 'vibration-rise', { rampMs: 2000 });
    // The bell rings live (no reload) and the e-mail arrives in the SMTP server.
    await page.locator('[data-testid="notify-bell"][data-count="1"]').waitFor({ timeout: 30_000 });
    const [mailed] = await inbox.waitFor(1, 30_000);
    expect(mailed!.to).toEqual(['op.zhang@plant.example']);
    expect(mailed!.subject).toMatch(/紧急/);
    expect(mailed!.text).toContain('1号压力机');

    // Acknowledge from the notification centre.
    await bell.click();
    const drawer = page.getByTestId('notify-drawer');
    await drawer.getByTestId('notification-item').first().waitFor();
    await drawer.getByTestId('notify-ack').first().click();
    await page.getByTestId('alarm-ack-ok').click();
    await drawer.getByTestId('notify-ack').waitFor({ state: 'detached' });
    const acked = (await s.alarms.list(ctx, { includeNormal: true })).find((x) => x.key === key);
    expect(acked?.ackedBy).toBe('op.zhang');

    // The escalation stopped: ten minutes on, level 2 (the administrator) has nothing.
    clearInterval(worker);
    clearInterval(follow);
    e2e.app.clock.set(new Date(Date.now() + 10 * 60_000));
    await s.notify.tick();
    const log = await s.notify.deliveries(ctx, { limit: 100, offset: 0 });
    expect(log.items.filter((d) => d.level === 2)).toEqual([]);
    expect(
      log.items
        .filter((d) => d.level === 1 && d.status === 'sent')
        .map((d) => d.channelKind)
        .sort(),
    ).toEqual(['email', 'inapp']);
    follow = setInterval(() => e2e.app.clock.set(new Date()), 200);
  });
});
