import sparkplugPayload from 'sparkplug-payload';
import type { BoundTag, Point, PointValue } from '../../ingest/types.js';
import { coerce, INVALID } from '../values.js';

/**
 * Sparkplug B host application: follows the births and deaths of edge nodes and devices, maps
 * their metrics (by name or alias) to tags and marks tags bad when their node or device dies.
 * No I/O here: the MQTT driver feeds messages in and publishes what comes out.
 */

const spb = sparkplugPayload.get('spBv1.0')!;
type Payload = ReturnType<typeof spb.decodePayload>;
type Metric = NonNullable<Payload['metrics']>[number];
type MetricType = Metric['type'];

export const SPARKPLUG_TOPIC = 'spBv1.0/#';
const PREFIX = 'spBv1.0/';
/** Requests for a rebirth of one node are spaced at least this far apart. */
const REBIRTH_SPACING_MS = 5000;

interface MetricBook {
  nameByAlias: Map<number, string>;
  typeByName: Map<string, MetricType>;
}
interface DeviceState {
  born: boolean;
  book: MetricBook;
}
interface NodeState {
  born: boolean;
  bdSeq: number | null;
  seq: number | null;
  book: MetricBook;
  devices: Map<string, DeviceState>;
  lastRebirthAt: number;
}

export interface SparkplugEffects {
  /** A malformed or unexpected message: counted in health, logged at most once a minute per key. */
  fault(key: string, message: string): void;
  /** Publish an NCMD asking the node to send its births again. */
  publish(topic: string, payload: Uint8Array): void;
}

const book = (): MetricBook => ({ nameByAlias: new Map(), typeByName: new Map() });
const toNumber = (v: unknown): number | null => {
  if (typeof v === 'number') return v;
  if (v !== null && typeof v === 'object' && typeof (v as { toNumber?: unknown }).toNumber === 'function') {
    return (v as { toNumber(): number }).toNumber();
  }
  return null;
};
const key = (...parts: Array<string | null>) => parts.map((p) => p ?? '').join('\u0000');

export function isSparkplugTopic(topic: string) {
  return topic.startsWith(PREFIX);
}

