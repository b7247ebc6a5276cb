import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, seedTwoWorkshops, startTestApp, type TestApp } from '../test/harness.js';
import { fillPath, type JsonSchema, type Operation, operations } from '../test/openapi.js';

// Nothing a client sends produces a 500, and every answer outside 2xx has the error body. The
// requests are random but seeded: a failure names its seed (AEGIS_FUZZ_SEED reruns it).
const SEED = Number(process.env.AEGIS_FUZZ_SEED ?? 20261130);
const PER_OPERATION = 5;

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  'x'.repeat(5000),
  '温度传感器🔥',
  '\u202e\ufeff',
  '../../etc/passwd',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '%',
  '%zz',
  '1e309',
  'NaN',
  '-1',
  '0',
  '9'.repeat(40),
  '2026-13-45T25:61:00Z',
  'true',
  'null',
  '[]',
];
const NUMBERS = [-1, 0, 1, 2, 1.5, 1e308, -1e308, 2 ** 53 + 1, 9e15, 1e20];
const OTHERS = [null, true, [], {}, [1, 'a'], { a: { b: { c: [] } } }];

function fuzzer(seed: number) {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const text = () => (rand() < 0.3 ? String(pick(NUMBERS)) : pick(STRINGS));
  const anyValue = (): unknown => {
    const r = rand();
    return r < 0.45 ? pick(STRINGS) : r < 0.8 ? pick(NUMBERS) : pick(OTHERS);
  };
  /** A value of the declared type half of the time (to get past validation), anything otherwise. */
  const valueFor = (schema: JsonSchema | undefined): unknown => {
    if (!schema || rand() < 0.5) return anyValue();
    const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
    if (schema.enum?.length) return pick(schema.enum);
    if (type === 'integer' || type === 'number') return pick(NUMBERS);
    if (type === 'boolean') return rand() < 0.5;
    if (type === 'array') return [valueFor(schema.items)];
    if (type === 'object') return objectFor(schema);
    return pick(STRINGS);
  };
  const objectFor = (schema: JsonSchema): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(schema.properties ?? {})) if (rand() < 0.8) out[k] = valueFor(v);
    if (rand() < 0.2) out.unexpected = anyValue();
    return out;
  };
  const enc = (s: string) => (rand() < 0.1 ? s : encodeURIComponent(s));
  return {
    rand,
    request(op: Operation) {
      const ids = ['1', '2', '3'];
      const url = fillPath(op, () => enc(rand() < 0.4 ? pick(ids) : text()));
      const q = op.query
        .filter(() => rand() < 0.7)
        .map((p) => `${p.name}=${encodeURIComponent(String(rand() < 0.5 ? valueFor(p.schema) : text()))}`);
      if (rand() < 0.2) q.push(`${pick(op.query)?.name ?? 'extra'}=a&${pick(op.query)?.name ?? 'extra'}=b`);
      const full = q.length ? `${url}?${q.join('&')}` : url;
      if (op.method === 'GET' || op.method === 'DELETE' || rand() < 0.05)
        return {
          method: op.method,
          url: full,
          headers: {} as Record<string, string>,
          payload: undefined as string | undefined,
        };
      const r = rand();
      const [type, payload] =
        r < 0.55
          ? ['application/json', JSON.stringify(op.body ? objectFor(op.body) : anyValue())]
          : r < 0.65
            ? [
                'application/json',
                pick(['{"a":', '[', '"unterminated', '{"__proto__":{"x":1}}', 'nul\u0000']),
              ]
            : r < 0.75
              ? ['application/json', JSON.stringify(anyValue())]
              : r < 0.85
                ? [pick(['text/plain', 'application/x-www-form-urlencoded', 'application/xml']), 'a=1&b=2']
                : r < 0.92
                  ? ['application/json; charset=latin1', '{}']
                  : ['application/json', ''];
      return { method: op.method, url: full, headers: { 'content-type': type }, payload };
    },
  };
}

let app: TestApp;
let admin: Client;
let ops: Operation[];

beforeAll(async () => {
  app = await startTestApp();
  await seedTwoWorkshops(app);
  admin = await app.as('admin');
  ops = await operations(app);
}, 120_000);
afterAll(() => app.close());

