import os from 'node:os';
import path from 'node:path';
import type { OpcuaConnectorConfigSchema, TagSource } from '@aegis/shared';
import {
  AttributeIds,
  ClientMonitoredItem,
  type ClientSession,
  type ClientSubscription,
  type DataType,
  type DataValue,
  OPCUACertificateManager,
  OPCUAClient,
  resolveNodeId,
  StatusCodes,
  TimestampsToReturn,
  type UserIdentityInfo,
  UserTokenType,
} from 'node-opcua';
import type { z } from 'zod';
import type { BoundTag, ConnectorHealth, Point, PointValue } from '../../ingest/types.js';
import { backoffMs, type ConnectorDriver, type DriverDeps, initialHealth, writeFailed } from '../types.js';
import { sameValue, toPoint, toWriteValue } from './convert.js';
import { routeLibraryWarnings } from './library-log.js';
import { securitySettings } from './security.js';

export type OpcuaConfig = z.output<typeof OpcuaConnectorConfigSchema>;
type OpcuaSource = Extract<TagSource, { kind: 'opcua' }>;

export interface OpcuaDriverOptions {
  /** Where the client's certificate and trust lists live; made once and reused. Default: <tmp>/aegis-opcua-pki. */
  pkiDir?: string;
}

/** The keep-alive count asked of the server: an idle subscription still answers every N publishing intervals. */
const KEEP_ALIVE_COUNT = 10;
/** Monitored items created at once; each is one request. */
const CREATE_CONCURRENCY = 50;

// One certificate manager per folder and process: the client certificate is made on first use only.
const certificateManagers = new Map<string, OPCUACertificateManager>();
function certificateManager(dir: string) {
  let manager = certificateManagers.get(dir);
  if (!manager) {
    // Which server certificates are trusted is decided per connector (trustCertificate), not by this folder.
    manager = new OPCUACertificateManager({ rootFolder: dir, automaticallyAcceptUnknownCertificate: true });
    certificateManagers.set(dir, manager);
  }
  return manager;
}

/**
 * The shared certificate manager, except that the server's certificate is checked by `trusted`
 * (node-opcua asks checkCertificate when security mode is Sign or SignAndEncrypt).
 */
