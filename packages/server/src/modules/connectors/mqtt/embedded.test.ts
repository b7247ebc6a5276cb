import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLog } from '../modbus/testing.js';
import { BROKER_PORTS_FILE, openEmbeddedBroker, RememberedPortInUseError } from './embedded.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function block(port = 0): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  cleanups.push(() => new Promise((r) => server.close(r)));
  return { server, port: (server.address() as { port: number }).port };
}

function dataDir() {
  const dir = mkdtempSync(path.join(tmpdir(), 'aegis-broker-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const open = (dir: string, defaults: { tcp: number; ws: number }, port?: number) =>
  openEmbeddedBroker({ host: '127.0.0.1', port, wsPort: undefined, defaults, dataDir: dir, log: silentLog });

describe('embedded broker ports without AEGIS_MQTT_PORT', () => {
  it('keeps the port it fell back to, uses it again at the next start, and fails clearly when it is taken then', async () => {
    const dir = dataDir();
    const taken = await block();
    const first = await open(dir, { tcp: taken.port, ws: 0 });
    const chosen = first.port;
    expect(chosen).not.toBe(taken.port);
    await first.close();
    expect(JSON.parse(readFileSync(path.join(dir, BROKER_PORTS_FILE), 'utf8'))).toMatchObject({
      port: chosen,
    });

    // The default is free now, yet devices were told the other port: that one it is.
    await new Promise((r) => taken.server.close(r));
    const second = await open(dir, { tcp: taken.port, ws: 0 });
    expect(second.port).toBe(chosen);
    expect(second.wsPort).toBe(first.wsPort);
    await second.close();

    await block(chosen);
    const third = open(dir, { tcp: taken.port, ws: 0 });
    await expect(third).rejects.toBeInstanceOf(RememberedPortInUseError);
    await expect(third).rejects.toThrow(
      new RegExp(`port ${chosen} last time .*${BROKER_PORTS_FILE}.*AEGIS_MQTT_PORT`),
    );
  });

  it('remembers nothing when the port is configured', async () => {
    const dir = dataDir();
    const broker = await openEmbeddedBroker({
      host: '127.0.0.1',
      port: 0,
      wsPort: 0,
      defaults: { tcp: 1883, ws: 8083 },
      dataDir: dir,
      log: silentLog,
    });
    await broker.close();
    expect(() => readFileSync(path.join(dir, BROKER_PORTS_FILE))).toThrow();
  });
});
