import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, type Client, seedTwoWorkshops, startTestApp, type TestApp } from '../test/harness.js';

// Every route family answers bad input with a 4xx and the error body, never a 500, and loses nothing.
let app: TestApp;
let admin: Client;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;

beforeAll(async () => {
  app = await startTestApp();
  p = await seedTwoWorkshops(app);
  admin = await app.as('admin');
});
afterAll(() => app.close());

function expectError(res: { status: number; body: any }, status: number, code?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(typeof res.body.error.message).toBe('string');
  expect(res.body.error.message.length).toBeGreaterThan(3);
  if (code) expect(res.body.error.code).toBe(code);
}

const cases: Array<[string, string, string, unknown, number, string?]> = [
  // [family, method, url, body, status, code]
  ['auth', 'POST', '/api/auth/login', { username: 'admin' }, 400, 'validation_failed'],
  ['auth', 'POST', '/api/auth/login', { username: '', password: 'x' }, 400, 'validation_failed'],
  [
    'auth',
    'POST',
    '/api/auth/password',
    { currentPassword: 'wrong-one', newPassword: 'Another-Pass-1' },
    401,
    'invalid_credentials',
  ],
  ['auth', 'POST', '/api/auth/tokens', { userId: 1, name: '', expiresInDays: 30 }, 400, 'validation_failed'],
  ['auth', 'POST', '/api/auth/tokens', { userId: 424242, name: 'x', expiresInDays: 30 }, 404, 'not_found'],
  ['auth', 'DELETE', '/api/auth/sessions/abc', undefined, 400, 'validation_failed'],
  ['plant', 'GET', '/api/plant/nodes/abc', undefined, 400, 'validation_failed'],
  ['plant', 'GET', '/api/plant/nodes/999999', undefined, 404, 'not_found'],
  [
    'plant',
    'POST',
    '/api/plant/nodes',
    { parentId: null, level: 'galaxy', code: 'X', nameZh: 'x', nameEn: 'x', reason: 'test' },
    400,
    'validation_failed',
  ],
  [
    'plant',
    'POST',
    '/api/plant/nodes',
    { parentId: 1, level: 'site', code: 'has space', nameZh: 'x', nameEn: 'x', reason: 'test' },
    400,
    'validation_failed',
  ],
  [
    'plant',
    'POST',
    '/api/plant/nodes',
    { parentId: 1, level: 'site', code: 'S1', nameZh: 'dup', nameEn: 'dup', reason: 'duplicate code' },
    409,
    'conflict',
  ],
  [
    'plant',
    'PATCH',
    '/api/plant/nodes/1',
    { nameZh: 'x', reason: 'test', colour: 'red' },
    400,
    'validation_failed',
  ],
  ['plant', 'PATCH', '/api/plant/nodes/1', { nameZh: '', reason: 'test' }, 400, 'validation_failed'],
  ['plant', 'DELETE', '/api/plant/nodes/1', {}, 400, 'reason_required'],
  [
    'org',
    'POST',
    '/api/org/shifts',
    { code: 'N', name: '夜班', startTime: '25:00', endTime: '08:00' },
    400,
    'validation_failed',
  ],
  [
    'org',
    'POST',
    '/api/org/shifts',
    { code: 'N', name: '夜班', startTime: '08:00', endTime: '08:00' },
    400,
    'validation_failed',
  ],
  ['org', 'POST', '/api/org/teams', { code: 'T', name: 'x', nodeId: 999999 }, 400, 'validation_failed'],
  [
    'org',
    'POST',
    '/api/org/departments',
    { code: 'D', name: 'x', parentId: 999999 },
    // An unknown parent answers like one outside the caller's scope (org module).
    404,
    'not_found',
  ],
  ['org', 'PATCH', '/api/org/posts/999999', { name: 'x' }, 404, 'not_found'],
  [
    'users',
    'POST',
    '/api/users',
    { username: 'new.user', displayName: 'N', password: 'weak' },
    400,
    'password_policy',
  ],
  [
    'users',
    'POST',
    '/api/users',
    { username: 'new user', displayName: 'N', password: 'Strong-Pass-2026' },
    400,
    'validation_failed',
  ],
  [
    'users',
    'POST',
    '/api/users',
    { username: 'mail', displayName: 'N', email: 'not-an-email', password: 'Strong-Pass-2026' },
    400,
    'validation_failed',
  ],
  [
    'users',
    'POST',
    '/api/users',
    { username: 'ADMIN', displayName: 'N', password: 'Strong-Pass-2026' },
    409,
    'conflict',
  ],
  ['users', 'GET', '/api/users?limit=100000', undefined, 400, 'validation_failed'],
  ['users', 'PATCH', '/api/users/1', { active: false }, 400, 'validation_failed'],
  [
    'access',
    'POST',
    '/api/access/roles',
    { code: 'r', nameZh: 'x', nameEn: 'x', permissions: ['fly.plane'], reason: 'test' },
    400,
    'validation_failed',
  ],
  [
    'access',
    'POST',
    '/api/access/roles',
    { code: 'r', nameZh: 'x', nameEn: 'x', permissions: ['plant.read'] },
    400,
    'reason_required',
  ],
  ['access', 'PATCH', '/api/access/roles/1', { nameEn: 'Boss', reason: 'rename built-in' }, 409, 'conflict'],
  [
    'access',
    'POST',
    '/api/users/1/roles',
    { roleId: 999, nodeId: null, reason: 'test' },
    400,
    'validation_failed',
  ],
  ['audit', 'GET', '/api/audit?from=yesterday', undefined, 400, 'validation_failed'],
  ['audit', 'GET', '/api/audit?outcome=maybe', undefined, 400, 'validation_failed'],
];

describe('bad input', () => {
  it.each(cases)('%s: %s %s → %i', async (_family, method, url, body, status, code) => {
    expectError(await admin.request(method, url, body), status, code);
  });

  it('answers malformed JSON with 400', async () => {
    const res = await admin.request('POST', '/api/plant/nodes', '{"parentId": 1,', {
      'content-type': 'application/json',
    });
    expectError(res, 400);
  });

  it('answers a form-encoded body with 415, which also keeps cross-site forms out', async () => {
    const res = await admin.request('POST', '/api/plant/nodes', 'code=X', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expectError(res, 415, 'unsupported_media_type');
  });

  it('answers an unknown API route with a JSON 404', async () => {
    expectError(await admin.get('/api/nothing-here'), 404, 'not_found');
  });

  it('changed nothing while refusing all of the above', async () => {
    const node = await admin.get('/api/plant/nodes/1');
    expect(node.body.nameZh).toBe('集团');
    const users = await admin.get('/api/users');
    expect(users.body.items.map((u: { username: string }) => u.username).sort()).toEqual([
      'admin',
      'lead.a',
      'lead.b',
    ]);
    expect((await admin.get('/api/org/shifts')).body).toEqual([]);
    expect((await admin.get(`/api/plant/nodes/${p.a.press.id}`)).status).toBe(200);
  });

  it('rate-limits password guessing on the login route', async () => {
    const anon = anonymous(app);
    let limited = 0;
    for (let i = 0; i < 40; i++) {
      const res = await anon.post('/api/auth/login', { username: `ghost${i}`, password: 'x' });
      if (res.status === 429) {
        limited++;
        expect(res.body.error.code).toBe('rate_limited');
      }
    }
    expect(limited).toBeGreaterThan(0);
  });
});
