import type {
  Connector,
  ConnectorKind,
  CreateConnectorSchema,
  TagSource,
  UpdateConnectorSchema,
} from '@aegis/shared';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import type { z } from 'zod';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { RequestContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { conflict, invalid, notFound } from '../../errors.js';
import type { AccessGuard, Actor } from '../access/index.js';
import type { AuditService } from '../audit/index.js';
import type { BoundTag, ConnectorHealth, IngestSink, PointValue, TagDirectory } from '../ingest/types.js';
import { createOutboundPolicy, type OutboundCheck } from '../net/index.js';
import { type SecretBox, SecretOpenError } from '../secrets/index.js';
import { certificateTrust } from './certificates.js';
import { CONFIG_SCHEMAS, type DriverFactories, type DriverFactory, defaultDrivers } from './drivers.js';
import { defaultClientId, installationId } from './installation.js';
import type { EmbeddedBroker } from './mqtt/broker.js';
import { brokerAccess } from './mqtt/devices.js';
import { createMqttDriver } from './mqtt/driver.js';
import { openEmbeddedBroker } from './mqtt/embedded.js';
import { inProcessTransport } from './mqtt/inprocess.js';
import type { StoredCertificate, StoredConnector } from './repo.js';
import * as repo from './repo.js';
import { redactingLogger, redactSecrets, splitUrlCredentials } from './secrets.js';
import { hostOf, prepareSettings, requireAllowedDestination } from './settings.js';
import { type ConnectorDriver, type WriteResult, writeFailed } from './types.js';
import { sourceWritable } from './writable.js';

/** The code of the built-in MQTT connection (embedded broker or MQTT_URL); tags address it as connector null. */
export const DEFAULT_CONNECTOR_CODE = 'mqtt-default';

export type ConnectorService = ReturnType<typeof createConnectorService>;

interface Running {
  id: number | null;
  code: string;
  kind: ConnectorKind;
  driver: ConnectorDriver | null;
  /** Why there is no driver (unknown kind in this build, settings no longer valid). */
  problem: string | null;
  since: Date;
  /** Redacted from whatever its health and log lines say. */
  secrets: string[];
}

export interface ConnectorStatus {
  id: number | null;
  code: string;
  kind: ConnectorKind;
  health: ConnectorHealth;
}

const keyOf = (id: number | null) => (id === null ? 'default' : String(id));

function stoppedHealth(since: Date, problem: string | null = null): ConnectorHealth {
  return {
    state: problem ? 'error' : 'stopped',
    since: since.toISOString(),
    lastMessageAt: null,
    messages: 0,
    points: 0,
    errors: problem ? 1 : 0,
    lastError: problem,
    reconnects: 0,
  };
}

/** The config as the API shows it: secrets left out (stored rows hold none; this is a second net). */
function redact(config: Record<string, unknown>) {
  const { password: _password, ...rest } = config;
  for (const key of ['url', 'endpointUrl'])
    if (typeof rest[key] === 'string') rest[key] = redactSecrets(rest[key] as string);
  return rest;
}

const presentCertificate = (c: StoredCertificate) => ({
  fingerprint: c.fingerprint,
  subject: c.subject,
  validFrom: c.validFrom.toISOString(),
  validTo: c.validTo.toISOString(),
  status: c.status,
  firstSeenAt: c.firstSeenAt.toISOString(),
  decidedAt: c.decidedAt?.toISOString() ?? null,
});

/** A stored connector for the audit trail: no secrets, only whether one is set. */
const auditView = (c: StoredConnector) => ({
  id: c.id,
  code: c.code,
  name: c.name,
  kind: c.kind,
  enabled: c.enabled,
  config: redact(c.config),
  hasPassword: c.hasPassword,
});

const SOURCE_KINDS: Record<ConnectorKind, Array<TagSource['kind']>> = {
  mqtt: ['mqtt', 'sparkplug'],
  opcua: ['opcua'],
  modbus: ['modbus'],
};

/**
 * The connector registry: connector rows (CRUD, audited), the embedded MQTT broker, and one
 * running driver per enabled row plus the default MQTT connection. Interlock writes find the
 * tag's driver here.
 */
export function createConnectorService(deps: {
  db: Db;
  audit: AuditService;
  guard: AccessGuard;
  clock: Clock;
  config: Config;
  tags: TagDirectory;
  sink: IngestSink;
  /** Seals and opens the stored connector passwords (master key). */
  secrets: SecretBox;
  log?: FastifyBaseLogger;
  /** Driver factories by kind; defaults to this build's drivers. */
  drivers?: DriverFactories;
  /** The embedded broker's ports when the configuration names none (tests pass their own). */
  defaultBrokerPorts?: { tcp: number; ws: number };
  /** The outbound-address policy; defaults to one built from config.outboundAllow. */
  outbound?: OutboundCheck;
  /** Signs devices in on the embedded broker (auth module's API tokens); absent: no device can. */
  authenticateToken?: (token: string) => Promise<Actor | null>;
  /** The plant path of a tag: a device publishes only to tags within its token's scope. */
  pathOf?: (tagId: number) => string | undefined;
}) {
  const { db, audit, guard, clock, config, tags, sink, secrets: box } = deps;
  const defaults = deps.defaultBrokerPorts ?? { tcp: 1883, ws: 8083 };
  const drivers: DriverFactories = { ...defaultDrivers({ dataDir: config.dataDir }), ...deps.drivers };
  let log: FastifyBaseLogger = deps.log ?? pino({ level: 'silent' });
  const outbound = deps.outbound ?? createOutboundPolicy({ allow: config.outboundAllow }).check;
  const trust = certificateTrust({ db, clock, policy: config.opcuaCertificateTrust });
  const running = new Map<string, Running>();
  let broker: EmbeddedBroker | null = null;
  let deviceAccess: ReturnType<typeof brokerAccess> | null = null;
  let installationCache: string | null = null;
  const installation = () => {
    installationCache ??= installationId(config.dataDir);
    return installationCache;
  };
  let started = false;
  const linkListeners = new Set<(code: string, up: boolean) => void>();
  const linkUp = new Map<string, boolean>();
  let linkTimer: NodeJS.Timeout | null = null;

  // Starts, stops and restarts run one after another, so an edit during start-up cannot race it.
  let lifecycle: Promise<unknown> = Promise.resolve();
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = lifecycle.then(fn, fn);
    lifecycle = run.catch(() => {});
    return run;
  }

  async function launch(
    id: number | null,
    code: string,
    kind: ConnectorKind,
    rawConfig: Record<string, unknown>,
    factory = drivers[kind] as DriverFactory<ConnectorKind> | undefined,
  ) {
    let password: unknown;
    let unreadable = false;
    try {
      password = id === null ? rawConfig.password : await repo.secretOf(db, box, id);
    } catch (e) {
      if (!(e instanceof SecretOpenError)) throw e;
      unreadable = true;
    }
    const secrets = typeof password === 'string' ? [password] : [];
    const entry: Running = { id, code, kind, driver: null, problem: null, since: clock.now(), secrets };
    running.set(keyOf(id), entry);
    if (unreadable) {
      // Altered in the database or copied from another connector: never connect without it.
      entry.problem =
        'The stored password cannot be read (it was altered or copied from another connector): enter it again';
      return;
    }
    if (!factory) {
      entry.problem = `This build has no ${kind} driver`;
      return;
    }
    const parsed = CONFIG_SCHEMAS[kind].safeParse({
      ...rawConfig,
      ...(secrets.length ? { password } : {}),
      // An MQTT connection without a client id of its own gets one unique to this installation.
      ...(kind === 'mqtt' && !rawConfig.clientId
        ? {
            clientId:
              config.mqttClientId && id === null
                ? config.mqttClientId
                : defaultClientId(installation(), id === null ? null : code),
          }
        : {}),
    });
    if (!parsed.success) {
      entry.problem = `The stored settings are not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
      return;
    }
    try {
      entry.driver = (factory as DriverFactory<ConnectorKind>)({
        connectorId: id,
        code,
        config: parsed.data as never,
        tags,
        sink,
        log: redactingLogger(log.child({ connector: code }), secrets),
        clock,
        // The default connection is the administrator's own setting (MQTT_URL or the embedded broker).
        ...(id === null
          ? {}
          : {
              outbound: async (target) => {
                const verdict = await outbound(target, kind);
                return verdict.allowed ? null : `not connecting: ${verdict.message}`;
              },
              trustCertificate: trust(id),
            }),
      });
      await entry.driver.start();
    } catch (e) {
      entry.driver = null;
      entry.problem = redactSecrets(`The driver failed to start: ${(e as Error).message}`, secrets);
      redactingLogger(log, secrets).error({ err: e, connector: code }, 'connector failed to start');
    }
  }

  async function halt(id: number | null) {
    const entry = running.get(keyOf(id));
    running.delete(keyOf(id));
    if (entry?.driver) {
      await entry.driver
        .stop()
        .catch((err) => log.error({ err, connector: entry.code }, 'connector failed to stop'));
    }
  }

  /** Stops the row's driver and starts it again with the row as it is now (or not, when disabled or gone). */
  function relaunch(id: number) {
    return serial(async () => {
      if (!started) return;
      await halt(id);
      const row = await repo.get(db, id);
      if (row?.enabled) await launch(row.id, row.code, row.kind, row.config);
    });
  }

  function healthOf(id: number | null, since: Date): ConnectorHealth {
    const entry = running.get(keyOf(id));
    if (!entry) return stoppedHealth(since);
    if (!entry.driver) return stoppedHealth(entry.since, entry.problem);
    return redactHealth(entry.driver.health(), entry.secrets);
  }

  function present(
    row: StoredConnector,
    showConfig: boolean,
    certificates: StoredCertificate[] = [],
  ): Connector {
    return {
      id: row.id,
      code: row.code,
      name: row.name,
      kind: row.kind,
      enabled: row.enabled,
      config: showConfig ? redact(row.config) : {},
      hasPassword: row.hasPassword,
      health: healthOf(row.id, row.updatedAt),
      ...(showConfig && row.kind === 'opcua'
        ? { certificates: certificates.filter((c) => c.connectorId === row.id).map(presentCertificate) }
        : {}),
    };
  }

  function presentDefault(showConfig: boolean): Connector {
    const url = config.mqttUrl ?? broker?.url ?? null;
    return {
      id: null,
      code: DEFAULT_CONNECTOR_CODE,
      name: config.mqttUrl ? 'MQTT (MQTT_URL)' : 'MQTT (embedded broker)',
      kind: 'mqtt',
      enabled: started,
      config: showConfig
        ? {
            url: url === null ? null : redactUrl(url),
            sparkplug: true,
            embedded: !config.mqttUrl,
            ...(broker ? { port: broker.port, wsPort: broker.wsPort } : {}),
          }
        : {},
      hasPassword: url !== null && /\/\/[^/@]*:[^/@]*@/.test(url),
      health: healthOf(null, clock.now()),
    };
  }

  const mayManage = (ctx: RequestContext) => guard.can(ctx, 'connector.manage', null);

  /**
   * Rows stored before secrets lived apart may hold a password in their settings or credentials
   * in their URL: move them to connector_secret once; passwords stored there in clear are sealed.
   */
  async function moveStoredCredentials() {
    await db.transaction(async (tx) => {
      for (const row of await repo.list(tx)) {
        const key = row.kind === 'mqtt' ? 'url' : row.kind === 'opcua' ? 'endpointUrl' : null;
        const url = key ? row.config[key] : undefined;
        const split = key && typeof url === 'string' ? splitUrlCredentials(url) : null;
        const { password: legacy, ...next } = row.config;
        if (!('password' in row.config) && (!split || split.url === url)) continue;
        if (key && split) next[key] = split.url;
        if (split?.username && !next.username) next.username = split.username;
        const password = typeof legacy === 'string' && legacy ? legacy : split?.password;
        await repo.setConfig(tx, row.id, next);
        if (password && !row.hasPassword) await repo.setSecret(tx, box, row.id, password);
        log.warn({ connector: row.code }, 'connector: credentials moved out of the stored settings');
      }
      // Passwords stored before they were encrypted at rest: sealed now, so none stays in clear.
      const sealed = await repo.sealClearSecrets(tx, box);
      if (sealed) log.info({ count: sealed }, 'connector: stored passwords encrypted with the master key');
    });
  }

  /** Approves or rejects an OPC UA server certificate the connector has seen (audited), then reconnects. */
  async function decideCertificate(
    ctx: RequestContext,
    id: number,
    input: { fingerprint: string; reason: string },
    status: 'approved' | 'rejected',
  ) {
    const row = await db.transaction(async (tx) => {
      await guard.requireGlobal(tx, ctx, 'connector.manage', 'connector');
      const found = await repo.get(tx, id);
      if (!found) throw notFound('Connector', id);
      const decided = await repo.decideCertificate(tx, {
        connectorId: id,
        fingerprint: input.fingerprint,
        status,
        by: ctx.actor?.userId ?? null,
        now: clock.now(),
      });
      if (!decided) throw notFound('Server certificate', input.fingerprint);
      await audit.append(tx, ctx, {
        action: status === 'approved' ? 'connector.certificate.approve' : 'connector.certificate.reject',
        targetType: 'connector',
        targetId: id,
        reason: input.reason,
        after: { fingerprint: decided.fingerprint, subject: decided.subject, status: decided.status },
      });
      return found;
    });
    await relaunch(id);
    return present((await repo.get(db, id)) ?? row, true, await repo.certificates(db, id));
  }

  /** Tags that read from the connector, for refusing to delete it under them. */
  function tagsOf(row: StoredConnector): BoundTag[] {
    return SOURCE_KINDS[row.kind].flatMap((kind) =>
      tags.bound(kind, row.id).filter((t) => 'connectorId' in t.source && t.source.connectorId === row.id),
    );
  }

  function checkLinks() {
    // Runs on a timer: nothing it calls may throw out of it.
    for (const [key, entry] of running) {
      try {
        const state = entry.driver?.health().state ?? 'error';
        // connecting and stopped are no news: a start-up must not flash a communication-loss alarm.
        if (state === 'connecting' || state === 'stopped') continue;
        const up = state === 'connected';
        if (linkUp.get(key) === up) continue;
        linkUp.set(key, up);
        for (const l of linkListeners) l(entry.code, up);
      } catch (err) {
        log.error({ err, connector: entry.code }, 'connector link check failed');
      }
    }
  }

  return {
    setLogger(next: FastifyBaseLogger) {
      log = next;
    },

    /**
     * Starts the embedded broker (unless MQTT_URL is set), the default MQTT connection and every
     * enabled connector. Throws when the broker's port is taken (BrokerPortInUseError).
     */
    start(opts: { linkPollMs?: number | null } = {}) {
      return serial(async () => {
        if (started) return;
        if (!config.mqttUrl) {
          deviceAccess = brokerAccess({
            tags,
            authenticateToken: deps.authenticateToken,
            pathOf: deps.pathOf,
          });
          broker = await openEmbeddedBroker({
            host: config.mqttHost,
            port: config.mqttPort,
            wsPort: config.mqttWsPort,
            defaults,
            dataDir: config.dataDir,
            log,
            access: deviceAccess,
          });
        }
        started = true;
        // With the embedded broker the default connection takes its messages in-process.
        const embedded = broker;
        const inProcess: DriverFactory<'mqtt'> | undefined =
          embedded && !deps.drivers?.mqtt
            ? (d) => createMqttDriver(d, inProcessTransport(embedded))
            : undefined;
        // Credentials in MQTT_URL are given to the client apart, so the URL it reports has none.
        const { url: defaultUrl, ...credentials } = splitUrlCredentials(config.mqttUrl ?? embedded!.url);
        await launch(
          null,
          DEFAULT_CONNECTOR_CODE,
          'mqtt',
          { url: defaultUrl, ...credentials, sparkplug: true },
          inProcess as DriverFactory<ConnectorKind> | undefined,
        );
        await moveStoredCredentials();
        for (const row of await repo.list(db))
          if (row.enabled) await launch(row.id, row.code, row.kind, row.config);
        const every = opts.linkPollMs === undefined ? 1000 : opts.linkPollMs;
        if (every !== null) {
          linkTimer = setInterval(checkLinks, every);
          linkTimer.unref();
        }
      });
    },

    /** Stops every driver, then the embedded broker. */
    stop() {
      return serial(async () => {
        if (!started) return;
        started = false;
        if (linkTimer) clearInterval(linkTimer);
        linkTimer = null;
        await Promise.all([...running.values()].map((e) => halt(e.id)));
        await broker?.close();
        broker = null;
        deviceAccess?.close();
        deviceAccess = null;
      });
    },

    /** The embedded broker's bound ports, or null when MQTT_URL is used or it is not started. */
    broker() {
      return broker ? { host: broker.host, port: broker.port, wsPort: broker.wsPort, url: broker.url } : null;
    },

    /**
     * A token was revoked, a user's sessions ended or their grants changed: devices of the
     * embedded broker signed in with them are disconnected and must sign in again.
     */
    dropDevices(e: { tokenId: number } | { userId: number } | { userIds: number[] }) {
      if (!broker) return 0;
      if ('tokenId' in e) return broker.disconnectDevices((d) => d.tokenId === e.tokenId);
      const users = new Set('userIds' in e ? e.userIds : [e.userId]);
      return broker.disconnectDevices((d) => d.userId !== null && users.has(d.userId));
    },

    /** Every connector with its health; the settings only for those who may manage connectors. */
    async list(ctx: RequestContext): Promise<Connector[]> {
      const show = mayManage(ctx);
      const rows = await repo.list(db);
      const certificates = show ? await repo.certificates(db) : [];
      return [presentDefault(show), ...rows.map((r) => present(r, show, certificates))];
    },

    async get(ctx: RequestContext, id: number): Promise<Connector> {
      const row = await repo.get(db, id);
      if (!row) throw notFound('Connector', id);
      const show = mayManage(ctx);
      return present(row, show, show ? await repo.certificates(db, id) : []);
    },

    /** Health of every running connector, for comm-loss alarms and the status page. */
    health(): ConnectorStatus[] {
      return [...running.values()].map((e) => ({
        id: e.id,
        code: e.code,
        kind: e.kind,
        health: e.driver ? redactHealth(e.driver.health(), e.secrets) : stoppedHealth(e.since, e.problem),
      }));
    },

    /** Called with (connector code, up) whenever a connection is made or lost (polled once a second). */
    onLinkChange(listener: (code: string, up: boolean) => void) {
      linkListeners.add(listener);
      return () => linkListeners.delete(listener);
    },
    checkLinks,

    async create(ctx: RequestContext, input: z.output<typeof CreateConnectorSchema>) {
      const created = await db.transaction(async (tx) => {
        await guard.requireGlobal(tx, ctx, 'connector.manage', 'connector');
        if (input.code === DEFAULT_CONNECTOR_CODE) {
          throw invalid(`The code ${DEFAULT_CONNECTOR_CODE} is reserved for the built-in MQTT connection`, [
            { path: 'code', message: 'reserved' },
          ]);
        }
        if (await repo.getByCode(tx, input.code))
          throw conflict(`A connector with the code ${input.code} exists already`);
        const settings = prepareSettings(input.kind, input.config);
        await requireAllowedDestination(outbound, input.kind, settings.config);
        const inserted = await repo.insert(tx, {
          code: input.code,
          name: input.name,
          kind: input.kind,
          enabled: input.enabled,
          config: settings.config,
          now: clock.now(),
        });
        if (settings.password) await repo.setSecret(tx, box, inserted.id, settings.password);
        const row = (await repo.get(tx, inserted.id))!;
        await audit.append(tx, ctx, {
          action: 'connector.create',
          targetType: 'connector',
          targetId: row.id,
          reason: input.reason,
          after: auditView(row),
        });
        return row;
      });
      if (created.enabled) await relaunch(created.id);
      return present(created, true);
    },

    async update(ctx: RequestContext, id: number, input: z.output<typeof UpdateConnectorSchema>) {
      const updated = await db.transaction(async (tx) => {
        await guard.requireGlobal(tx, ctx, 'connector.manage', 'connector');
        const before = await repo.get(tx, id);
        if (!before) throw notFound('Connector', id);
        let nextConfig = before.config;
        if (input.config) {
          // A password left out keeps the stored one; null or "" clears it.
          const settings = prepareSettings(before.kind, input.config);
          await requireAllowedDestination(outbound, before.kind, settings.config);
          // The stored password must not follow the connector to another host unasked.
          if (
            settings.password === undefined &&
            before.hasPassword &&
            hostOf(before.kind, settings.config) !== hostOf(before.kind, before.config)
          ) {
            throw invalid(
              'The connector now points to another host: give its password again (or remove it)',
              [{ path: 'config.password', message: 'required when the host changes' }],
            );
          }
          if (settings.password !== undefined) await repo.setSecret(tx, box, id, settings.password);
          nextConfig = settings.config;
        }
        const after = await repo.update(tx, id, {
          name: input.name ?? before.name,
          enabled: input.enabled ?? before.enabled,
          config: nextConfig,
          now: clock.now(),
        });
        await audit.append(tx, ctx, {
          action: 'connector.update',
          targetType: 'connector',
          targetId: id,
          reason: input.reason,
          before: auditView(before),
          after: auditView(after!),
        });
        return after!;
      });
      await relaunch(id);
      return present(updated, true);
    },

    async remove(ctx: RequestContext, id: number, reason: string) {
      await db.transaction(async (tx) => {
        await guard.requireGlobal(tx, ctx, 'connector.manage', 'connector');
        const before = await repo.get(tx, id);
        if (!before) throw notFound('Connector', id);
        const bound = tagsOf(before);
        if (bound.length > 0) {
          const some = bound
            .slice(0, 3)
            .map((t) => `${t.equipmentCode}.${t.code}`)
            .join(', ');
          throw conflict(
            `${bound.length} tag(s) still read from connector ${before.code} (${some}${bound.length > 3 ? ', …' : ''}); point them elsewhere first`,
          );
        }
        await repo.remove(tx, id);
        await audit.append(tx, ctx, {
          action: 'connector.delete',
          targetType: 'connector',
          targetId: id,
          reason,
          before: auditView(before),
        });
      });
      await relaunch(id);
    },

    /** Drops the connection and connects afresh (audited: it interrupts data collection). */
    async restart(ctx: RequestContext, id: number, reason?: string) {
      const row = await db.transaction(async (tx) => {
        await guard.requireGlobal(tx, ctx, 'connector.manage', 'connector');
        const found = await repo.get(tx, id);
        if (!found) throw notFound('Connector', id);
        await audit.append(tx, ctx, {
          action: 'connector.restart',
          targetType: 'connector',
          targetId: id,
          reason: reason ?? null,
        });
        return found;
      });
      await relaunch(id);
      return present((await repo.get(db, id)) ?? row, true, await repo.certificates(db, id));
    },

    /** Trusts an OPC UA server certificate the connector is waiting on (trust on first use with approval). */
    approveCertificate: (ctx: RequestContext, id: number, input: { fingerprint: string; reason: string }) =>
      decideCertificate(ctx, id, input, 'approved'),
    rejectCertificate: (ctx: RequestContext, id: number, input: { fingerprint: string; reason: string }) =>
      decideCertificate(ctx, id, input, 'rejected'),

    /** Interlock and setpoint writes (alarms.setInterlockWriter): find the tag's driver and write. */
    interlockWriter() {
      return {
        async write(
          tagId: number,
          value: Exclude<PointValue, null>,
          timeoutMs: number,
        ): Promise<WriteResult> {
          let tag: BoundTag | undefined;
          for (const kind of ['mqtt', 'sparkplug', 'opcua', 'modbus'] as const) {
            tag = tags.bound(kind).find((t) => t.id === tagId);
            if (tag) break;
          }
          if (!tag) return writeFailed(`tag ${tagId} is not read from equipment; nothing to write to`);
          const writable = sourceWritable(tag.source);
          if (!writable.writable) return writeFailed(`refused: ${writable.reason}`);
          const connectorId = 'connectorId' in tag.source ? tag.source.connectorId : null;
          const entry = running.get(keyOf(connectorId));
          const name = connectorId === null ? DEFAULT_CONNECTOR_CODE : `connector ${connectorId}`;
          if (!entry?.driver) {
            return writeFailed(
              `${name} is not running in this process${entry?.problem ? `: ${entry.problem}` : ''}`,
            );
          }
          try {
            // The detail is audited: no secret in it.
            const done = await entry.driver.write(tag, value, timeoutMs);
            return { ...done, detail: redactSecrets(done.detail, entry.secrets) };
          } catch (e) {
            return writeFailed(
              redactSecrets(`writing through ${entry.code} failed: ${(e as Error).message}`, entry.secrets),
            );
          }
        },
      };
    },
  };
}

/** A URL without the password in it. */
function redactUrl(url: string) {
  return url.replace(/(\/\/[^/@:]*):[^/@]*@/, '$1:***@');
}

/** Health as people see it: no secret in the last error. */
function redactHealth(health: ConnectorHealth, secrets: readonly string[]): ConnectorHealth {
  return health.lastError === null
    ? health
    : { ...health, lastError: redactSecrets(health.lastError, secrets) };
}