function askingManager(
  manager: OPCUACertificateManager,
  trusted: (der: Buffer) => Promise<boolean>,
): OPCUACertificateManager {
  return new Proxy(manager, {
    get(target, prop) {
      if (prop === 'checkCertificate') {
        return async (der: Buffer) =>
          (await trusted(der)) ? StatusCodes.Good : StatusCodes.BadCertificateUntrusted;
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function message(err: unknown) {
  return err instanceof Error ? err.message : String(err);
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((resolve) => {
      timer = setTimeout(() => resolve(onTimeout()), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

interface Item {
  tag: BoundTag;
  source: OpcuaSource;
  /** null while being created, or when the server refused it (retried at the next directory change or reconnect). */
  monitored: ClientMonitoredItem | null;
}

/** One connection: client, session, subscription and its monitored items. Replaced as a whole after a loss. */
interface Link {
  client: OPCUAClient;
  session: ClientSession | null;
  subscription: ClientSubscription | null;
  items: Map<number, Item>;
  closed: boolean;
  lastPublishAt: number;
  /** Directory reconciliations run one after another. */
  syncing: Promise<void>;
  watchdog: NodeJS.Timeout | null;
}

/**
 * Subscribes to the OPC UA nodes of this connector's tags: one subscription, one monitored item
 * per tag, one sink batch per publish response. After any loss the whole connection is rebuilt
 * with back-off and everything is subscribed again.
 */
export function createOpcuaDriver(
  deps: DriverDeps<OpcuaConfig>,
  options: OpcuaDriverOptions = {},
): ConnectorDriver {
  const { config, log, clock, sink } = deps;
  routeLibraryWarnings(log);
  const pkiDir = options.pkiDir ?? path.join(os.tmpdir(), 'aegis-opcua-pki');
  let health: ConnectorHealth = initialHealth(clock.now());
  let link: Link | null = null;
  let stopped = true;
  let attempt = 0;
  let reconnectTimer: NodeJS.Timeout | null = null;
  // Set once the tags have been marked bad for an outage, so retries do not mark them again.
  let commLost = false;
  let everConnected = false;
  let unsubscribe: (() => void) | null = null;
  // Node data types for writes, by node id; node ids can be reassigned, so the cache empties when tags change.
  const dataTypes = new Map<string, DataType>();
  // Notifications of one publish response arrive in one synchronous loop; they leave in one batch.
  let pending: Point[] = [];
  let flushScheduled = false;
  let submitting: Promise<void> = Promise.resolve();

  function boundTags() {
    return deps.tags.bound('opcua', deps.connectorId).filter((t) => t.source.kind === 'opcua');
  }

  function setState(state: ConnectorHealth['state']) {
    if (health.state !== state) health = { ...health, state, since: clock.now().toISOString() };
  }

  function recordError(text: string) {
    health = { ...health, errors: health.errors + 1, lastError: text };
  }

  function submit(points: Point[]) {
    if (points.length === 0 || stopped) return;
    health = {
      ...health,
      messages: health.messages + 1,
      points: health.points + points.length,
      lastMessageAt: clock.now().toISOString(),
    };
    // Batches are stored in arrival order.
    submitting = submitting.then(async () => {
      try {
        await sink.submit(points);
      } catch (err) {
        recordError(`storing values failed: ${message(err)}`);
        log.error({ err, connector: deps.code }, 'opcua: storing values failed');
      }
    });
  }

  function enqueue(point: Point) {
    pending.push(point);
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(() => {
      flushScheduled = false;
      const batch = pending;
      pending = [];
      submit(batch);
    });
  }

  function onValue(l: Link, tagId: number, dv: DataValue) {
    const item = l.items.get(tagId);
    if (l.closed || !item) return;
    l.lastPublishAt = Date.now();
    // An event handler: a throw here would reach node-opcua's emitter, and from there the process.
    try {
      const { point, error } = toPoint(item.tag, dv, clock.now().getTime());
      if (error) recordError(`${item.tag.equipmentCode}.${item.tag.code} (${item.source.nodeId}): ${error}`);
      enqueue(point);
    } catch (err) {
      recordError(`${item.tag.equipmentCode}.${item.tag.code}: value not handled: ${message(err)}`);
      log.error({ err, connector: deps.code }, 'opcua: value not handled');
    }
  }

  function badPoints(tags: readonly BoundTag[]) {
    const ts = clock.now().getTime();
    for (const t of tags) enqueue({ tagId: t.id, ts, value: null, quality: 'bad' });
  }

  async function monitor(l: Link, item: Item) {
    const subscription = l.subscription!;
    const where = `${item.tag.equipmentCode}.${item.tag.code} (${item.source.nodeId})`;
    let nodeId: ReturnType<typeof resolveNodeId>;
    try {
      nodeId = resolveNodeId(item.source.nodeId);
    } catch (err) {
      recordError(`${where}: invalid node id: ${message(err)}`);
      badPoints([item.tag]);
      return;
    }
    const sampling = item.source.samplingIntervalMs;
    // Keep every sample taken between two publishes.
    const queueSize = Math.min(
      100,
      Math.max(1, Math.ceil(config.publishingIntervalMs / Math.max(sampling, 1))),
    );
    const monitored = ClientMonitoredItem.create(
      subscription,
      { nodeId, attributeId: AttributeIds.Value },
      { samplingInterval: sampling, discardOldest: true, queueSize },
      TimestampsToReturn.Both,
    );
    monitored.on('changed', (dv: DataValue) => onValue(l, item.tag.id, dv));
    const failure = await new Promise<string | null>((resolve) => {
      monitored.once('initialized', () => resolve(null));
      monitored.once('err', (text: string) => resolve(text));
      monitored.once('terminated', (err?: Error) => resolve(err ? message(err) : 'terminated'));
    });
    if (l.closed) return;
    if (failure) {
      recordError(`${where}: ${failure}`);
      badPoints([item.tag]);
      return;
    }
    if (l.items.get(item.tag.id) === item) item.monitored = monitored;
    else await monitored.terminate().catch(() => undefined);
  }

  /** Brings the monitored items in line with the directory: removes, adds and re-creates only what changed. */
  async function reconcile(l: Link) {
    if (l.closed || !l.subscription) return;
    const wanted = new Map(boundTags().map((t) => [t.id, t]));
    const removals: ClientMonitoredItem[] = [];
    for (const [tagId, item] of l.items) {
      const tag = wanted.get(tagId);
      const source = tag?.source as OpcuaSource | undefined;
      if (
        !tag ||
        !source ||
        source.nodeId !== item.source.nodeId ||
        source.samplingIntervalMs !== item.source.samplingIntervalMs ||
        !item.monitored
      ) {
        l.items.delete(tagId);
        if (item.monitored) removals.push(item.monitored);
      } else {
        item.tag = tag; // type or code edits need no new item
      }
    }
    await Promise.all(removals.map((m) => m.terminate().catch(() => undefined)));

    const additions: Item[] = [];
    for (const tag of wanted.values()) {
      if (l.items.has(tag.id)) continue;
      const item: Item = { tag, source: tag.source as OpcuaSource, monitored: null };
      l.items.set(tag.id, item);
      additions.push(item);
    }
    for (let i = 0; i < additions.length && !l.closed; i += CREATE_CONCURRENCY) {
      await Promise.all(additions.slice(i, i + CREATE_CONCURRENCY).map((item) => monitor(l, item)));
    }
  }

  function sync(l: Link) {
    l.syncing = l.syncing
      .then(() => reconcile(l))
      .catch((err) => lose(l, `subscribing failed: ${message(err)}`));
    return l.syncing;
  }

  async function teardown(l: Link) {
    if (l.watchdog) clearInterval(l.watchdog);
    l.watchdog = null;
    // disconnect() closes the session and deletes its subscription when the server is still there.
    await withTimeout(
      l.client.disconnect().catch(() => undefined),
      3000,
      () => undefined,
    );
  }

  /** The connection is gone: every tag is bad until it is back; rebuild after a back-off. */
  function lose(l: Link, reason: string) {
    if (l.closed) return;
    l.closed = true;
    if (link !== l) return;
    link = null;
    if (stopped) return;
    setState('disconnected');
    health = { ...health, lastError: reason };
    if (!commLost) {
      commLost = true;
      // Before the first connection (a server still starting, as the demo's simulator) a refusal is no news.
      if (everConnected) log.warn({ connector: deps.code, reason }, 'opcua: connection lost');
      else log.debug({ connector: deps.code, reason }, 'opcua: not reachable yet, retrying');
      badPoints(boundTags());
    }
    void teardown(l);
    scheduleReconnect();
  }

  function scheduleReconnect() {
    if (stopped || reconnectTimer) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      health = { ...health, reconnects: health.reconnects + 1 };
      run();
    }, backoffMs(attempt++));
  }

  /** Starts a connection attempt; whatever goes wrong in it ends in a retry, never in an unhandled rejection. */
  function run() {
    connect().catch((err: unknown) => {
      log.error({ err, connector: deps.code }, 'opcua: connection attempt failed');
      if (link) lose(link, message(err));
      else {
        health = { ...health, lastError: message(err) };
        scheduleReconnect();
      }
    });
  }

  function identity(): UserIdentityInfo {
    if (config.username) {
      return { type: UserTokenType.UserName, userName: config.username, password: config.password ?? '' };
    }
    return { type: UserTokenType.Anonymous };
  }

  async function connect() {
    if (stopped) return;
    // The outbound policy is asked before every attempt: DNS may have changed since the save.
    const refusal = deps.outbound ? await deps.outbound(config.endpointUrl) : null;
    if (stopped) return;
    if (refusal) {
      setState('error');
      health = { ...health, lastError: refusal };
      if (!commLost) {
        commLost = true;
        badPoints(boundTags());
      }
      scheduleReconnect();
      return;
    }
    const security = securitySettings(config);
    if (!security.ok) {
      // A configuration error: retrying cannot help until the connector is edited (which restarts the driver).
      setState('error');
      health = { ...health, lastError: security.detail };
      if (!commLost) {
        commLost = true;
        badPoints(boundTags());
      }
      return;
    }
    // Set when the server's certificate is refused by trustCertificate: what health then says.
    let certificateRefusal: string | null = null;
    const client = OPCUAClient.create({
      applicationName: 'Aegis',
      clientName: `aegis-${deps.code}`,
      endpointMustExist: false,
      securityMode: security.mode,
      securityPolicy: security.policy,
      clientCertificateManager: deps.trustCertificate
        ? askingManager(certificateManager(pkiDir), async (der) => {
            const verdict = await deps.trustCertificate!(der);
            if (!verdict.trusted) certificateRefusal = verdict.detail;
            return verdict.trusted;
          })
        : certificateManager(pkiDir),
      // Reconnection is ours (backoffMs with jitter), so node-opcua must not retry on its own.
      connectionStrategy: { maxRetry: 0, initialDelay: 500, maxDelay: 1000 },
      keepSessionAlive: false,
    });
    const l: Link = {
      client,
      session: null,
      subscription: null,
      items: new Map(),
      closed: false,
      lastPublishAt: Date.now(),
      syncing: Promise.resolve(),
      watchdog: null,
    };
    link = l;
    setState('connecting');
    client.on('connection_lost', () => lose(l, 'connection lost'));
    client.on('close', (err?: Error | null) =>
      lose(l, err ? `connection closed: ${err.message}` : 'connection closed'),
    );

    try {
      await client.connect(config.endpointUrl);
      if (l.closed) return void teardown(l);
      const session = await client.createSession(identity());
      l.session = session;
      session.on('session_closed', () => lose(l, 'session closed by the server'));
      if (l.closed) return void teardown(l);
      const subscription = await session.createSubscription2({
        requestedPublishingInterval: config.publishingIntervalMs,
        requestedLifetimeCount: KEEP_ALIVE_COUNT * 6,
        requestedMaxKeepAliveCount: KEEP_ALIVE_COUNT,
        maxNotificationsPerPublish: 0,
        publishingEnabled: true,
        priority: 10,
      });
      l.subscription = subscription;
      subscription.on('keepalive', () => {
        l.lastPublishAt = Date.now();
      });
      subscription.on('terminated', () => lose(l, 'subscription terminated'));
      subscription.on('internal_error', (err: Error) => lose(l, `subscription failed: ${err.message}`));
      if (l.closed) return void teardown(l);
    } catch (err) {
      lose(l, certificateRefusal ?? `connect to ${config.endpointUrl}: ${message(err)}`);
      return;
    }

    attempt = 0;
    commLost = false;
    everConnected = true;
    setState('connected');
    log.info({ connector: deps.code, endpoint: config.endpointUrl }, 'opcua: connected');
    // A server that stops answering without closing the socket: no publish response (data or keep-alive) for long.
    const sub = l.subscription!;
    const silenceMs = Math.max(
      10_000,
      3 * (sub.maxKeepAliveCount || KEEP_ALIVE_COUNT) * sub.publishingInterval,
    );
    l.lastPublishAt = Date.now();
    l.watchdog = setInterval(
      () => {
        if (Date.now() - l.lastPublishAt > silenceMs) lose(l, `no publish response for ${silenceMs} ms`);
      },
      Math.min(silenceMs / 2, 5000),
    );
    await sync(l);
  }

  async function writeAndConfirm(
    session: ClientSession,
    source: OpcuaSource,
    value: Exclude<PointValue, null>,
  ) {
    const nodeId = resolveNodeId(source.nodeId);
    let dataType = dataTypes.get(source.nodeId);
    if (dataType === undefined) {
      dataType = await session.getBuiltInDataType(nodeId);
      dataTypes.set(source.nodeId, dataType);
    }
    const converted = toWriteValue(dataType, value);
    if (!converted.ok) return writeFailed(`refused: ${converted.detail}`);
    const status = await session.write({
      nodeId,
      attributeId: AttributeIds.Value,
      value: { value: { dataType, value: converted.value } },
    });
    if (!status.isGood()) return writeFailed(`the server refused the write: ${status.name}`);
    const back = await session.read({ nodeId, attributeId: AttributeIds.Value });
    if (!back.statusCode.isGood()) {
      return { confirmed: false, detail: `written, but reading it back failed: ${back.statusCode.name}` };
    }
    return sameValue(dataType, converted.value, back.value.value)
      ? { confirmed: true, detail: `${source.nodeId} set to ${JSON.stringify(value)}, read back` }
      : {
          confirmed: false,
          detail: `${source.nodeId} written ${JSON.stringify(value)} but read back ${String(back.value.value)}`,
        };
  }

  return {
    kind: 'opcua',

    async start() {
      if (!stopped) return;
      stopped = false;
      unsubscribe ??= deps.tags.onChange(() => {
        dataTypes.clear();
        // sync() ends in its own catch (a failed reconcile rebuilds the connection).
        if (link?.subscription && !link.closed) void sync(link);
      });
      run();
    },

    async stop() {
      stopped = true;
      unsubscribe?.();
      unsubscribe = null;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      reconnectTimer = null;
      const l = link;
      link = null;
      if (l) {
        l.closed = true;
        await teardown(l);
      }
      pending = [];
      await submitting;
      setState('stopped');
    },

    health() {
      return health;
    },

    async write(tag, value, timeoutMs) {
      if (tag.source.kind !== 'opcua') return writeFailed(`tag ${tag.code} is not an OPC UA tag`);
      const session = link?.session;
      if (!session || health.state !== 'connected') {
        return writeFailed(`not connected to ${config.endpointUrl}`);
      }
      return withTimeout(
        writeAndConfirm(session, tag.source, value).catch((err: unknown) =>
          writeFailed(`write failed: ${message(err)}`),
        ),
        timeoutMs,
        () => ({ confirmed: false, detail: `no confirmation within ${timeoutMs} ms` }),
      );
    },
  };
}