export function createSparkplugHost(effects: SparkplugEffects) {
  const nodes = new Map<string, NodeState>();
  /** group, node, device, metric → tags */
  let byMetric = new Map<string, BoundTag[]>();
  /** group, node → every tag of the node and its devices */
  let byNode = new Map<string, BoundTag[]>();
  /** group, node, device → tags of the device */
  let byDevice = new Map<string, BoundTag[]>();

  const push = <K>(map: Map<K, BoundTag[]>, k: K, tag: BoundTag) => {
    const list = map.get(k);
    if (list) list.push(tag);
    else map.set(k, [tag]);
  };

  function nodeState(group: string, node: string) {
    const k = key(group, node);
    let state = nodes.get(k);
    if (!state) {
      state = {
        born: false,
        bdSeq: null,
        seq: null,
        book: book(),
        devices: new Map(),
        lastRebirthAt: -Infinity,
      };
      nodes.set(k, state);
    }
    return state;
  }

  function requestRebirth(group: string, node: string, state: NodeState, now: number, why: string) {
    effects.fault(`spb:${group}/${node}`, `Sparkplug ${group}/${node}: ${why}; rebirth requested`);
    if (now - state.lastRebirthAt < REBIRTH_SPACING_MS) return;
    state.lastRebirthAt = now;
    effects.publish(
      `spBv1.0/${group}/NCMD/${node}`,
      spb.encodePayload({
        timestamp: now,
        metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }],
      }),
    );
  }

  /** Checks the 0–255 sequence of a node's messages; a gap means something was lost. */
  function checkSeq(group: string, node: string, state: NodeState, payload: Payload, now: number) {
    const seq = toNumber(payload.seq);
    if (seq === null) return true;
    const expected = state.seq === null ? seq : (state.seq + 1) % 256;
    state.seq = seq;
    if (seq !== expected) {
      requestRebirth(group, node, state, now, `sequence gap (expected ${expected}, got ${seq})`);
      return false;
    }
    return true;
  }

  function learn(into: MetricBook, metrics: Metric[]) {
    into.nameByAlias.clear();
    into.typeByName.clear();
    for (const m of metrics) {
      if (!m.name) continue;
      const alias = toNumber(m.alias);
      if (alias !== null) into.nameByAlias.set(alias, m.name);
      into.typeByName.set(m.name, m.type);
    }
  }

  function emitMetrics(
    at: { group: string; node: string; device: string | null; state: NodeState; book: MetricBook },
    payload: Payload,
    now: number,
    out: Point[],
    seen: ((tagId: number, value: PointValue) => void) | null,
  ) {
    const payloadTs = toNumber(payload.timestamp) ?? now;
    let unknownAlias: number | null = null;
    for (const m of payload.metrics ?? []) {
      let name = m.name ?? undefined;
      if (!name) {
        const alias = toNumber(m.alias);
        name =
          alias === null
            ? undefined
            : (at.book.nameByAlias.get(alias) ?? at.state.book.nameByAlias.get(alias));
        if (!name) {
          unknownAlias = alias;
          continue;
        }
      }
      const tags = byMetric.get(key(at.group, at.node, at.device, name));
      if (!tags) continue;
      const ts = toNumber(m.timestamp) ?? payloadTs;
      for (const tag of tags) {
        if (m.value === null || m.value === undefined) {
          out.push({ tagId: tag.id, ts, value: null, quality: 'bad' });
          continue;
        }
        const value = coerce(tag.type, m.value);
        if (value === INVALID) {
          effects.fault(
            `spb:${at.group}/${at.node}/${name}`,
            `Sparkplug metric ${name} (${m.type}) of ${at.group}/${at.node}${at.device ? `/${at.device}` : ''} is not a ${tag.type} for tag ${tag.equipmentCode}.${tag.code}`,
          );
          continue;
        }
        out.push({ tagId: tag.id, ts, value, quality: 'good' });
        seen?.(tag.id, value);
      }
    }
    if (unknownAlias !== null)
      requestRebirth(at.group, at.node, at.state, now, `unknown metric alias ${unknownAlias}`);
  }

  const bad = (tags: BoundTag[] | undefined, ts: number, out: Point[]) => {
    for (const tag of tags ?? []) out.push({ tagId: tag.id, ts, value: null, quality: 'bad' });
  };

  return {
    /** Rebuilds the metric → tag index from the connector's Sparkplug tags. */
    rebuild(tags: BoundTag[]) {
      byMetric = new Map();
      byNode = new Map();
      byDevice = new Map();
      for (const tag of tags) {
        if (tag.source.kind !== 'sparkplug') continue;
        const { group, edgeNode, device, metric } = tag.source;
        push(byMetric, key(group, edgeNode, device, metric), tag);
        push(byNode, key(group, edgeNode), tag);
        if (device !== null) push(byDevice, key(group, edgeNode, device), tag);
      }
    },

    /**
     * One message from spBv1.0/…: appends the points it yields to `out`; `seen` gets every
     * decoded value (write read-back).
     */
    handle(
      topic: string,
      payloadBytes: Uint8Array,
      now: number,
      out: Point[],
      seen: ((tagId: number, value: PointValue) => void) | null,
    ) {
      const parts = topic.split('/');
      if (parts.length < 4 || parts[1] === 'STATE') return;
      const group = parts[1]!;
      const type = parts[2]!;
      const node = parts[3]!;
      const device = parts.length > 4 ? parts.slice(4).join('/') : null;
      if (type === 'NCMD' || type === 'DCMD') return;

      let payload: Payload;
      try {
        payload = spb.decodePayload(payloadBytes);
      } catch (e) {
        effects.fault(
          `spb:${topic}`,
          `Sparkplug payload on ${topic} cannot be decoded: ${(e as Error).message}`,
        );
        return;
      }
      const state = nodeState(group, node);
      const ts = toNumber(payload.timestamp) ?? now;

      switch (type) {
        case 'NBIRTH': {
          const metrics = payload.metrics ?? [];
          state.born = true;
          state.bdSeq = toNumber(metrics.find((m) => m.name === 'bdSeq')?.value);
          state.seq = toNumber(payload.seq);
          state.devices.clear();
          learn(state.book, metrics);
          emitMetrics({ group, node, device: null, state, book: state.book }, payload, now, out, seen);
          return;
        }
        case 'NDEATH': {
          const bdSeq = toNumber(payload.metrics?.find((m) => m.name === 'bdSeq')?.value);
          // A death certificate from an earlier session (the broker sent the old will late) is ignored.
          if (state.born && state.bdSeq !== null && bdSeq !== null && bdSeq !== state.bdSeq) return;
          state.born = false;
          state.seq = null;
          for (const d of state.devices.values()) d.born = false;
          bad(byNode.get(key(group, node)), now, out);
          return;
        }
        case 'DBIRTH': {
          if (!state.born) {
            requestRebirth(group, node, state, now, `device ${device} born before its node`);
            return;
          }
          checkSeq(group, node, state, payload, now);
          if (device === null) return;
          const d: DeviceState = { born: true, book: book() };
          learn(d.book, payload.metrics ?? []);
          state.devices.set(device, d);
          emitMetrics({ group, node, device, state, book: d.book }, payload, now, out, seen);
          return;
        }
        case 'DDEATH': {
          if (state.born) checkSeq(group, node, state, payload, now);
          if (device === null) return;
          const d = state.devices.get(device);
          if (d) d.born = false;
          bad(byDevice.get(key(group, node, device)), ts, out);
          return;
        }
        case 'NDATA':
        case 'DDATA': {
          const d = device === null ? null : state.devices.get(device);
          if (!state.born || (type === 'DDATA' && !d?.born)) {
            requestRebirth(
              group,
              node,
              state,
              now,
              `${type} before ${device === null ? 'NBIRTH' : 'DBIRTH'}`,
            );
          } else {
            checkSeq(group, node, state, payload, now);
          }
          // Values named in full are still good after a missed birth; aliases need the birth.
          emitMetrics({ group, node, device, state, book: d?.book ?? state.book }, payload, now, out, seen);
          return;
        }
        default:
          effects.fault(`spb:${topic}`, `Sparkplug message type ${type} on ${topic} is not known`);
      }
    },

    /** The NCMD/DCMD that writes a value to the metric behind a Sparkplug tag. */
    command(
      tag: BoundTag,
      value: Exclude<PointValue, null>,
      now: number,
    ): { topic: string; payload: Uint8Array } {
      if (tag.source.kind !== 'sparkplug') throw new Error('not a Sparkplug tag');
      const { group, edgeNode, device, metric } = tag.source;
      const state = nodes.get(key(group, edgeNode));
      const learned =
        (device === null ? state?.book : state?.devices.get(device)?.book)?.typeByName.get(metric) ?? null;
      const type: MetricType =
        learned ??
        (tag.type === 'boolean'
          ? 'Boolean'
          : tag.type === 'string' || typeof value === 'string'
            ? 'String'
            : 'Double');
      let wire: string | number | boolean;
      if (type === 'Boolean') wire = value === true || value === 1 || value === 'true';
      else if (type === 'String' || type === 'Text') wire = String(value);
      else if (type === 'Float' || type === 'Double') wire = Number(value);
      else wire = Math.round(Number(value));
      const topic =
        device === null ? `spBv1.0/${group}/NCMD/${edgeNode}` : `spBv1.0/${group}/DCMD/${edgeNode}/${device}`;
      return {
        topic,
        payload: spb.encodePayload({ timestamp: now, metrics: [{ name: metric, type, value: wire }] }),
      };
    },
  };
}
export type SparkplugHost = ReturnType<typeof createSparkplugHost>;

/** Encoding for tests and the simulator. */
export const encodeSparkplug = (payload: Payload) => spb.encodePayload(payload);
export const decodeSparkplug = (bytes: Uint8Array) => spb.decodePayload(bytes);
