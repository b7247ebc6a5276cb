import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, startTestApp, type TestApp } from '../../test/harness.js';
import { eventually, freePort } from '../connectors/modbus/testing.js';
import { deviceCredentials } from '../connectors/mqtt/testing.js';

/**
 * Connector passwords at rest: what the database holds is sealed text, and the connector still
 * signs in with the password. The embedded broker admits a client only with a valid API token as
 * its password, so "connected" proves the stored password opened. Restarts on the same database.
 */
let app: TestApp;
let admin: Client;
let brokerUrl: string;
let device: { username: string; password: string };
const reason = 'connector password at rest';

beforeAll(async () => {
  // The broker keeps its ports across restarts, so the connectors find it again.
  app = await startTestApp(
    { mqttPort: await freePort(), mqttWsPort: await freePort() },
    { persistent: true },
  );
  admin = await app.as('admin');
  device = await deviceCredentials(app.aegis.services);
  brokerUrl = app.aegis.services.connectors.broker()!.url;
}, 120_000);
afterAll(async () => {
  await app?.close();
});

const stored = async (id: number) =>
  (
    await app.aegis.services.db.query<{ password: string; sealed: boolean }>(
      'SELECT password, sealed FROM connector_secret WHERE connector_id = $1',
      [id],
    )
  )[0]!;

const health = (id: number) => app.aegis.services.connectors.health().find((c) => c.id === id)?.health;
const connected = (id: number, what: string) =>
  eventually(() => health(id)?.state === 'connected', 15_000, `${what} connected`).catch((e) => {
    throw new Error(`${(e as Error).message}; health: ${JSON.stringify(health(id))}`);
  });

async function createConnector(code: string) {
  const res = await admin.post('/api/connectors', {
    code,
    name: code,
    kind: 'mqtt',
    config: { url: brokerUrl, username: device.username, password: device.password },
    reason,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as number;
}

describe('connector passwords encrypted at rest', () => {
  it('stores the password sealed, and the connector signs in with it, also after a restart', async () => {
    const id = await createConnector('line-broker');
    await connected(id, 'the connector');
    const row = await stored(id);
    expect(row.sealed).toBe(true);
    expect(row.password).toMatch(/^v1:/);
    expect(row.password).not.toContain(device.password);

    await app.restart();
    await connected(id, 'the connector after the restart');
  }, 60_000);

  it('encrypts the passwords an older version stored in clear at the next start', async () => {
    const id = await createConnector('old-broker');
    await connected(id, 'the connector');
    // As an installation before encryption left it.
    await app.aegis.services.db.query(
      'UPDATE connector_secret SET password = $2, sealed = false WHERE connector_id = $1',
      [id, device.password],
    );
    await app.restart();
    const row = await stored(id);
    expect(row.sealed).toBe(true);
    expect(row.password).not.toContain(device.password);
    const { db } = app.aegis.services;
    const clear = await db.query('SELECT connector_id FROM connector_secret WHERE NOT sealed');
    expect(clear).toEqual([]);
    await connected(id, 'the connector');
  }, 60_000);

  it('does not use a password copied from another connector, and says to enter it again', async () => {
    const source = await createConnector('source-broker');
    const target = await createConnector('target-broker');
    await connected(target, 'the target connector');
    await app.aegis.services.db.query(
      `UPDATE connector_secret SET password = (SELECT password FROM connector_secret WHERE connector_id = $1)
       WHERE connector_id = $2`,
      [source, target],
    );
    await app.restart();
    const problem = await eventually(() => health(target)?.lastError, 15_000, 'the problem shown');
    expect(problem).toContain('The stored password cannot be read');
    expect(health(target)?.state).toBe('error');
    // The others run on.
    await connected(source, 'the source connector');

    // Entered again, it connects.
    const fixed = await admin.patch(`/api/connectors/${target}`, {
      config: { url: brokerUrl, username: device.username, password: device.password },
      reason,
    });
    expect(fixed.status).toBe(200);
    await connected(target, 'the target connector with its password entered again');
  }, 60_000);
});
