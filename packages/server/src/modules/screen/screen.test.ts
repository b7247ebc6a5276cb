import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, type Client, seedTwoWorkshops, startTestApp, type TestApp } from '../../test/harness.js';
import { fillPath, operations } from '../../test/openapi.js';
import { ACCESS_CHANGED_CLOSE } from '../live/hub.js';
import { layoutProblems } from './layout.js';

let app: TestApp;
let admin: Client;
let leadA: Client;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;
let tagA = 0;
let tagB = 0;
const reason = 'control room layout';

const page = (widgets: unknown[], dwellSeconds = 30) => ({ title: '总览', dwellSeconds, widgets });
const overview = (tagIds: number[]) => ({
  theme: 'dark',
  pages: [
    page([
      { id: 'clock', kind: 'clock', x: 0, y: 0, w: 24, h: 1 },
      { id: 'tiles', kind: 'status_tiles', x: 0, y: 1, w: 12, h: 4 },
      { id: 'prio', kind: 'alarms_by_priority', x: 12, y: 1, w: 12, h: 4 },
      { id: 'list', kind: 'alarm_list', x: 0, y: 5, w: 12, h: 8, settings: { limit: 10 } },
      { id: 'rate', kind: 'alarm_rate', x: 12, y: 5, w: 6, h: 4 },
      { id: 'safe', kind: 'safe_days', x: 18, y: 5, w: 6, h: 4 },
      { id: 'pv', kind: 'tag_values', x: 12, y: 9, w: 12, h: 4, settings: { tagIds, sparkline: true } },
    ]),
  ],
});

/** A kiosk client: the cookie the kiosk session answer sets, as a browser would keep it. */
async function kiosk(secret: string): Promise<Client> {
  const res = await anonymous(app).post('/api/kiosk/session', { token: secret });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const cookie = ([res.headers['set-cookie']].flat()[0] as string).split(';')[0]!;
  expect(cookie).toMatch(/^aegis_kiosk=/);
  const base = anonymous(app);
  const request: Client['request'] = (method, url, body, headers = {}) =>
    base.request(method, url, body, { ...headers, cookie });
  return {
    cookie,
    request,
    get: (url) => request('GET', url),
    post: (url, body) => request('POST', url, body ?? {}),
    patch: (url, body) => request('PATCH', url, body),
    del: (url, body) => request('DELETE', url, body),
  };
}

