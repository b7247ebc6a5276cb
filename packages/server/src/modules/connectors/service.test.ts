import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateConnectorSchema } from '@aegis/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { manualClock } from '../../clock.js';
import { type Config, loadConfig } from '../../config.js';
import { type RequestContext, systemContext } from '../../context.js';
import { openDatabase } from '../../db/index.js';
import { AppError } from '../../errors.js';
import { createPgDatabase, TEST_DB } from '../../test/harness.js';
import { accessGuard } from '../access/index.js';
import { createAuditService } from '../audit/index.js';
import type { BoundTag, ConnectorHealth } from '../ingest/types.js';
import type { OutboundCheck } from '../net/index.js';
import { createSecretBox } from '../secrets/index.js';
import type { DriverFactory } from './drivers.js';
import { eventually, memoryDirectory, silentLog } from './modbus/testing.js';
import { BrokerPortInUseError, type EmbeddedBroker, startEmbeddedBroker } from './mqtt/broker.js';
import { controlledSink } from './mqtt/testing.js';
import { type ConnectorService, createConnectorService, DEFAULT_CONNECTOR_CODE } from './service.js';
import type { ConnectorDriver } from './types.js';

const admin = systemContext('test');
const viewer: RequestContext = {
  actor: {
    userId: 7,
    username: 'viewer',
    displayName: 'viewer',
    kind: 'person',
    grants: [{ permission: 'tag.read', nodeId: null, path: null }],
    passwordChangeRequired: false,
  },
  requestId: null,
  ip: null,
};
const reason = 'commissioning line 2';

/** A stand-in driver for the kinds not under test here (Modbus, OPC UA): counts starts, stops and writes. */
function fakeDrivers() {
  const log: string[] = [];
  const factory = (deps: { code: string }): ConnectorDriver => {
    let state: ConnectorHealth['state'] = 'stopped';
    return {
      kind: 'modbus',
      async start() {
        state = 'connected';
        log.push(`start ${deps.code}`);
      },
      async stop() {
        state = 'stopped';
        log.push(`stop ${deps.code}`);
      },
      health: () => ({ ...initial, state }),
      async write(tag, value) {
        log.push(`write ${deps.code} ${tag.id}=${value}`);
        return { confirmed: true, detail: 'read back' };
      },
    };
  };
  const initial: ConnectorHealth = {
    state: 'stopped',
    since: new Date(0).toISOString(),
    lastMessageAt: null,
    messages: 0,
    points: 0,
    errors: 0,
    lastError: null,
    reconnects: 0,
  };
  return { log, factory };
}

let dataDir: string;
let config: Config;
let opened: Awaited<ReturnType<typeof openDatabase>>;
let dropPg: (() => Promise<void>) | null = null;
const services: ConnectorService[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'aegis-connectors-'));
  const pg = TEST_DB === 'pg' ? await createPgDatabase() : null;
  dropPg = pg ? () => pg.drop() : null;
  config = loadConfig({
    env: {},
    overrides: {
      dataDir,
      databaseUrl: pg?.url,
      host: '127.0.0.1',
      mqttPort: 0,
      mqttWsPort: 0,
      logLevel: 'silent',
    },
  });
  opened = await openDatabase(config, { inMemory: true });
});
afterEach(async () => {
  for (const s of services.splice(0)) await s.stop();
  await opened.db.query('DELETE FROM connector');
});
afterAll(async () => {
  await opened.close();
  await dropPg?.();
  rmSync(dataDir, { recursive: true, force: true });
});

