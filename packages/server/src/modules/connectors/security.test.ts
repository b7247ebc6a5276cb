import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { OPCUACertificateManager, OPCUAServer } from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, startTestApp, type TestApp } from '../../test/harness.js';
import { freePort } from './modbus/testing.js';

/**
 * Connector settings as an attacker or a careless administrator would write them: credentials
 * inside URLs, destinations on this machine or at the cloud metadata address, a server whose
 * certificate nobody has checked. Through the whole app, as a user sees it.
 */
let app: TestApp;
let admin: Client;
const reason = 'commissioning line 2';
const SECRET = 'Br0ker-Secret!';

async function until<T>(check: () => Promise<T | null | undefined | false>, what: string, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function auditOf(id: number) {
  return app.aegis.services.db.query<{ action: string; before: unknown; after: unknown }>(
    `SELECT action, before, after FROM audit_log WHERE target_type = 'connector' AND target_id = $1 ORDER BY seq`,
    [String(id)],
  );
}

beforeAll(async () => {
  // Loopback is listed for 127.0.0.1 only: 127.0.0.2 stands for "a port on this machine".
  app = await startTestApp({ host: '127.0.0.1', outboundAllow: '127.0.0.1/32' });
  admin = await app.as('admin');
});
afterAll(async () => {
  await app.close();
});

describe('connector secrets (B10)', () => {
  it('splits credentials out of the URL and never returns, shows or audits the password', async () => {
    const closed = await freePort();
    const created = await admin.post('/api/connectors', {
      code: 'line-broker',
      name: 'Line broker',
      kind: 'mqtt',
      config: { url: `mqtt://plant:${encodeURIComponent(SECRET)}@127.0.0.1:${closed}` },
      reason,
    });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    expect(created.body).toMatchObject({
      hasPassword: true,
      config: { url: `mqtt://127.0.0.1:${closed}`, username: 'plant' },
    });

    // The connection fails (nobody listens): its error is shown to operators, without the secret.
    const failing = await until(async () => {
      const c = (await admin.get(`/api/connectors/${id}`)).body;
      return c.health.lastError ? c : null;
    }, 'a connection error');
    expect(failing.health.lastError).toContain(`127.0.0.1:${closed}`);

    const changed = await admin.patch(`/api/connectors/${id}`, {
      config: { url: `mqtt://plant:${encodeURIComponent(`${SECRET}2`)}@127.0.0.1:${closed}` },
      reason,
    });
    expect(changed.status).toBe(200);
    // A password left out keeps the stored one.
    const kept = await admin.patch(`/api/connectors/${id}`, {
      config: { url: `mqtt://127.0.0.1:${closed}`, username: 'plant' },
      reason,
    });
    expect(kept.body.hasPassword).toBe(true);
    // …but does not follow the connector to another host unasked.
    const elsewhere = await admin.patch(`/api/connectors/${id}`, {
      config: { url: 'mqtt://93.184.216.34:1883', username: 'plant' },
      reason,
    });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.error.details).toEqual([expect.objectContaining({ path: 'config.password' })]);

    for (const text of [
      JSON.stringify((await admin.get('/api/connectors')).body),
      JSON.stringify((await admin.get(`/api/connectors/${id}`)).body),
      JSON.stringify(app.aegis.services.connectors.health()),
      JSON.stringify(await auditOf(id)),
    ]) {
      expect(text).not.toContain('Br0ker');
      expect(text).not.toContain(encodeURIComponent(SECRET));
    }
    const audit = await auditOf(id);
    expect(audit.map((a) => a.action)).toEqual(['connector.create', 'connector.update', 'connector.update']);
    expect(audit[0]!.after).toMatchObject({
      hasPassword: true,
      config: { url: `mqtt://127.0.0.1:${closed}` },
    });

    const cleared = await admin.patch(`/api/connectors/${id}`, {
      config: { url: `mqtt://127.0.0.1:${closed}`, password: null },
      reason,
    });
    expect(cleared.body.hasPassword).toBe(false);
  });

  it('keeps the password of an OPC UA URL out of its connection error', async () => {
    // The port speaks MQTT, so the OPC UA connection fails; the password written in the URL must
    // not come back in the error or anywhere else.
    const port = app.aegis.services.connectors.broker()!.port;
    const created = await admin.post('/api/connectors', {
      code: 'refusing',
      name: 'Refusing broker',
      kind: 'opcua',
      config: { endpointUrl: `opc.tcp://operator:${encodeURIComponent(SECRET)}@127.0.0.1:${port}` },
      reason,
    });
    expect(created.status).toBe(201);
    const failing = await until(async () => {
      const c = (await admin.get(`/api/connectors/${created.body.id}`)).body;
      return c.health.lastError ? c : null;
    }, 'an OPC UA error (the port speaks MQTT)');
    expect(JSON.stringify(failing)).not.toContain('Br0ker');
    expect(failing.config.endpointUrl).toBe(`opc.tcp://127.0.0.1:${port}`);
  });

  it('moves passwords stored in old rows (settings or URL) apart on start', async () => {
    const { db, connectors } = app.aegis.services;
    const [row] = await db.query<{ id: number }>(
      `INSERT INTO connector (code, name, kind, enabled, config, created_at, updated_at)
       VALUES ('legacy', 'Legacy', 'mqtt', false, $1::jsonb, now(), now()) RETURNING id`,
      [JSON.stringify({ url: `mqtt://old:${encodeURIComponent(SECRET)}@127.0.0.1:1`, sparkplug: true })],
    );
    await connectors.stop();
    await connectors.start({ linkPollMs: null });
    const [stored] = await db.query<{ config: Record<string, unknown> }>(
      'SELECT config FROM connector WHERE id = $1',
      [row!.id],
    );
    expect(stored!.config).toMatchObject({ url: 'mqtt://127.0.0.1:1', username: 'old' });
    expect(JSON.stringify(stored)).not.toContain('Br0ker');
    const [secret] = await db.query<{ password: string; sealed: boolean }>(
      'SELECT password, sealed FROM connector_secret WHERE connector_id = $1',
      [row!.id],
    );
    // Moved apart and encrypted with the master key, bound to this connector.
    expect(secret!.sealed).toBe(true);
    expect(secret!.password).not.toContain('Br0ker');
    expect(app.aegis.services.secrets.open(secret!.password, `connector:${row!.id}:password`)).toBe(SECRET);
    expect((await admin.get(`/api/connectors/${row!.id}`)).body.hasPassword).toBe(true);
  });
});

