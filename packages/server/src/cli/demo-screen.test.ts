import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../context.js';
import { anonymous, startTestApp, type TestApp } from '../test/harness.js';
import { seedDemo } from './demo.js';
import { seedDemoRealtime } from './demo-realtime.js';
import { seedDemoScreens } from './demo-screen.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await seedDemo(app.aegis.services);
  await seedDemoRealtime(app.aegis.services);
}, 180_000);
afterAll(() => app.close());

describe('the demo big screen', () => {
  it('seeds the control-room screen with two rotating pages and a kiosk link that opens it, once', async () => {
    const s = app.aegis.services;
    const seeded = await seedDemoScreens(s);
    expect(seeded?.kioskPath).toMatch(/^\/kiosk#aegis_kiosk_/);
    expect(await seedDemoScreens(s)).toBeNull();
    const screens = await s.screens.list(systemContext());
    expect(screens).toHaveLength(1);
    expect(screens[0]).toMatchObject({ name: '中控室大屏', nodeName: '苏州工厂' });
    const [overview, values] = screens[0]!.layout.pages;
    expect(overview!.widgets.map((w) => w.kind)).toEqual(
      expect.arrayContaining(['status_tiles', 'alarm_list', 'alarm_rate', 'safe_days']),
    );
    expect(values!.widgets.find((w) => w.kind === 'tag_values')?.settings.tagIds?.length).toBeGreaterThan(2);
    // the printed link opens the screen
    const secret = seeded!.kioskPath.split('#')[1]!;
    const res = await anonymous(app).post('/api/kiosk/session', { token: secret });
    expect(res.status).toBe(200);
    const cookie = ([res.headers['set-cookie']].flat()[0] as string).split(';')[0]!;
    const kiosk = await anonymous(app).request('GET', '/api/kiosk/screen', undefined, { cookie });
    expect(kiosk.status, JSON.stringify(kiosk.body)).toBe(200);
    expect(kiosk.body.data.status.length).toBeGreaterThan(1);
    expect(kiosk.body.data.safeDays).toMatchObject({ source: 'record', days: 127 });
  });
});
