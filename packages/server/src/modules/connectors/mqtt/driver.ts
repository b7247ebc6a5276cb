import { createHash } from 'node:crypto';
import type { MqttConnectorConfigSchema } from '@aegis/shared';
import type { z } from 'zod';
import type { BoundTag, ConnectorHealth, Point, PointValue } from '../../ingest/types.js';
import { createReadback } from '../readback.js';
import { type ConnectorDriver, type DriverDeps, initialHealth, writeFailed } from '../types.js';
import { coerce, INVALID, parseTimestamp } from '../values.js';
import type { MessageOrigin } from './broker.js';
import { createSparkplugHost, isSparkplugTopic, SPARKPLUG_TOPIC } from './sparkplug.js';
import { compilePath, isValidFilter, TopicIndex, valueAt } from './topics.js';
import { clientTransport, type MqttLink, type MqttTransport } from './transport.js';

export type MqttDriverConfig = z.output<typeof MqttConnectorConfigSchema>;

/** An MQTT JSON tag, ready for the hot path. */
interface JsonBinding {
  tag: BoundTag;
  keys: string[];
  tsKeys: string[] | null;
  path: string;
  /** Messages on the tag's own command topic are commands, not values. */
  commandTopic: string | null;
}

const FAULT_LOG_INTERVAL_MS = 60_000;
/** A session this short, TAKEOVER_SESSIONS times in a row, means another client uses our client id. */
const SHORT_SESSION_MS = 5000;
const TAKEOVER_SESSIONS = 3;
/** Points gathered from messages arriving together are stored in one submit, up to this many. */
const MAX_BATCH = 5000;
const SUBSCRIBE_CHUNK = 500;

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(e: unknown): void;
}
function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

const notStored = Promise.reject(new Error('connector stopped'));
notStored.catch(() => {});

/**
 * An MQTT connection: JSON tags and Sparkplug B metrics from subscribed topics, stored in
 * batches, each message acknowledged only after its points are stored. The transport is an
 * mqtt.js client by default; the default connection to the embedded broker runs in-process.
 */