describe('outbound policy for connectors (B15)', () => {
  it('refuses metadata, link-local, unlisted loopback and file: destinations when saved, naming the rule', async () => {
    const cases = [
      { kind: 'mqtt', config: { url: 'mqtt://169.254.169.254:1883' }, rule: 'metadata-or-link-local' },
      { kind: 'opcua', config: { endpointUrl: 'opc.tcp://[fe80::1]:4840' }, rule: 'metadata-or-link-local' },
      { kind: 'modbus', config: { host: '127.0.0.2', port: 5432 }, rule: 'loopback' },
      { kind: 'modbus', config: { host: '10.0.0.8', port: 22 }, rule: 'private' },
    ];
    for (const [i, c] of cases.entries()) {
      const res = await admin.post('/api/connectors', { code: `bad-${i}`, name: 'Bad', ...c, reason });
      expect(res.status, c.rule).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.message).toContain(`rule ${c.rule}`);
    }
    const file = await admin.post('/api/connectors', {
      code: 'bad-file',
      name: 'Bad',
      kind: 'mqtt',
      config: { url: 'file:///etc/passwd' },
      reason,
    });
    expect(file.status).toBe(400);

    const plc = await admin.post('/api/connectors', {
      code: 'plc-ok',
      name: 'PLC',
      kind: 'modbus',
      config: { host: '127.0.0.1', port: 1502 },
      enabled: false,
      reason,
    });
    expect(plc.status).toBe(201);
    const moved = await admin.patch(`/api/connectors/${plc.body.id}`, {
      config: { host: '169.254.169.254', port: 80 },
      reason,
    });
    expect(moved.status).toBe(400);
    expect(moved.body.error.message).toContain('rule metadata-or-link-local');
  });

  it('does not connect to a refused destination stored earlier, and says the same whether its port is open', async () => {
    // A listener on 127.0.0.2 (not listed) and a port nobody listens on: a scanner would tell them apart.
    let accepted = 0;
    const open: Server = createServer((s) => {
      accepted++;
      s.destroy();
    });
    await new Promise<void>((r) => open.listen(0, '127.0.0.2', r));
    const openPort = (open.address() as { port: number }).port;
    const closedPort = await freePort();
    const { db, connectors } = app.aegis.services;
    const ids: number[] = [];
    const rows = [
      ['scan-open', 'modbus', { host: '127.0.0.2', port: openPort, pollIntervalMs: 1000, timeoutMs: 2000 }],
      [
        'scan-closed',
        'modbus',
        { host: '127.0.0.2', port: closedPort, pollIntervalMs: 1000, timeoutMs: 2000 },
      ],
      // Every driver asks the policy before it connects.
      ['scan-mqtt', 'mqtt', { url: `mqtt://127.0.0.2:${openPort}`, sparkplug: true }],
      ['scan-opcua', 'opcua', { endpointUrl: `opc.tcp://127.0.0.2:${openPort}` }],
    ] as const;
    for (const [code, kind, config] of rows) {
      const [row] = await db.query<{ id: number }>(
        `INSERT INTO connector (code, name, kind, enabled, config, created_at, updated_at)
         VALUES ($1, $1, $2, true, $3::jsonb, now(), now()) RETURNING id`,
        [code, kind, JSON.stringify(config)],
      );
      ids.push(Number(row!.id));
    }
    await connectors.stop();
    await connectors.start({ linkPollMs: null });
    const errors = await until(async () => {
      const list = (await admin.get('/api/connectors')).body as Array<{
        id: number;
        health: { state: string; lastError: string | null };
      }>;
      const mine = ids.map((id) => list.find((c) => c.id === id)!.health);
      return mine.every((h) => h.lastError) ? mine : null;
    }, 'the refusals');
    expect(errors[0]).toMatchObject({ state: 'error' });
    expect(errors[0]!.lastError).toBe(errors[1]!.lastError);
    for (const h of errors) {
      expect(h.state).toBe('error');
      expect(h.lastError).toContain('rule loopback');
    }
    expect(accepted).toBe(0);
    await connectors.stop();
    await db.query(`DELETE FROM connector WHERE code LIKE 'scan-%'`);
    await connectors.start({ linkPollMs: null });
    await new Promise<void>((r) => open.close(() => r()));
  });
});