/** Sends one request as the admin (signing in again if a fuzzed request ended the session). */
async function send(req: { method: string; url: string; headers: Record<string, string>; payload?: string }) {
  let res = await app.aegis.http.inject({
    method: req.method as 'GET',
    url: req.url,
    headers: { ...req.headers, cookie: admin.cookie },
    ...(req.payload === undefined ? {} : { payload: req.payload }),
  });
  if (res.statusCode === 401 && res.json().error?.code === 'unauthenticated') {
    admin = await app.as('admin');
    res = await app.aegis.http.inject({
      method: req.method as 'GET',
      url: req.url,
      headers: { ...req.headers, cookie: admin.cookie },
      ...(req.payload === undefined ? {} : { payload: req.payload }),
    });
  }
  return res;
}

function problems(req: { method: string; url: string }, res: { statusCode: number; body: string }) {
  const where = `${req.method} ${req.url.slice(0, 160)} → ${res.statusCode} ${res.body.slice(0, 200)}`;
  if (res.statusCode >= 500) return [`5xx: ${where}`];
  if (res.statusCode >= 200 && res.statusCode < 300) return [];
  let body: { error?: { code?: unknown; message?: unknown } } | null = null;
  try {
    body = JSON.parse(res.body);
  } catch {}
  if (typeof body?.error?.code !== 'string' || typeof body.error.message !== 'string')
    return [`no error body: ${where}`];
  return [];
}

describe('fuzzing every route of the OpenAPI document as an administrator', () => {
  it('serves the OpenAPI document with the routes of every module', () => {
    expect(ops.length).toBeGreaterThan(40);
    expect(ops.map((o) => `${o.method} ${o.path}`)).toEqual(
      expect.arrayContaining(['POST /api/auth/login', 'GET /api/plant/tree', 'GET /api/alarms']),
    );
  });

  it('answers a NUL byte in any query parameter with a 4xx and the error body', {
    timeout: 120_000,
  }, async () => {
    const found: string[] = [];
    for (const op of ops.filter((o) => o.method === 'GET' && o.query.length)) {
      const url = fillPath(op, () => '1');
      for (const p of op.query) {
        const req = { method: 'GET', url: `${url}?${p.name}=a%00b`, headers: {} };
        found.push(...problems(req, await send(req)));
      }
    }
    expect(found).toEqual([]);
  });

  it(`never answers 5xx to ${PER_OPERATION} random requests per operation (seed ${SEED})`, {
    timeout: 300_000,
  }, async () => {
    const fuzz = fuzzer(SEED);
    const found: string[] = [];
    let sent = 0;
    for (const op of ops) {
      if (op.path === '/api/auth/logout') continue; // would only end the session under test
      for (let i = 0; i < PER_OPERATION; i++) {
        const req = fuzz.request(op);
        found.push(...problems(req, await send(req)));
        sent++;
      }
    }
    expect(sent).toBeGreaterThan(200);
    expect(found, `seed ${SEED}`).toEqual([]);
  });
});

describe('answers the HTTP parser refuses', () => {
  it('uses the error body for 414, 431 and a malformed request line', async () => {
    await app.aegis.http.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.aegis.http.server.address() as { port: number }).port;
    const get = (path: string, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; body: { error: { code: string } } }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
          let data = '';
          res.on('data', (c) => (data += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) }));
        });
        req.on('error', reject);
        req.end();
      });
    const longParam = await get(`/api/plant/nodes/${'9'.repeat(500)}`);
    expect(longParam.status).toBe(414);
    expect(longParam.body.error.code).toBe('uri_too_long');
    const hugeHeaders = await get('/api/plant/tree', { 'x-padding': 'p'.repeat(20_000) });
    expect(hugeHeaders.status).toBe(431);
    expect(hugeHeaders.body.error.code).toBe('headers_too_large');
    const badEncoding = await get('/api/plant/nodes/%E0%A4%A');
    expect(badEncoding.status).toBe(400);
    expect(badEncoding.body.error.code).toBe('validation_failed');
  });
});
