import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type Aegis, createAegis } from '../app.js';
import { type Clock, manualClock } from '../clock.js';
import { type Config, loadConfig } from '../config.js';
import { systemContext } from '../context.js';

/** Tests run on PGlite by default and on the real PostgreSQL with AEGIS_TEST_DB=pg. */
export const TEST_DB = process.env.AEGIS_TEST_DB === 'pg' ? 'pg' : 'pglite';
export const PG_ADMIN_URL = process.env.AEGIS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const ADMIN_PASSWORD = 'Secret-Pass-2026';

/** A fresh, empty PostgreSQL database for one test file; dropped again by the returned function. */
export async function createPgDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `aegis_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function pgReachable() {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 1500 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

export interface TestApp {
  aegis: Aegis;
  config: Config;
  clock: Clock & { advance(ms: number): void; set(d: Date): void };
  /** A signed-in client: every call carries its session cookie. */
  as(username: string, password?: string): Promise<Client>;
  /** Database URL of the test database (pg) or null (PGlite). */
  databaseUrl: string | null;
  /** Stops the app and starts it again on the same database (needs `persistent` on PGlite). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface Client {
  cookie: string;
  request(
    method: string,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
  get(url: string): ReturnType<Client['request']>;
  post(url: string, body?: unknown): ReturnType<Client['request']>;
  patch(url: string, body?: unknown): ReturnType<Client['request']>;
  del(url: string, body?: unknown): ReturnType<Client['request']>;
}

export async function startTestApp(
  overrides: Partial<Record<keyof Config, unknown>> = {},
  opts: { persistent?: boolean } = {},
): Promise<TestApp> {
  const clock = manualClock(new Date('2026-03-02T08:00:00Z'));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'aegis-test-'));
  const pgDb = TEST_DB === 'pg' ? await createPgDatabase() : null;
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir,
      databaseUrl: pgDb?.url,
      adminPassword: ADMIN_PASSWORD,
      logLevel: 'silent',
      // The machine's own MQTT broker holds 1883: the embedded one takes any free port.
      mqttPort: 0,
      mqttWsPort: 0,
      // Tests talk to peers on this machine (brokers, slaves, OPC UA servers): loopback is listed.
      outboundAllow: '127.0.0.0/8,::1/128',
      ...overrides,
    },
  });
  // persistent: PGlite on disk in dataDir, so that restart() finds the same database again.
  const start = () => createAegis(config, { clock, inMemoryDb: !opts.persistent, timers: false });
  let aegis = await start();

  const client = (cookie: string): Client => {
    const request: Client['request'] = async (method, url, body, headers = {}) => {
      const res = await app.aegis.http.inject({
        method: method as 'GET',
        url,
        headers: { ...(cookie ? { cookie } : {}), ...headers },
        ...(body === undefined ? {} : { payload: body as object }),
      });
      let parsed: unknown = res.body;
      if ((res.headers['content-type'] ?? '').toString().includes('json')) parsed = res.json();
      return { status: res.statusCode, body: parsed, headers: res.headers };
    };
    return {
      cookie,
      request,
      get: (url) => request('GET', url),
      post: (url, body) => request('POST', url, body ?? {}),
      patch: (url, body) => request('PATCH', url, body),
      del: (url, body) => request('DELETE', url, body),
    };
  };

  const app: TestApp = {
    get aegis() {
      return aegis;
    },
    config,
    clock,
    databaseUrl: pgDb?.url ?? null,
    async restart() {
      await aegis.close();
      aegis = await start();
    },
    async as(username, password = ADMIN_PASSWORD) {
      const res = await app.aegis.http.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username, password },
      });
      if (res.statusCode !== 200)
        throw new Error(`login as ${username} failed: ${res.statusCode} ${res.body}`);
      const setCookie = [res.headers['set-cookie']].flat()[0] as string;
      return client(setCookie.split(';')[0]!);
    },
    async close() {
      await aegis.close();
      await pgDb?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return app;
}

/** A person signing in with ADMIN_PASSWORD, holding `role` everywhere when given. */
export async function createTestUser(
  app: TestApp,
  opts: { username: string; displayName?: string; role?: string },
) {
  const { users, access, db } = app.aegis.services;
  const user = await users.create(
    systemContext('test-seed'),
    {
      username: opts.username,
      displayName: opts.displayName ?? opts.username,
      password: ADMIN_PASSWORD,
      employeeNo: null,
      phone: null,
      email: null,
      postId: null,
      teamId: null,
      departmentId: null,
      homeNodeId: null,
      kind: 'person',
      locale: 'zh-CN',
    },
    { mustChange: false },
  );
  const role = opts.role;
  if (role) await db.transaction((tx) => access.grantDirect(tx, user.id, role, null));
  return user;
}

/** An anonymous client (no cookie). */
export function anonymous(app: TestApp): Client {
  return {
    cookie: '',
    async request(method, url, body, headers = {}) {
      const res = await app.aegis.http.inject({
        method: method as 'GET',
        url,
        headers,
        ...(body === undefined ? {} : { payload: body as object }),
      });
      const json = (res.headers['content-type'] ?? '').toString().includes('json');
      return { status: res.statusCode, body: json ? res.json() : res.body, headers: res.headers };
    },
    get(url) {
      return this.request('GET', url);
    },
    post(url, body) {
      return this.request('POST', url, body ?? {});
    },
    patch(url, body) {
      return this.request('PATCH', url, body);
    },
    del(url, body) {
      return this.request('DELETE', url, body);
    },
  };
}

/**
 * A small plant: enterprise → site → two workshops (A, B), each with a line and a press,
 * and a lead for each workshop holding the workshop_lead role there.
 */
export async function seedTwoWorkshops(app: TestApp) {
  const { plant, users, access, db } = app.aegis.services;
  const ctx = systemContext('test-seed');
  const reason = 'test fixture';
  const ent = await plant.create(ctx, {
    parentId: null,
    level: 'enterprise',
    code: 'ENT',
    nameZh: '集团',
    nameEn: 'Group',
    status: 'in_service',
    description: '',
    reason,
  });
  const site = await plant.create(ctx, {
    parentId: ent.id,
    level: 'site',
    code: 'S1',
    nameZh: '一厂',
    nameEn: 'Plant 1',
    status: 'in_service',
    description: '',
    reason,
  });
  const mk = async (code: string) => {
    const area = await plant.create(ctx, {
      parentId: site.id,
      level: 'area',
      code,
      nameZh: `车间${code}`,
      nameEn: `Workshop ${code}`,
      status: 'in_service',
      description: '',
      reason,
    });
    const line = await plant.create(ctx, {
      parentId: area.id,
      level: 'line',
      code: `${code}-L1`,
      nameZh: `${code}线`,
      nameEn: `Line ${code}`,
      status: 'in_service',
      description: '',
      reason,
    });
    const press = await plant.create(ctx, {
      parentId: line.id,
      level: 'equipment',
      code: `${code}-PRS-01`,
      nameZh: '压力机',
      nameEn: 'Press',
      status: 'in_service',
      description: '',
      reason,
    });
    const lead = await users.create(
      ctx,
      {
        username: `lead.${code.toLowerCase()}`,
        displayName: `Lead ${code}`,
        password: ADMIN_PASSWORD,
        employeeNo: `E-${code}`,
        phone: null,
        email: null,
        postId: null,
        teamId: null,
        departmentId: null,
        homeNodeId: area.id,
        kind: 'person',
        locale: 'zh-CN',
      },
      { mustChange: false },
    );
    await db.transaction((tx) => access.grantDirect(tx, lead.id, 'workshop_lead', area.id));
    return { area, line, press, lead };
  };
  return { ent, site, a: await mk('A'), b: await mk('B') };
}
