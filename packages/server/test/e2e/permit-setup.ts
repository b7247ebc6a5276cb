import mqtt from 'mqtt';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { systemContext } from '../../src/context.js';
import { deviceCredentials } from '../../src/modules/connectors/mqtt/testing.js';
import { currentOf } from '../../src/modules/timeseries/index.js';
import { createTestUser } from '../../src/test/harness.js';
import type { BrowserSuite } from './browser.js';

/**
 * The world of the permit story: the people a hot-work permit names, a methane detector (GD-201) on
 * line A publishing over MQTT to the embedded broker with an HH alarm at 25 %LEL, and the app's clock
 * on a working morning (no night or holiday raises the grade), moving with real time.
 */
export interface PermitWorld {
  applicant: string; // 赵维修, maintenance: applies and is the person in charge
  watcher: string; // 李监护, team lead
  shiftLead: string; // 孙班长, team lead: briefs, checks on site (验票), accepts at completion
  analyst: string; // 陈分析, inspector: gas analyses
  safety: string; // 王安全, safety officer: the safety department's approval
  unitLead: string; // lead.a: the unit's approval (workshop lead of A)
  tagId: number;
  /** the app's time now (the clock follows real time from a chosen morning) */
  now(): Date;
  /** moves the app's clock (and the pages opened after) forward */
  jump(ms: number): void;
  /** a value of the detector published over MQTT, answered once stored */
  publish(ch4Lel: number): Promise<void>;
  /** opens a page whose clock starts at the app's time */
  clockedPage(page: Page): Promise<Page>;
  close(): Promise<void>;
}

/** The instant of `hh:mm` plant time on the plant-local date `ymd` (the zone's offset at that moment). */
function plantInstant(ymd: string, hhmm: string, timeZone: string): Date {
  const guess = new Date(`${ymd}T${hhmm}:00Z`);
  const local = new Date(guess.toLocaleString('en-US', { timeZone }));
  const utc = new Date(guess.toLocaleString('en-US', { timeZone: 'UTC' }));
  return new Date(guess.getTime() - (local.getTime() - utc.getTime()));
}

export async function permitWorld(e2e: BrowserSuite): Promise<PermitWorld> {
  const s = e2e.app.aegis.services;
  const ctx = systemContext('e2e');
  const reason = 'browser test';
  const person = (username: string, displayName: string, role: string) =>
    createTestUser(e2e.app, { username, displayName, role });
  await person('wx.zhao', '赵维修', 'maintenance');
  await person('jh.li', '李监护', 'team_lead');
  await person('bz.sun', '孙班长', 'team_lead');
  await person('fx.chen', '陈分析', 'inspector');
  await person('aq.wang', '王安全', 'safety_officer');

  const detector = await s.plant.create(ctx, {
    parentId: e2e.plant.a.line.id,
    level: 'equipment',
    code: 'GD-201',
    nameZh: '可燃气体检测仪',
    nameEn: 'Gas detector',
    status: 'in_service',
    description: '',
    reason,
  });
  const tag = await s.tags.create(ctx, {
    equipmentId: detector.id,
    code: 'CH4_LEL',
    nameZh: '甲烷浓度',
    nameEn: 'Methane',
    unit: '%LEL',
    type: 'number',
    engLow: 0,
    engHigh: 100,
    states: null,
    source: { kind: 'mqtt', connectorId: null, topic: 'gas/GD-201/ch4', path: 'v' },
    storageDeadband: 0,
    storageHeartbeatMs: 60_000,
    reason,
  });
  await s.alarms.createRule(ctx, {
    tagId: tag.id,
    enabled: true,
    rule: {
      type: 'limit',
      id: '',
      tag: '',
      levels: { HH: { setpoint: 25, priority: 'critical' } },
      deadband: 1,
      onDelayMs: 0,
      offDelayMs: 0,
    },
    interlock: null,
    reason,
  });

  // a working morning: the next day that is no holiday of the permit calendar, 09:20 plant time
  const tz = e2e.app.config.timezone;
  const rules = (await (await e2e.app.as('admin')).get('/api/permits/rules')).body as {
    holidays: { date: string }[];
  };
  const holidays = new Set((rules.holidays ?? []).map((h) => h.date));
  let day = new Date(Date.now() + 86_400_000);
  const ymd = (d: Date) => d.toLocaleDateString('en-CA', { timeZone: tz });
  while (holidays.has(ymd(day))) day = new Date(day.getTime() + 86_400_000);
  let offset = plantInstant(ymd(day), '09:20', tz).getTime() - Date.now();
  const now = () => new Date(Date.now() + offset);
  e2e.app.clock.set(now());
  const follow = setInterval(() => e2e.app.clock.set(now()), 200);

  // set up in beforeAll, where expect.poll is not available: a plain wait for the embedded connector
  for (let end = Date.now() + 20_000; !s.connectors.health().some((h) => h.health.state === 'connected'); ) {
    if (Date.now() > end)
      throw new Error(`the MQTT connector did not connect: ${JSON.stringify(s.connectors.health())}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const device = await mqtt.connectAsync(s.connectors.broker()!.url, {
    clientId: 'gd-201-gateway',
    ...(await deviceCredentials(s)),
  });
  return {
    applicant: 'wx.zhao',
    watcher: 'jh.li',
    shiftLead: 'bz.sun',
    analyst: 'fx.chen',
    safety: 'aq.wang',
    unitLead: 'lead.a',
    tagId: tag.id,
    now,
    jump(ms) {
      offset += ms;
      e2e.app.clock.set(now());
    },
    async publish(v) {
      // the detector's gateway publishes to the embedded broker (QoS 1): the value goes through the
      // MQTT connector, the ingest pipeline and the alarm engine like any plant value
      await device.publishAsync('gas/GD-201/ch4', JSON.stringify({ v }), { qos: 1 });
      // (also called in beforeAll, where expect.poll is not available)
      for (let end = Date.now() + 20_000; (await currentOf(s.db, [tag.id]))[0]?.num !== v; ) {
        if (Date.now() > end) throw new Error(`the detector's value ${v} was not stored within 20 s`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async clockedPage(page) {
      await page.clock.install({ time: now() });
      return page;
    },
    async close() {
      clearInterval(follow);
      await device.endAsync();
    },
  };
}

/** Picks an option of the antd select opened by clicking `#id`, typing `search` first when given. */
export async function pick(page: Page, id: string, option: string, search?: string) {
  const open = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)');
  await expect.poll(() => open.count(), { timeout: 10_000 }).toBe(0);
  await page.locator(`#${id}`).click();
  if (search) await page.locator(`#${id}`).fill(search);
  // the options are asked of the server as one types: a click may land while the list is replaced
  for (let attempt = 0; attempt < 5; attempt++) {
    await open
      .locator('.ant-select-item-option')
      .filter({ hasText: option })
      .first()
      .click({ timeout: 5000 })
      .catch(() => {});
    const closed = await expect
      .poll(() => open.count(), { timeout: 2000 })
      .toBe(0)
      .then(() => true)
      .catch(() => false);
    if (closed) return;
  }
  throw new Error(`could not pick ${option} in #${id}`);
}

/** Signs in the open signature dialog with the password and waits for it to close. */
export async function sign(page: Page, password: string) {
  await page.getByTestId('signature-password').fill(password);
  await page.getByTestId('signature-submit').click();
  await page.getByTestId('signature-password').waitFor({ state: 'detached' });
}

/** How far the page is wider than the phone's screen (≤ 0: nothing to scroll sideways). */
export const overflow = (page: Page) =>
  page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
