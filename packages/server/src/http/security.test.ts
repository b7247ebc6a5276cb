import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ADMIN_PASSWORD, type Client, createTestUser, startTestApp, type TestApp } from '../test/harness.js';

// What a reviewer attacking the HTTP edge found: forged client addresses, cross-site writes and
// WebSocket upgrades, caching of personal data, and no HSTS behind TLS.

const NODE = { parentId: null, level: 'enterprise', code: 'X1', nameZh: '集团', nameEn: 'G', reason: 'test' };

async function login(app: TestApp, remoteAddress: string, forwardedFor: string) {
  return app.aegis.http.inject({
    method: 'POST',
    url: '/api/auth/login',
    remoteAddress,
    headers: { 'x-forwarded-for': forwardedFor },
    payload: { username: 'nobody', password: 'wrong-password' },
  });
}

async function auditIps(admin: Client) {
  const res = await admin.get('/api/audit?action=auth.login&limit=100');
  return (res.body.items as Array<{ ip: string | null; outcome: string }>)
    .filter((e) => e.outcome === 'failure')
    .map((e) => e.ip);
}

describe('HTTP edge on the default settings', () => {
  let app: TestApp;
  let admin: Client;
  beforeAll(async () => {
    app = await startTestApp({ loginRateLimitPerMinute: 3 });
    admin = await app.as('admin');
  });
  afterAll(() => app.close());

  it('ignores X-Forwarded-For: the rate limit holds and the audit trail keeps the socket address', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 4; i++) statuses.push((await login(app, '192.0.2.10', `203.0.113.${i}`)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const ips = await auditIps(admin);
    expect(ips).toContain('192.0.2.10');
    expect(ips.some((ip) => ip?.startsWith('203.0.113.'))).toBe(false);
  });

  it('refuses a cookie-authenticated write from a foreign Origin', async () => {
    const res = await admin.request('POST', '/api/plant/nodes', NODE, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('cross_origin');
    expect(res.body.error.message).toMatch(/evil\.example/);
  });

  it('refuses a body-less text/plain DELETE from another site', async () => {
    const res = await admin.request('DELETE', '/api/auth/sessions/1', undefined, {
      'content-type': 'text/plain',
      origin: 'null',
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('cross_origin');
    const bySite = await admin.request('DELETE', '/api/auth/sessions/1', undefined, {
      'sec-fetch-site': 'cross-site',
    });
    expect(bySite.status).toBe(403);
    expect(bySite.body.error.code).toBe('cross_origin');
  });

  it('accepts no text/plain body, the kind a cross-site form sends without asking', async () => {
    const res = await admin.request('POST', '/api/plant/nodes', JSON.stringify(NODE), {
      'content-type': 'text/plain',
    });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
  });

  it('refuses a cross-site sign-in (login CSRF) but accepts its own origin and non-browser clients', async () => {
    const foreign = await app.aegis.http.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: '192.0.2.20',
      headers: { origin: 'https://evil.example' },
      payload: { username: 'admin', password: 'x' },
    });
    expect(foreign.statusCode).toBe(403);
    // inject talks to Host localhost:80; the UI served from there sends Origin http://localhost.
    const own = await admin.request('POST', '/api/plant/nodes', NODE, {
      origin: 'http://localhost',
      'sec-fetch-site': 'same-origin',
    });
    expect(own.status).toBe(201);
    const script = await admin.request('PATCH', `/api/plant/nodes/${own.body.id}`, {
      nameEn: 'Group',
      reason: 'test',
    });
    expect(script.status).toBe(200);
  });

  it('marks every API answer no-store and sends no HSTS over plain HTTP', async () => {
    const me = await admin.get('/api/auth/me');
    expect(me.headers['cache-control']).toBe('no-store');
    const refused = await admin.get('/api/users/999999');
    expect(refused.headers['cache-control']).toBe('no-store');
    expect(me.headers['strict-transport-security']).toBeUndefined();
  });

  it('answers a locked account like an unknown one, in about the same time', async () => {
    const { users, db } = app.aegis.services;
    const user = await createTestUser(app, { username: 'locked.out', displayName: 'Locked' });
    await users.recordFailedLogin(db, user.id, new Date(app.clock.now().getTime() + 3_600_000));
    let n = 0;
    const attempt = async (username: string) => {
      const started = performance.now();
      const res = await app.aegis.http.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: `192.0.2.${100 + n++}`, // each from its own address: no rate limit
        payload: { username, password: ADMIN_PASSWORD },
      });
      return { ms: performance.now() - started, status: res.statusCode, error: res.json().error };
    };
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const locked: Awaited<ReturnType<typeof attempt>>[] = [];
    const unknown: Awaited<ReturnType<typeof attempt>>[] = [];
    for (let i = 0; i < 5; i++) {
      locked.push(await attempt('locked.out'));
      unknown.push(await attempt(`nobody.${i}`));
    }
    expect(locked[0]!.status).toBe(unknown[0]!.status);
    expect({ ...locked[0]!.error, requestId: 0 }).toEqual({ ...unknown[0]!.error, requestId: 0 });
    // Both pay for one password hash; without the dummy hash the unknown user answers ~10× faster.
    const ratio = median(locked.map((a) => a.ms)) / median(unknown.map((a) => a.ms));
    expect(ratio).toBeGreaterThan(1 / 3);
    expect(ratio).toBeLessThan(3);
  });

  it('refuses a WebSocket upgrade from another origin and accepts its own', async () => {
    await app.aegis.http.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.aegis.http.server.address() as { port: number }).port;
    const open = (origin: string) =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/api/live`, {
          headers: { cookie: admin.cookie, origin },
        });
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('unexpected-response', (req, res) => {
          req.destroy();
          resolve(res.statusCode ?? 0);
        });
        ws.on('error', reject);
      });
    expect(await open('https://evil.example')).toBe(403);
    expect(await open(`http://127.0.0.1:${port}`)).toBe(101);
  });
});

