import type { ChildProcess } from 'node:child_process';
import mqtt from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/index.js';
import { childExited, childReady, startAegisChild } from '../../test/child.js';
import { startTestApp, type TestApp } from '../../test/harness.js';
import { freePort } from '../connectors/modbus/testing.js';
import { deviceCredentials } from '../connectors/mqtt/testing.js';

/**
 * kill -9 during ingest: a real `aegis start` process on the same data directory (or PostgreSQL
 * database) is killed with SIGKILL while a device publishes QoS 1 values without a source time,
 * then started again. The device (a persistent session) sends again what was not acknowledged.
 * Every acknowledged value must be stored exactly once, and the alarm its values cross raised once.
 */
const MESSAGES = 4000;
const SETPOINT = MESSAGES / 2 + 50;
const reason = 'kill -9 test';

let app: TestApp;
let tagId: number;
let ruleId: number;
let device: { username: string; password: string };
const ports = { http: 0, mqtt: 0, ws: 0 };

beforeAll(async () => {
  app = await startTestApp({}, { persistent: true });
  // The real process runs on real time: the device's token must not have expired by then.
  app.clock.set(new Date());
  const admin = await app.as('admin');
  const node = async (parentId: number | null, level: string, code: string) => {
    const res = await admin.post('/api/plant/nodes', {
      parentId,
      level,
      code,
      nameZh: code,
      nameEn: code,
      status: 'in_service',
      description: '',
      reason,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as number;
  };
  const ent = await node(null, 'enterprise', 'ENT');
  const site = await node(ent, 'site', 'SITE');
  const area = await node(site, 'area', 'AREA');
  const line = await node(area, 'line', 'LINE');
  const pump = await node(line, 'equipment', 'PMP-9');
  const tag = await admin.post('/api/tags', {
    equipmentId: pump,
    code: 'COUNT',
    nameZh: '计数',
    nameEn: 'Count',
    source: { kind: 'mqtt', topic: 'crash/pump/count', path: '$' },
    reason,
  });
  expect(tag.status, JSON.stringify(tag.body)).toBe(201);
  tagId = tag.body.id;
  const rule = await admin.post('/api/alarm-rules', {
    tagId,
    rule: { type: 'limit', levels: { H: { setpoint: SETPOINT, priority: 'high' } } },
    reason,
  });
  expect(rule.status, JSON.stringify(rule.body)).toBe(201);
  ruleId = rule.body.id;
  device = await deviceCredentials(app.aegis.services);
  // The data stay; the test's own process lets go of them for the real one.
  await app.aegis.close();
  ports.http = await freePort();
  ports.mqtt = await freePort();
  ports.ws = await freePort();
}, 120_000);

afterAll(async () => {
  await app.close().catch(() => {});
});

const startAegis = () =>
  startAegisChild({
    httpPort: ports.http,
    dataDir: app.config.dataDir,
    databaseUrl: app.databaseUrl,
    env: { AEGIS_MQTT_PORT: String(ports.mqtt), AEGIS_MQTT_WS_PORT: String(ports.ws) },
  });
const ready = (child: ChildProcess) => childReady(child, ports.http);
const exited = childExited;

async function storedCounts(): Promise<{ rows: number; distinct: number; activated: number }> {
  const sql = {
    values:
      'SELECT count(*)::int AS rows, count(DISTINCT num)::int AS distinct FROM tag_value WHERE tag_id = $1',
    activated: "SELECT count(*)::int AS n FROM alarm_event WHERE rule_id = $1 AND type = 'activated'",
  };
  if (app.databaseUrl) {
    const c = new pg.Client({ connectionString: app.databaseUrl });
    await c.connect();
    try {
      const v = (await c.query(sql.values, [tagId])).rows[0];
      const a = (await c.query(sql.activated, [ruleId])).rows[0];
      return { rows: v.rows, distinct: v.distinct, activated: a.n };
    } finally {
      await c.end();
    }
  }
  const opened = await openDatabase({ dataDir: app.config.dataDir, dbAppRole: 'aegis_app', dbPoolSize: 1 });
  try {
    const [v] = await opened.db.query<{ rows: number; distinct: number }>(sql.values, [tagId]);
    const [a] = await opened.db.query<{ n: number }>(sql.activated, [ruleId]);
    return { rows: v!.rows, distinct: v!.distinct, activated: a!.n };
  } finally {
    await opened.close();
  }
}

describe('kill -9 during ingest', () => {
  it('stores every acknowledged value exactly once and raises the crossed alarm once', {
    timeout: 300_000,
  }, async () => {
    let child = startAegis();
    await ready(child);

    const client = mqtt.connect(`mqtt://127.0.0.1:${ports.mqtt}`, {
      ...device,
      clientId: 'crash-test-device',
      clean: false,
      reconnectPeriod: 250,
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    let acked = 0;
    let failed = 0;
    let sent = 0;
    let inFlightAtKill = -1;
    let resolveAll: () => void = () => {};
    const allAcked = new Promise<void>((resolve) => {
      resolveAll = resolve;
    });
    const onAck = (err?: Error) => {
      if (err) failed++;
      else acked++;
      // Half-way, close to where the values cross the alarm's setpoint: kill -9, with values in flight.
      if (acked === MESSAGES / 2 && inFlightAtKill < 0) {
        inFlightAtKill = sent - acked;
        child.kill('SIGKILL');
      }
      if (acked + failed === MESSAGES) resolveAll();
    };
    // A steady stream, as from a device: the kill lands while messages are sent and stored.
    for (let i = 1; i <= MESSAGES; i++) {
      client.publish('crash/pump/count', String(i), { qos: 1 }, onAck);
      sent++;
      if (i % 40 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    await new Promise<void>((resolve) => {
      const check = () => (inFlightAtKill >= 0 ? resolve() : setTimeout(check, 50));
      check();
    });
    await exited(child);
    expect(inFlightAtKill).toBeGreaterThan(0);
    expect(acked).toBeLessThan(MESSAGES);

    // Started again on the same data: the device reconnects and sends what was not acknowledged.
    child = startAegis();
    await ready(child);
    await allAcked;
    await client.endAsync();
    child.kill('SIGTERM');
    await exited(child);

    expect(failed).toBe(0);
    const counts = await storedCounts();
    expect(counts).toEqual({ rows: MESSAGES, distinct: MESSAGES, activated: 1 });
  });
});