export function createMqttDriver(
  deps: DriverDeps<MqttDriverConfig>,
  transport: MqttTransport = clientTransport(deps.config, deps.code, deps.outbound),
): ConnectorDriver {
  const { config, clock, log, sink, tags } = deps;
  const label = deps.code;
  let health: ConnectorHealth = initialHealth(clock.now());
  let lastMessageAt: number | null = null;
  let link: MqttLink | null = null;
  let stopped = true;
  let unsubscribeTags: (() => void) | null = null;
  let rebuildScheduled = false;

  const readback = createReadback();
  let router = new TopicIndex<JsonBinding>();
  let wanted = new Set<string>();
  /** Filters the broker holds for this session. */
  const subscribed = new Set<string>();
  const faultLoggedAt = new Map<string, number>();

  function setState(state: ConnectorHealth['state'], error?: string) {
    if (error !== undefined) health.lastError = error;
    if (health.state === state) return;
    health.state = state;
    health.since = clock.now().toISOString();
  }

  /** A malformed or refused message: counted in health.errors, logged at most once a minute per key. */
  function fault(key: string, message: string, counts = true) {
    if (counts) health.errors++;
    health.lastError = message;
    const now = clock.now().getTime();
    const last = faultLoggedAt.get(key);
    if (last !== undefined && now - last < FAULT_LOG_INTERVAL_MS) return;
    if (faultLoggedAt.size > 10_000) faultLoggedAt.clear();
    faultLoggedAt.set(key, now);
    log.warn({ connector: label, key }, message);
  }

  const sparkplug = createSparkplugHost({
    fault,
    publish(topic, payload) {
      link
        ?.publish(topic, Buffer.from(payload), 0)
        .catch((e: unknown) => fault('publish', `Publishing to ${topic} failed: ${(e as Error).message}`));
    },
  });

  // ---- tags → subscriptions ----

  function boundTags(kind: 'mqtt' | 'sparkplug') {
    return tags
      .bound(kind, deps.connectorId)
      .filter(
        (t) =>
          (t.source.kind === 'mqtt' || t.source.kind === 'sparkplug') &&
          t.source.connectorId === deps.connectorId,
      );
  }

  function rebuild() {
    const next = new TopicIndex<JsonBinding>();
    const filters = new Set<string>();
    for (const tag of boundTags('mqtt')) {
      if (tag.source.kind !== 'mqtt') continue;
      const { topic, path, timestampPath, commandTopic } = tag.source;
      if (!isValidFilter(topic)) {
        fault(
          `tag:${tag.id}`,
          `Tag ${tag.equipmentCode}.${tag.code}: "${topic}" is not a valid MQTT topic filter`,
        );
        continue;
      }
      next.add(topic, {
        tag,
        keys: compilePath(path),
        tsKeys: timestampPath ? compilePath(timestampPath) : null,
        path,
        commandTopic: commandTopic ?? null,
      });
      filters.add(topic);
    }
    if (config.sparkplug) {
      filters.add(SPARKPLUG_TOPIC);
      sparkplug.rebuild(boundTags('sparkplug'));
    }
    router = next;
    wanted = filters;
  }

  function syncSubscriptions() {
    const c = link;
    if (!c?.up) return;
    const add = [...wanted].filter((f) => !subscribed.has(f));
    const remove = [...subscribed].filter((f) => !wanted.has(f));
    for (let i = 0; i < add.length; i += SUBSCRIBE_CHUNK) {
      const chunk = add.slice(i, i + SUBSCRIBE_CHUNK);
      for (const f of chunk) subscribed.add(f);
      c.subscribe(chunk).then(
        (refused) => {
          for (const f of refused) {
            subscribed.delete(f);
            fault(`subscribe:${f}`, `The broker refused the subscription to ${f}`);
          }
        },
        (err: Error) => {
          for (const f of chunk) subscribed.delete(f);
          fault('subscribe', `Subscribing failed: ${err.message}`);
        },
      );
    }
    if (remove.length > 0) {
      for (const f of remove) subscribed.delete(f);
      c.unsubscribe(remove);
    }
  }

  function onTagsChanged() {
    if (rebuildScheduled) return;
    rebuildScheduled = true;
    // Bulk tag edits fire many changes; one rebuild after them is enough.
    setImmediate(() => {
      rebuildScheduled = false;
      if (stopped) return;
      // A callback of its own: a throw here would end the process.
      try {
        rebuild();
        syncSubscriptions();
      } catch (e) {
        fault('rebuild', `Applying the tag changes failed: ${(e as Error).message}`);
        log.error({ err: e, connector: label }, 'mqtt: applying tag changes failed');
      }
    });
  }

  // ---- messages → points → storage ----

  let batch: Point[] = [];
  let batchStored: Deferred | null = null;

  function flush() {
    const d = batchStored;
    if (!d) return;
    const points = batch;
    batch = [];
    batchStored = null;
    if (stopped) {
      // Not stored, so never acknowledged: the broker redelivers these to the next session.
      d.reject(new Error('connector stopped'));
      return;
    }
    health.points += points.length;
    sink.submit(points, { source: label }).then(
      (result) => {
        for (const r of result.rejected) {
          const p = points[r.index];
          fault(`rejected:${p?.tagId}`, `Tag ${p?.tagId}: value refused by the pipeline (${r.reason})`);
        }
        d.resolve();
      },
      (e: unknown) => {
        fault(
          'store',
          `Storing ${points.length} points failed: ${(e as Error).message}; reconnecting for redelivery`,
        );
        d.reject(e);
        droppingForRedelivery = true;
        link?.redeliver();
      },
    );
  }

  function store(points: Point[]): Promise<void> {
    if (!batchStored) {
      batchStored = deferred();
      setImmediate(flush);
    }
    const d = batchStored;
    for (const p of points) batch.push(p);
    if (batch.length >= MAX_BATCH) flush();
    return d.promise;
  }

  const seen = (tagId: number, value: PointValue) => readback.seen(tagId, value);
  const nameOf = (tag: BoundTag) => `${tag.equipmentCode}.${tag.code}`;

  function decodeJson(topic: string, payload: Buffer, now: number, out: Point[]) {
    const bindings = router.match(topic);
    if (bindings.length === 0) return;
    let doc: unknown;
    try {
      doc = JSON.parse(payload.toString('utf8'));
    } catch {
      fault(topic, `Payload on ${topic} is not JSON`);
      return;
    }
    // A message often carries only some of the fields its topic's tags read (another tag's
    // field, a value the device does not have right now): that is normal, not an error. Only a
    // message that carries none of them is reported.
    const missing: JsonBinding[] = [];
    let used = false;
    for (const b of bindings) {
      if (b.commandTopic === topic) continue;
      const raw = b.keys.length === 0 ? doc : valueAt(doc, b.keys);
      if (raw === undefined) {
        missing.push(b);
        continue;
      }
      used = true;
      let ts = now;
      // Stamped on arrival: the pipeline keeps such stamps unique per tag (ingest/types.ts).
      let stamp: { arrival?: true } = { arrival: true };
      if (b.tsKeys) {
        const t = parseTimestamp(valueAt(doc, b.tsKeys));
        // A bad source time still delivers the value, stamped on arrival.
        if (t === INVALID)
          fault(
            topic,
            `Payload on ${topic} has no valid timestamp at the timestamp path (tag ${nameOf(b.tag)})`,
          );
        else {
          ts = t;
          stamp = {};
        }
      }
      if (raw === null) {
        out.push({ tagId: b.tag.id, ts, value: null, quality: 'bad', ...stamp });
        continue;
      }
      const value = coerce(b.tag.type, raw);
      if (value === INVALID) {
        fault(
          topic,
          `Payload on ${topic}: ${JSON.stringify(raw).slice(0, 60)} is not a ${b.tag.type} (tag ${nameOf(b.tag)})`,
        );
        continue;
      }
      out.push({ tagId: b.tag.id, ts, value, quality: 'good', ...stamp });
      readback.seen(b.tag.id, value);
    }
    if (!used && missing.length > 0) {
      const paths = missing
        .slice(0, 3)
        .map((b) => `"${b.path}" (tag ${nameOf(b.tag)})`)
        .join(', ');
      fault(topic, `Payload on ${topic} has none of the values its tags read: ${paths}`);
    }
  }

  /** One incoming message; resolves when its points are stored (at once when it has none). */
  function receive(topic: string, payload: Buffer, from?: MessageOrigin): Promise<void> | null {
    const now = clock.now().getTime();
    health.messages++;
    lastMessageAt = now;
    const points: Point[] = [];
    try {
      if (config.sparkplug && isSparkplugTopic(topic)) sparkplug.handle(topic, payload, now, points, seen);
      else decodeJson(topic, payload, now, points);
    } catch (e) {
      fault(topic, `Message on ${topic} could not be handled: ${(e as Error).message}`);
    }
    // Arrival stamps differ on a redelivery: the message's receipt lets the pipeline recognise it.
    if (from?.packetId !== undefined && points.some((p) => p.arrival)) {
      const hash = createHash('sha1').update(topic).update('\0').update(payload).digest('base64');
      const receipt = { clientId: from.clientId, packetId: from.packetId, hash, connection: from.connection };
      for (const p of points) p.receipt = receipt;
    }
    return points.length === 0 ? null : store(points);
  }

  // ---- connection ----

  // Sessions that end within moments of starting, one after the other, with nobody asking: the
  // broker gives our client id's session to another client (two installations with the same id
  // throw each other off every second while both would otherwise look connected).
  let connectedAt: number | null = null;
  let shortSessions = 0;
  let droppingForRedelivery = false;

  function noteSessionEnd() {
    const began = connectedAt;
    connectedAt = null;
    if (began === null) return;
    if (droppingForRedelivery) {
      droppingForRedelivery = false;
      return;
    }
    const lasted = clock.now().getTime() - began;
    shortSessions = lasted < SHORT_SESSION_MS ? shortSessions + 1 : 0;
    if (shortSessions >= TAKEOVER_SESSIONS) {
      const id = config.clientId ?? '(default)';
      const text =
        `Another client with the same client id (${id}) keeps taking over the session: ` +
        `${shortSessions} connections in a row ended within ${SHORT_SESSION_MS / 1000} s. ` +
        'Give each installation its own client id (AEGIS_MQTT_CLIENT_ID or the connector settings).';
      setState('error', text);
      fault('takeover', text);
    }
  }

  function openLink(): void {
    link = transport({
      message(topic, payload, from) {
        // Stopping: leave the message unacknowledged for the next session.
        return stopped ? notStored : receive(topic, payload, from);
      },
      up(sessionPresent) {
        connectedAt = clock.now().getTime();
        // While another client takes the session over, each connection lasts a moment: not "connected".
        if (shortSessions >= TAKEOVER_SESSIONS) setState('error');
        else setState('connected');
        if (!sessionPresent) subscribed.clear();
        syncSubscriptions();
      },
      down() {
        noteSessionEnd();
        if (health.state !== 'error') setState('disconnected');
      },
      reconnecting() {
        health.reconnects++;
        setState('connecting');
      },
      error(message, fatal) {
        if (fatal) setState('error', message);
        else health.lastError = message;
        fault('connection', `MQTT ${config.url}: ${message}`, false);
      },
    });
  }

  return {
    kind: 'mqtt',

    async start() {
      if (!stopped) return;
      stopped = false;
      health = initialHealth(clock.now());
      connectedAt = null;
      shortSessions = 0;
      rebuild();
      unsubscribeTags = tags.onChange(onTagsChanged);
      openLink();
    },

    async stop() {
      if (stopped) return;
      stopped = true;
      unsubscribeTags?.();
      unsubscribeTags = null;
      readback.cancelAll();
      flush();
      const c = link;
      link = null;
      await c?.close();
      setState('stopped');
    },

    health() {
      // The other client has gone: this session has outlived a take-over.
      if (
        shortSessions >= TAKEOVER_SESSIONS &&
        connectedAt !== null &&
        clock.now().getTime() - connectedAt >= SHORT_SESSION_MS
      ) {
        shortSessions = 0;
        setState('connected');
      }
      return {
        ...health,
        lastMessageAt: lastMessageAt === null ? null : new Date(lastMessageAt).toISOString(),
      };
    },

    async write(tag, value, timeoutMs) {
      const c = link;
      if (!c?.up) return writeFailed(`not connected to the MQTT broker (${label})`);
      const name = `${tag.equipmentCode}.${tag.code}`;
      let topic: string;
      let payload: Buffer;
      let qos: 0 | 1;
      const checked = coerce(tag.type, value);
      if (checked === INVALID) return writeFailed(`${JSON.stringify(value)} is not a ${tag.type}`);
      if (tag.source.kind === 'mqtt') {
        if (!tag.source.commandTopic) return writeFailed(`tag ${name} has no command topic`);
        topic = tag.source.commandTopic;
        payload = Buffer.from(JSON.stringify({ value: checked, ts: clock.now().getTime() }));
        qos = 1;
      } else if (tag.source.kind === 'sparkplug') {
        if (!config.sparkplug) return writeFailed(`Sparkplug is off on connection ${label}`);
        const cmd = sparkplug.command(tag, checked, clock.now().getTime());
        topic = cmd.topic;
        payload = Buffer.from(cmd.payload);
        qos = 0; // Sparkplug B sends commands at QoS 0
      } else {
        return writeFailed(`tag ${name} is not read over MQTT`);
      }
      // A device reporting by exception sends nothing if it already is in the commanded state.
      const already = readback.alreadyAt(tag.id, checked);
      const wait = readback.expect(tag.id, checked, timeoutMs);
      try {
        await c.publish(topic, payload, qos);
      } catch (e) {
        wait.cancel();
        return writeFailed(`publishing to ${topic} failed: ${(e as Error).message}`);
      }
      if (already) {
        wait.cancel();
        return {
          confirmed: true,
          detail: `${name} already read ${JSON.stringify(checked)} when the command was sent on ${topic}`,
        };
      }
      return (await wait.confirmed)
        ? {
            confirmed: true,
            detail: `${name} read back ${JSON.stringify(checked)} after the command on ${topic}`,
          }
        : {
            confirmed: false,
            detail: `${name} did not read back ${JSON.stringify(checked)} within ${timeoutMs} ms`,
          };
    },
  };
}