describe('HTTP edge behind a configured reverse proxy', () => {
  let app: TestApp;
  let admin: Client;
  beforeAll(async () => {
    app = await startTestApp({
      loginRateLimitPerMinute: 3,
      trustProxy: '10.9.9.9,10.8.0.0/16',
      allowedOrigins: 'https://aegis.example.com',
      cookieSecure: 'true',
    });
    admin = await app.as('admin');
  });
  afterAll(() => app.close());

  it('honours X-Forwarded-For from a listed proxy: each client has its own limit and address', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 4; i++) statuses.push((await login(app, '10.9.9.9', `198.51.100.${i}`)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401]);
    for (let i = 0; i < 3; i++) await login(app, '10.8.4.2', '198.51.100.77');
    expect((await login(app, '10.8.4.2', '198.51.100.77')).statusCode).toBe(429);
    const ips = await auditIps(admin);
    expect(ips).toEqual(expect.arrayContaining(['198.51.100.1', '198.51.100.4', '198.51.100.77']));
    expect(ips).not.toContain('10.9.9.9');
  });

  it('still ignores X-Forwarded-For from an address that is not listed', async () => {
    for (let i = 1; i <= 3; i++) await login(app, '192.0.2.30', `203.0.113.${i}`);
    expect((await login(app, '192.0.2.30', '203.0.113.99')).statusCode).toBe(429);
  });

  it('accepts writes from an allowed origin and sends HSTS when cookies are secure', async () => {
    const res = await admin.request('POST', '/api/plant/nodes', NODE, {
      origin: 'https://aegis.example.com',
    });
    expect(res.status).toBe(201);
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    const other = await admin.request('POST', '/api/plant/nodes', NODE, {
      origin: 'https://aegis.example.org',
    });
    expect(other.status).toBe(403);
  });
});