function service(
  opts: {
    tags?: BoundTag[];
    config?: Partial<Config>;
    drivers?: Parameters<typeof createConnectorService>[0]['drivers'];
    defaultBrokerPorts?: { tcp: number; ws: number };
    outbound?: OutboundCheck;
  } = {},
) {
  const clock = manualClock();
  const tags = memoryDirectory(opts.tags ?? []);
  const s = createConnectorService({
    db: opened.db,
    audit: createAuditService({ db: opened.db, clock }),
    guard: accessGuard,
    clock,
    config: { ...config, ...opts.config },
    tags,
    sink: controlledSink(),
    secrets: createSecretBox(randomBytes(32)),
    log: silentLog,
    drivers: opts.drivers,
    defaultBrokerPorts: opts.defaultBrokerPorts,
    // The registry's tests point at made-up hosts; the outbound policy has its own tests.
    outbound:
      opts.outbound ?? (async (_target, _kind) => ({ allowed: true, host: '', port: 0, addresses: [] })),
  });
  services.push(s);
  return { s, tags };
}

async function error(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

const mqttInput = (url: string, extra: Record<string, unknown> = {}) =>
  CreateConnectorSchema.parse({
    code: 'line-broker',
    name: 'Line broker',
    kind: 'mqtt',
    config: { url, ...extra },
    reason,
  });

describe('connector registry', () => {
  it('gives MQTT connections without a client id one unique to this installation (kept in the data directory)', async () => {
    const clientIds = (dir: string, extra: Partial<Config> = {}) => {
      const seen: Array<[string, string | undefined]> = [];
      const fake: DriverFactory<'mqtt'> = (deps) => {
        seen.push([deps.code, deps.config.clientId]);
        return fakeDrivers().factory(deps);
      };
      const { s } = service({
        config: { dataDir: dir, mqttUrl: 'mqtt://broker.plant.local', ...extra },
        drivers: { mqtt: fake },
      });
      return { s, seen };
    };
    const here = mkdtempSync(path.join(tmpdir(), 'aegis-install-'));
    const there = mkdtempSync(path.join(tmpdir(), 'aegis-install-'));
    try {
      const first = clientIds(here);
      await first.s.start({ linkPollMs: null });
      await first.s.create(admin, mqttInput('mqtt://line.plant.local'));
      await first.s.create(admin, {
        ...mqttInput('mqtt://own.plant.local', { clientId: 'press-shop' }),
        code: 'own-id',
      });
      const [[, ours], [, line], [, own]] = first.seen as Array<[string, string]>;
      expect(ours).toMatch(/^aegis-[a-z0-9]{6,}$/);
      expect(line).toBe(`${ours}-line-broker`);
      expect(own).toBe('press-shop');
      await first.s.stop();

      // The same installation keeps its id; another one (another data directory) gets its own.
      const again = clientIds(here);
      await again.s.start({ linkPollMs: null });
      expect(again.seen[0]![1]).toBe(ours);
      const other = clientIds(there);
      await other.s.start({ linkPollMs: null });
      expect(other.seen[0]![1]).not.toBe(ours);
      const chosen = clientIds(there, { mqttClientId: 'aegis-line-2' });
      await chosen.s.start({ linkPollMs: null });
      expect(chosen.seen[0]![1]).toBe('aegis-line-2');
    } finally {
      rmSync(here, { recursive: true, force: true });
      rmSync(there, { recursive: true, force: true });
    }
  });

  it('starts the embedded broker and the default connection, adds connectors, and never returns passwords', async () => {
    const { s } = service();
    await s.start({ linkPollMs: null });
    expect(s.broker()!.port).toBeGreaterThan(0);
    // The embedded broker signs devices in (device-auth.test.ts); the line's broker here takes anyone.
    const lineBroker = await startEmbeddedBroker({
      host: '127.0.0.1',
      port: 0,
      wsPort: null,
      log: silentLog,
    });
    onTestFinished(() => lineBroker.close());
    const url = lineBroker.url;

    const created = await s.create(admin, mqttInput(url, { username: 'u', password: 'secret-pw' }));
    expect(created).toMatchObject({ code: 'line-broker', kind: 'mqtt', enabled: true, hasPassword: true });
    expect(created.config).toEqual({ url, username: 'u', sparkplug: true });

    const connected = async () => (await s.list(admin)).every((c) => c.health.state === 'connected');
    const deadline = Date.now() + 5000;
    while (!(await connected())) {
      if (Date.now() > deadline) throw new Error(`not connected: ${JSON.stringify(await s.list(admin))}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    const list = await s.list(admin);
    expect(list.map((c) => [c.id === null ? null : 'row', c.code])).toEqual([
      [null, DEFAULT_CONNECTOR_CODE],
      ['row', 'line-broker'],
    ]);
    expect(JSON.stringify(list)).not.toContain('secret-pw');

    // Those who only watch live data see the connections and their health, not their settings.
    const seen = await s.list(viewer);
    expect(seen.map((c) => c.config)).toEqual([{}, {}]);
    expect(seen[1]!.health.state).toBe('connected');

    const [entry] = await opened.db.query<{ action: string; reason: string; after: unknown }>(
      `SELECT action, reason, after FROM audit_log WHERE action = 'connector.create' ORDER BY seq DESC LIMIT 1`,
    );
    expect(entry).toMatchObject({
      action: 'connector.create',
      reason,
      after: { code: 'line-broker', hasPassword: true },
    });
    expect(JSON.stringify(entry)).not.toContain('secret-pw');

    const links: Array<[string, boolean]> = [];
    s.onLinkChange((code, up) => links.push([code, up]));
    s.checkLinks();
    expect(links).toEqual([
      [DEFAULT_CONNECTOR_CODE, true],
      ['line-broker', true],
    ]);
  });

  it('refuses bad settings with field errors, reserved and duplicate codes', async () => {
    const { s } = service({ drivers: { modbus: fakeDrivers().factory } });
    const parsed = CreateConnectorSchema.safeParse({
      code: 'x',
      name: 'x',
      kind: 'mqtt',
      config: { url: 'http://x' },
      reason,
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => i.path.join('.'))).toEqual(['config.url']);

    const bad = await error(
      s.create(admin, { ...mqttInput('mqtt://x'), config: { url: 'http://x' } as never }),
    );
    expect(bad.code).toBe('validation_failed');
    expect(bad.details).toEqual([{ path: 'config.url', message: expect.stringMatching(/mqtt:\/\//) }]);

    expect(
      (await error(s.create(admin, { ...mqttInput('mqtt://x'), code: DEFAULT_CONNECTOR_CODE }))).code,
    ).toBe('validation_failed');
    await s.create(admin, mqttInput('mqtt://127.0.0.1:1'));
    expect((await error(s.create(admin, mqttInput('mqtt://127.0.0.1:1')))).code).toBe('conflict');

    const plc = await s.create(
      admin,
      CreateConnectorSchema.parse({
        code: 'plc-1',
        name: 'PLC',
        kind: 'modbus',
        config: { host: '10.0.0.5' },
        reason,
      }),
    );
    expect(plc.config).toEqual({ host: '10.0.0.5', port: 502, pollIntervalMs: 1000, timeoutMs: 2000 });
    const badUpdate = await error(
      s.update(admin, plc.id!, { config: { host: '10.0.0.5', port: 70000 }, reason }),
    );
    expect(badUpdate.details).toEqual([{ path: 'config.port', message: expect.any(String) }]);
    expect((await error(s.update(admin, 999_999, { name: 'x', reason }))).code).toBe('not_found');
  });

  it('restarts a connector when it changes, stops it when disabled, and keeps a password left out', async () => {
    const fake = fakeDrivers();
    const { s } = service({ drivers: { modbus: fake.factory } });
    await s.start({ linkPollMs: null });
    const plc = await s.create(
      admin,
      CreateConnectorSchema.parse({
        code: 'plc-1',
        name: 'PLC',
        kind: 'modbus',
        config: { host: '10.0.0.5' },
        reason,
      }),
    );
    expect(fake.log).toEqual(['start plc-1']);
    await s.update(admin, plc.id!, { config: { host: '10.0.0.6' }, reason });
    expect(fake.log).toEqual(['start plc-1', 'stop plc-1', 'start plc-1']);
    const disabled = await s.update(admin, plc.id!, { enabled: false, reason });
    expect(disabled.health.state).toBe('stopped');
    expect(fake.log.at(-1)).toBe('stop plc-1');
    const enabled = await s.update(admin, plc.id!, { enabled: true, reason });
    expect(enabled.health.state).toBe('connected');
    fake.log.length = 0;
    await s.restart(admin, plc.id!, 'values frozen');
    expect(fake.log).toEqual(['stop plc-1', 'start plc-1']);
    const [entry] = await opened.db.query<{ reason: string }>(
      `SELECT reason FROM audit_log WHERE action = 'connector.restart' ORDER BY seq DESC LIMIT 1`,
    );
    expect(entry?.reason).toBe('values frozen');

    const broker = await s.create(admin, {
      ...mqttInput('mqtt://127.0.0.1:1', { password: 'pw' }),
      enabled: false,
    });
    const kept = await s.update(admin, broker.id!, {
      config: { url: 'mqtt://127.0.0.1:2', username: 'u' },
      reason,
    });
    expect(kept.hasPassword).toBe(true);
    const cleared = await s.update(admin, broker.id!, {
      config: { url: 'mqtt://127.0.0.1:2', password: null },
      reason,
    });
    expect(cleared.hasPassword).toBe(false);
  });

  it('refuses to delete a connector that tags still read from', async () => {
    const { s, tags } = service({ drivers: { modbus: fakeDrivers().factory } });
    const plc = await s.create(
      admin,
      CreateConnectorSchema.parse({
        code: 'plc-1',
        name: 'PLC',
        kind: 'modbus',
        config: { host: '10.0.0.5' },
        reason,
      }),
    );
    const tag: BoundTag = {
      id: 41,
      code: 'PT101',
      equipmentCode: 'P1',
      type: 'number',
      source: {
        kind: 'modbus',
        connectorId: plc.id!,
        unitId: 1,
        area: 'holding',
        address: 0,
        dataType: 'int16',
        scale: 1,
        offset: 0,
        wordOrder: 'big',
      },
    };
    tags.set([tag]);
    const refused = await error(s.remove(admin, plc.id!, reason));
    expect(refused.code).toBe('conflict');
    expect(refused.message).toContain('P1.PT101');
    tags.set([]);
    await s.remove(admin, plc.id!, reason);
    expect((await s.list(admin)).map((c) => c.code)).toEqual([DEFAULT_CONNECTOR_CODE]);
  });

  it("sends interlock writes to the driver of the tag's connector", async () => {
    const fake = fakeDrivers();
    const { s, tags } = service({ drivers: { modbus: fake.factory } });
    await s.start({ linkPollMs: null });
    const plc = await s.create(
      admin,
      CreateConnectorSchema.parse({
        code: 'plc-1',
        name: 'PLC',
        kind: 'modbus',
        config: { host: '10.0.0.5' },
        reason,
      }),
    );
    const source = {
      kind: 'modbus' as const,
      unitId: 1,
      area: 'coil' as const,
      address: 3,
      dataType: 'bool' as const,
      scale: 1,
      offset: 0,
      wordOrder: 'big' as const,
    };
    tags.set([
      {
        id: 1,
        code: 'XV1',
        equipmentCode: 'P1',
        type: 'boolean',
        source: { ...source, connectorId: plc.id! },
      },
      { id: 2, code: 'XV2', equipmentCode: 'P1', type: 'boolean', source: { ...source, connectorId: 999 } },
      {
        id: 4,
        code: 'LEVEL',
        equipmentCode: 'P1',
        type: 'number',
        source: { ...source, area: 'input', dataType: 'int16', connectorId: plc.id! },
      },
    ]);
    const writer = s.interlockWriter();
    expect(await writer.write(1, false, 1000)).toEqual({ confirmed: true, detail: 'read back' });
    expect(fake.log.at(-1)).toBe('write plc-1 1=false');
    // Writes that did not happen are failures, not "unconfirmed": the audit trail must not call them a success.
    expect(await writer.write(2, false, 1000)).toEqual({
      confirmed: false,
      failed: true,
      detail: expect.stringMatching(/not running/),
    });
    expect(await writer.write(3, false, 1000)).toEqual({
      confirmed: false,
      failed: true,
      detail: expect.stringMatching(/not read from equipment/),
    });
    const writes = fake.log.filter((l) => l.startsWith('write')).length;
    expect(await writer.write(4, 1, 1000)).toEqual({
      confirmed: false,
      failed: true,
      detail: expect.stringMatching(/input register is read-only/),
    });
    expect(fake.log.filter((l) => l.startsWith('write'))).toHaveLength(writes);
  });

  it('loads the Modbus driver when a Modbus connector starts', async () => {
    const { s } = service();
    await s.start({ linkPollMs: null });
    const plc = await s.create(
      admin,
      CreateConnectorSchema.parse({
        code: 'plc-real',
        name: 'PLC',
        kind: 'modbus',
        config: { host: '127.0.0.1', port: 1 },
        reason,
      }),
    );
    // Nobody listens on port 1: the real driver keeps trying, which shows it was loaded and started.
    await eventually(
      () => s.health().find((h) => h.id === plc.id)?.health.state === 'disconnected',
      5000,
      'the Modbus driver to report the refused connection',
    );
  });

  it('shows a connector of a kind without a driver as an error', async () => {
    const { s } = service({ drivers: { opcua: undefined } });
    await s.start({ linkPollMs: null });
    const ua = await s.create(
      admin,
      CreateConnectorSchema.parse({
        code: 'ua-1',
        name: 'UA',
        kind: 'opcua',
        config: { endpointUrl: 'opc.tcp://h:4840' },
        reason,
      }),
    );
    expect(ua.health).toMatchObject({ state: 'error', lastError: expect.stringMatching(/no opcua driver/) });
  });

  it('fails to start with a clear message when the MQTT port is taken', async () => {
    let other: EmbeddedBroker | null = await startEmbeddedBroker({
      host: '127.0.0.1',
      port: 0,
      wsPort: null,
      log: silentLog,
    });
    try {
      const { s } = service({ config: { mqttPort: other.port } });
      const started = s.start({ linkPollMs: null });
      await expect(started).rejects.toBeInstanceOf(BrokerPortInUseError);
      await expect(started).rejects.toThrow(/AEGIS_MQTT_PORT/);
    } finally {
      await other.close();
      other = null;
    }
  });

  it('uses MQTT_URL instead of the embedded broker when it is set', async () => {
    const external = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, wsPort: null, log: silentLog });
    try {
      const { s } = service({ config: { mqttUrl: external.url } });
      await s.start({ linkPollMs: null });
      expect(s.broker()).toBeNull();
      await eventually(() => s.health()[0]?.health.state === 'connected', 5000, 'the default connection');
      const [builtin] = await s.list(admin);
      expect(builtin!.config).toMatchObject({ url: external.url, embedded: false });
    } finally {
      for (const svc of services.splice(0)) await svc.stop();
      await external.close();
    }
  });
});

describe('embedded broker ports', () => {
  it('moves to a free port when its default port is taken, but not when the port was chosen', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const { s } = service({
        config: { host: '127.0.0.1', mqttPort: undefined, mqttWsPort: 0 },
        defaultBrokerPorts: { tcp: taken, ws: 0 },
      });
      await s.start({ linkPollMs: null });
      const port = s.broker()!.port;
      expect(port).toBeGreaterThan(0);
      expect(port).not.toBe(taken);

      const { s: chosen } = service({ config: { host: '127.0.0.1', mqttPort: taken, mqttWsPort: 0 } });
      await expect(chosen.start({ linkPollMs: null })).rejects.toThrow(
        new RegExp(`127.0.0.1:${taken}: the port is already in use.*AEGIS_MQTT_PORT`),
      );
    } finally {
      blocker.close();
    }
  });
});