describe('OPC UA server certificates (B15)', () => {
  const pki = path.join(os.tmpdir(), 'aegis-connsec-pki');
  let server: OPCUAServer | null = null;

  async function startServer(port: number, name: string) {
    server = new OPCUAServer({
      port,
      hostname: '127.0.0.1',
      serverCertificateManager: new OPCUACertificateManager({
        rootFolder: path.join(pki, name),
        automaticallyAcceptUnknownCertificate: true,
      }),
    });
    await server.initialize();
    await server.start();
  }
  afterAll(async () => {
    await server?.shutdown(0);
  });

  it('refuses an unknown certificate until an administrator approves it, and a changed one again', async () => {
    const port = await freePort();
    await startServer(port, 'first');
    const created = await admin.post('/api/connectors', {
      code: 'opc-line',
      name: 'OPC UA line 2',
      kind: 'opcua',
      config: {
        endpointUrl: `opc.tcp://127.0.0.1:${port}`,
        securityMode: 'SignAndEncrypt',
        securityPolicy: 'Basic256Sha256',
      },
      reason,
    });
    expect(created.status).toBe(201);
    const id = created.body.id as number;

    const pending = await until(
      async () => {
        const c = (await admin.get(`/api/connectors/${id}`)).body;
        return c.certificates?.length === 1 && c.health.lastError ? c : null;
      },
      'the certificate shown for approval',
      60_000,
    );
    const [cert] = pending.certificates;
    expect(cert).toMatchObject({
      status: 'pending',
      fingerprint: expect.stringMatching(/^([0-9A-F]{2}:){31}/),
    });
    expect(cert.subject).toBeTruthy();
    expect(Date.parse(cert.validTo)).toBeGreaterThan(Date.parse(cert.validFrom));
    expect(pending.health.state).not.toBe('connected');
    expect(pending.health.lastError).toContain(cert.fingerprint);
    expect(pending.health.lastError).toContain('approval');

    // Operators watch the page; only connector managers decide.
    const approved = await admin.post(`/api/connectors/${id}/certificates/approve`, {
      fingerprint: cert.fingerprint,
      reason: 'fingerprint read off the server display',
    });
    expect(approved.status).toBe(200);
    await until(
      async () => (await admin.get(`/api/connectors/${id}`)).body.health.state === 'connected',
      'the connection after approval',
      60_000,
    );
    expect((await auditOf(id)).map((a) => a.action)).toContain('connector.certificate.approve');

    // The server comes back with another certificate: refused and shown again.
    await server!.shutdown(0);
    await startServer(port, 'second');
    const changed = await until(
      async () => {
        const c = (await admin.get(`/api/connectors/${id}`)).body;
        return c.certificates?.length === 2 ? c : null;
      },
      'the changed certificate',
      60_000,
    );
    const fresh = changed.certificates.find((c: { status: string }) => c.status === 'pending');
    expect(fresh.fingerprint).not.toBe(cert.fingerprint);
    await until(
      async () => {
        const h = (await admin.get(`/api/connectors/${id}`)).body.health;
        return h.state !== 'connected' && h.lastError?.includes(fresh.fingerprint);
      },
      'the refusal of the changed certificate',
      60_000,
    );
  }, 180_000);
});
