import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_PASSWORD,
  anonymous,
  type Client,
  seedTwoWorkshops,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';

let app: TestApp;
let admin: Client;
let plant: Awaited<ReturnType<typeof seedTwoWorkshops>>;

beforeAll(async () => {
  app = await startTestApp({ lockoutMaxAttempts: 3, lockoutMinutes: 15, sessionIdleMinutes: 30 });
  plant = await seedTwoWorkshops(app);
  admin = await app.as('admin');
});
afterAll(() => app.close());

describe('sign-in', () => {
  it('sets an httpOnly SameSite session cookie and answers who I am', async () => {
    const res = await anonymous(app).post('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
    expect(res.status).toBe(200);
    const cookie = String([res.headers['set-cookie']].flat()[0]);
    expect(cookie).toMatch(/aegis_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const me = await admin.get('/api/auth/me');
    expect(me.body).toMatchObject({ username: 'admin', roles: [{ role: 'admin', nodeId: null }] });
  });

  it('records a sign-in once, under the user who signed in', async () => {
    const before = (await admin.get('/api/audit?limit=1')).body.items[0].seq as number;
    await app.as('lead.a');
    const after = (await admin.get('/api/audit?limit=50')).body.items.filter(
      (e: { seq: number }) => e.seq > before,
    );
    expect(after.map((e: { action: string; actorName: string }) => [e.action, e.actorName])).toEqual([
      ['auth.login', 'lead.a'],
    ]);
  });

  it('answers 401 with the error body when not signed in', async () => {
    const res = await anonymous(app).get('/api/plant/tree');
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'unauthenticated' });
    expect(res.body.error.requestId).toBeTruthy();
  });

  it('does not say whether the username or the password was wrong', async () => {
    const a = await anonymous(app).post('/api/auth/login', { username: 'nobody', password: 'x' });
    const b = await anonymous(app).post('/api/auth/login', { username: 'lead.b', password: 'wrong' });
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    expect(a.body.error.message).toBe(b.body.error.message);
  });

  it('locks the account after repeated failures, audits the lockout, and unlocks after the lock time', async () => {
    const anon = anonymous(app);
    for (let i = 0; i < 3; i++)
      await anon.post('/api/auth/login', { username: 'lead.a', password: 'wrong-password' });
    const locked = await anon.post('/api/auth/login', { username: 'lead.a', password: ADMIN_PASSWORD });
    const unknown = await anon.post('/api/auth/login', { username: 'nobody.at.all', password: 'x' });
    // A locked account answers exactly like an unknown one: the answer reveals neither.
    expect(locked.status).toBe(401);
    expect(locked.body.error.code).toBe('invalid_credentials');
    expect(locked.body.error.message).toBe(unknown.body.error.message);
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe('invalid_credentials');

    const audit = await admin.get('/api/audit?action=auth.lockout');
    expect(audit.body.items[0]).toMatchObject({
      actorName: 'lead.a',
      targetId: String(plant.a.lead.id),
      outcome: 'failure',
    });
    const user = await admin.get(`/api/users/${plant.a.lead.id}`);
    expect(user.body.locked).toBe(true);

    app.clock.advance(16 * 60_000);
    const ok = await anon.post('/api/auth/login', { username: 'lead.a', password: ADMIN_PASSWORD });
    expect(ok.status).toBe(200);
  });

  it('lets an administrator unlock an account by resetting its password', async () => {
    const anon = anonymous(app);
    for (let i = 0; i < 3; i++)
      await anon.post('/api/auth/login', { username: 'lead.b', password: 'wrong-password' });
    expect(
      (await anon.post('/api/auth/login', { username: 'lead.b', password: ADMIN_PASSWORD })).status,
    ).toBe(401);
    const reset = await admin.post(`/api/users/${plant.b.lead.id}/password`, {
      password: 'New-Secret-Pass-9',
    });
    expect(reset.status).toBe(200);
    const res = await anon.post('/api/auth/login', { username: 'lead.b', password: 'New-Secret-Pass-9' });
    expect(res.status).toBe(200);
    expect(res.body.user.passwordChangeRequired).toBe(true);
  });

  it('makes a user with a reset password change it before anything else', async () => {
    const lead = await app.as('lead.b', 'New-Secret-Pass-9');
    const blocked = await lead.get('/api/plant/tree');
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe('password_change_required');
    const weak = await lead.post('/api/auth/password', {
      currentPassword: 'New-Secret-Pass-9',
      newPassword: 'short',
    });
    expect(weak.status).toBe(400);
    expect(weak.body.error.code).toBe('password_policy');
    const changed = await lead.post('/api/auth/password', {
      currentPassword: 'New-Secret-Pass-9',
      newPassword: 'Lead-B-Pass-2026!',
    });
    expect(changed.status).toBe(200);
    expect((await lead.get('/api/plant/tree')).status).toBe(200);
  });

  it('ends the session at logout and after the idle time', async () => {
    const c = await app.as('admin');
    expect((await c.post('/api/auth/logout')).status).toBe(200);
    expect((await c.get('/api/auth/me')).status).toBe(401);

    const d = await app.as('admin');
    app.clock.advance(31 * 60_000);
    expect((await d.get('/api/auth/me')).status).toBe(401);
    admin = await app.as('admin');
  });

  it('lets an administrator revoke another user’s session', async () => {
    const lead = await app.as('lead.a');
    const sessions = await admin.get(`/api/auth/sessions?userId=${plant.a.lead.id}`);
    expect(sessions.status).toBe(200);
    for (const s of sessions.body) expect((await admin.del(`/api/auth/sessions/${s.id}`)).status).toBe(200);
    expect((await lead.get('/api/auth/me')).status).toBe(401);
  });
});

describe('API tokens for machines', () => {
  it('authenticates a bearer token with the machine user’s roles, and refuses it once revoked', async () => {
    const m = await admin.post('/api/users', {
      username: 'erp-bridge',
      displayName: 'ERP bridge',
      kind: 'machine',
      password: 'Machine-Unused-Pass-1',
    });
    expect(m.status).toBe(201);
    const role = (await admin.get('/api/access/roles')).body.find(
      (r: { code: string }) => r.code === 'integration',
    );
    expect(
      (
        await admin.post(`/api/users/${m.body.id}/roles`, {
          roleId: role.id,
          nodeId: null,
          reason: 'ERP integration',
        })
      ).status,
    ).toBe(201);
    const created = await admin.post('/api/auth/tokens', {
      userId: m.body.id,
      name: 'erp',
      expiresInDays: 30,
      permissions: ['plant.read', 'data.ingest'],
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^aegis_pat_/);

    const bearer = { authorization: `Bearer ${created.body.secret}` };
    const tree = await anonymous(app).request('GET', '/api/plant/tree', undefined, bearer);
    expect(tree.status).toBe(200);
    const denied = await anonymous(app).request('GET', '/api/users', undefined, bearer);
    expect(denied.status).toBe(403);

    // A machine account cannot sign in with a password.
    expect(
      (
        await anonymous(app).post('/api/auth/login', {
          username: 'erp-bridge',
          password: 'Machine-Unused-Pass-1',
        })
      ).status,
    ).toBe(401);

    expect((await admin.del(`/api/auth/tokens/${created.body.token.id}`)).status).toBe(200);
    const after = await anonymous(app).request('GET', '/api/plant/tree', undefined, bearer);
    expect(after.status).toBe(401);
  });
});