beforeAll(async () => {
  app = await startTestApp();
  p = await seedTwoWorkshops(app);
  admin = await app.as('admin');
  leadA = await app.as('lead.a');
  const mkTag = async (equipmentId: number, code: string, nameZh: string) => {
    const res = await admin.post('/api/tags', {
      equipmentId,
      code,
      nameZh,
      nameEn: code,
      unit: 'MPa',
      type: 'number',
      reason: 'process value',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const rule = await admin.post('/api/alarm-rules', {
      tagId: res.body.id,
      reason: 'limits agreed in HAZOP',
      rule: { type: 'limit', levels: { HH: { setpoint: 20, priority: 'critical' } }, deadband: 1 },
    });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
    return res.body.id as number;
  };
  tagA = await mkTag(p.a.press.id, 'PT', '出口压力');
  tagB = await mkTag(p.b.press.id, 'PT', '出口压力');
}, 120_000);
afterAll(() => app.close());

describe('screen layouts', () => {
  it('refuses layouts with tiles out of the grid, overlapping or of an unknown kind (pure check)', () => {
    const problems = layoutProblems({
      theme: 'dark',
      pages: [
        {
          title: '',
          dwellSeconds: 30,
          widgets: [
            { id: 'a', kind: 'clock', x: 20, y: 0, w: 6, h: 1, settings: {} },
            { id: 'b', kind: 'hazards', x: 0, y: 0, w: 4, h: 4, settings: {} },
            { id: 'c', kind: 'permits', x: 2, y: 2, w: 4, h: 4, settings: {} },
          ],
        },
      ],
    });
    expect(problems.map((x) => x.message)).toEqual([
      expect.stringContaining('outside the 24×13 grid'),
      expect.stringContaining('overlaps'),
    ]);
  });

  it('saves a screen with a reason, versions it and answers 400 with the reason for bad layouts', async () => {
    const bad = async (layout: unknown, nodeId = p.a.area.id) => {
      const res = await admin.post('/api/screens', { name: '坏的', nodeId, layout, reason });
      expect(res.status).toBe(400);
      return res.body.error.message as string;
    };
    expect(await bad({ pages: [page([{ id: 'x', kind: 'weather', x: 0, y: 0, w: 2, h: 2 }])] })).toMatch(
      /Unknown widget kind "weather"/,
    );
    expect(
      await bad({
        pages: [
          page([
            { id: 'x', kind: 'hazards', x: 0, y: 0, w: 6, h: 6 },
            { id: 'y', kind: 'permits', x: 5, y: 5, w: 6, h: 6 },
          ]),
        ],
      }),
    ).toMatch(/overlaps/);
    expect(await bad({ pages: [page([{ id: 'x', kind: 'hazards', x: 20, y: 10, w: 6, h: 6 }])] })).toMatch(
      /outside the 24×13 grid/,
    );
    // workshop B's tag on workshop A's screen
    expect(await bad(overview([tagB]))).toMatch(/outside the screen's plant node 车间A/);

    const created = await admin.post('/api/screens', {
      name: '车间A大屏',
      nodeId: p.a.area.id,
      layout: overview([tagA]),
      reason,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ name: '车间A大屏', nodeName: '车间A', version: 1 });
    const id = created.body.id;
    const saved = await admin.request('PUT', `/api/screens/${id}`, {
      name: '车间A中控大屏',
      nodeId: p.a.area.id,
      layout: overview([tagA]),
      version: 1,
      reason: 'renamed for the control room',
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.version).toBe(2);
    // an editor that started from version 1 does not overwrite version 2
    const stale = await admin.request('PUT', `/api/screens/${id}`, {
      name: 'old',
      nodeId: p.a.area.id,
      layout: overview([tagA]),
      version: 1,
      reason: 'late save',
    });
    expect(stale.status).toBe(409);
    const versions = await admin.get(`/api/screens/${id}/versions`);
    expect(versions.body.map((v: { reason: string }) => v.reason)).toEqual([
      'renamed for the control room',
      reason,
    ]);
  });

  it("shows a workshop lead only the screens of their workshop, and a screen's data only for its node", async () => {
    const b = await admin.post('/api/screens', {
      name: '车间B大屏',
      nodeId: p.b.area.id,
      layout: overview([tagB]),
      reason,
    });
    expect(b.status).toBe(201);
    const mine = await leadA.get('/api/screens');
    expect(mine.body.map((s: { name: string }) => s.name)).toEqual(['车间A中控大屏']);
    expect((await leadA.get(`/api/screens/${b.body.id}`)).status).toBe(404);
    expect((await leadA.get(`/api/screens/${b.body.id}/data`)).status).toBe(404);
  });
});

describe('kiosk tokens', () => {
  let screenA = 0;
  let screenB = 0;
  beforeAll(async () => {
    const list = (await admin.get('/api/screens')).body as Array<{ id: number; nodeId: number }>;
    screenA = list.find((s) => s.nodeId === p.a.area.id)!.id;
    screenB = list.find((s) => s.nodeId === p.b.area.id)!.id;
  });
  const newToken = async (screenId = screenA, expiresInDays: number | null = null) => {
    const res = await admin.post(`/api/screens/${screenId}/tokens`, {
      name: '中控室左屏',
      expiresInDays,
      reason,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { token: { id: number; prefix: string }; secret: string };
  };

  it('shows the secret once, keeps only its hash, and audits the token', async () => {
    const { token, secret } = await newToken();
    expect(secret).toMatch(/^aegis_kiosk_/);
    const listed = await admin.get(`/api/screens/${screenA}/tokens`);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(listed.body[0]).toMatchObject({
      id: token.id,
      name: '中控室左屏',
      prefix: token.prefix,
      revokedAt: null,
    });
    const stored = await app.aegis.services.db.query<{ token_hash: string }>(
      'SELECT token_hash FROM screen_kiosk_token WHERE id = $1',
      [token.id],
    );
    expect(stored[0]!.token_hash).not.toContain(secret.slice(12));
    const audit = await admin.get('/api/audit?action=screen.token.create');
    expect(JSON.stringify(audit.body)).not.toContain(secret);
    expect(JSON.stringify(audit.body)).toContain('中控室左屏');
    // a workshop lead (screen.read only) cannot issue one
    expect((await leadA.post(`/api/screens/${screenA}/tokens`, { name: 'x', reason })).status).toBe(403);
  });

  it("shows the kiosk its screen's alarms and values, and nothing of another workshop", async () => {
    const { secret } = await newToken();
    const k = await kiosk(secret);
    app.clock.advance(1000);
    const ingest = await admin.post('/api/ingest', {
      points: [
        { tag: 'A-PRS-01.PT', value: 25 },
        { tag: 'B-PRS-01.PT', value: 30 },
      ],
    });
    expect(ingest.status, JSON.stringify(ingest.body)).toBe(200);
    const res = await k.get('/api/kiosk/screen');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { screen, data } = res.body;
    expect(screen.name).toBe('车间A中控大屏');
    expect(data.alarms.byPriority).toEqual({ critical: 1, high: 0, medium: 0, low: 0 });
    expect(data.alarms.latest).toHaveLength(1);
    expect(data.alarms.latest[0]).toMatchObject({ priority: 'critical', equipmentName: '压力机' });
    expect(data.status).toEqual([{ nodeId: p.a.line.id, name: 'A线', worst: 'critical', active: 1 }]);
    expect(data.alarmRate).toMatchObject({ last10Min: 1, lastHour: 1, targetPer10Min: 1 });
    expect(data.tags).toEqual([
      expect.objectContaining({ tagId: tagA, name: '出口压力', unit: 'MPa', value: 25 }),
    ]);
    // the same reads through the general routes: only workshop A
    const alarms = await k.get('/api/alarms');
    expect(alarms.status).toBe(200);
    expect(JSON.stringify(alarms.body)).not.toContain('B-PRS-01');
    expect((await k.get(`/api/screens/${screenB}/data`)).status).toBe(404);
    expect((await k.get('/api/auth/me')).status).toBe(403);
    // a person signed in in the same browser stays themselves, and the kiosk route still shows the kiosk's screen
    const both = { cookie: `${admin.cookie}; ${k.cookie}` };
    expect((await anonymous(app).request('GET', '/api/auth/me', undefined, both)).body.username).toBe(
      'admin',
    );
    const own = await anonymous(app).request('GET', '/api/kiosk/screen', undefined, both);
    expect(own.body.screen?.name).toBe('车间A中控大屏');
  });

  it('is refused every state-changing operation of the OpenAPI document', { timeout: 120_000 }, async () => {
    const { secret } = await newToken();
    const k = await kiosk(secret);
    const ops = (await operations(app)).filter((o) => o.method !== 'GET');
    expect(ops.length).toBeGreaterThan(30);
    const ids: Record<string, number> = { id: screenA, nodeId: p.a.area.id, tokenId: 1, userId: p.a.lead.id };
    const accepted: string[] = [];
    for (const op of ops) {
      if (op.path === '/api/kiosk/session' || op.path === '/api/auth/login') continue;
      const url = fillPath(op, (name) => String(ids[name] ?? 1));
      const res = await k.request(op.method, url, { reason: 'kiosk walk' });
      if (res.status !== 403) accepted.push(`${op.method} ${op.path} → ${res.status}`);
    }
    expect(accepted).toEqual([]);
    // and it is still the kiosk afterwards (the refusals did not end its session)
    expect((await k.get('/api/kiosk/screen')).status).toBe(200);
  });

  it('ends the kiosk at once when the token is revoked: the next request and the open stream', async () => {
    const { token, secret } = await newToken();
    const k = await kiosk(secret);
    expect((await k.get('/api/kiosk/screen')).status).toBe(200);
    // the kiosk's live stream, as the hub holds it
    const actor = await app.aegis.services.screens.authenticateKiosk(
      decodeURIComponent(k.cookie.split('=')[1]!),
    );
    expect(actor?.kiosk).toEqual({ tokenId: token.id, screenId: screenA });
    const closed: number[] = [];
    app.aegis.services.live.connect(
      { send() {}, bufferedAmount: 0, readyState: 1, close: (code?: number) => closed.push(code ?? 0) },
      actor!,
    );
    const revoked = await admin.post(`/api/screens/${screenA}/tokens/${token.id}/revoke`, {
      reason: 'screen replaced',
    });
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    expect(closed).toEqual([4401]);
    expect(closed).not.toContain(ACCESS_CHANGED_CLOSE);
    expect((await k.get('/api/kiosk/screen')).status).toBe(401);
    expect((await anonymous(app).post('/api/kiosk/session', { token: secret })).status).toBe(401);
  });

  it('stops a token at its expiry', async () => {
    const { secret } = await newToken(screenA, 1);
    const k = await kiosk(secret);
    expect((await k.get('/api/kiosk/screen')).status).toBe(200);
    app.clock.advance(86_400_000 + 1000);
    expect((await k.get('/api/kiosk/screen')).status).toBe(401);
    expect((await anonymous(app).post('/api/kiosk/session', { token: secret })).status).toBe(401);
  });

  it('counts days without an incident from the recorded day, audited with its reason', async () => {
    admin = await app.as('admin'); // the day that went by ended the earlier session
    const { secret } = await newToken();
    const k = await kiosk(secret);
    const rec = await admin.request('PUT', '/api/screens/safe-since', {
      nodeId: p.a.area.id,
      since: '2026-02-01',
      reason: '2月1日 轻伤事故(手部划伤)',
    });
    expect(rec.status, JSON.stringify(rec.body)).toBe(200);
    const { data } = (await k.get('/api/kiosk/screen')).body;
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: app.config.timezone }).format(app.clock.now());
    expect(data.safeDays).toMatchObject({ source: 'record', since: '2026-02-01' });
    expect(data.safeDays.days).toBe(Math.round((Date.parse(today) - Date.parse('2026-02-01')) / 86_400_000));
    expect(
      (
        await admin.request('PUT', '/api/screens/safe-since', {
          nodeId: p.a.area.id,
          since: '2099-01-01',
          reason,
        })
      ).status,
    ).toBe(400);
  });
});
