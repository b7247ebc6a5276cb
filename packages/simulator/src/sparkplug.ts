import type { MqttClient } from 'mqtt';
import { get as sparkplugNamespace } from 'sparkplug-payload';
import type { TypeStr, UMetric, UPayload } from 'sparkplug-payload/lib/sparkplugbpayload.js';
import { type ConnectionCounters, closeClient, connectQuietly } from './connections.js';
import type { TagValue } from './faults.js';
import type { PlantModel } from './model.js';
import type { SimulatedEquipment, SimulatedTag, SparkplugEdgeNode } from './plant.js';

/**
 * A Sparkplug B edge node (namespace spBv1.0): one gas-detection gateway with its detectors
 * as devices. NBIRTH carries bdSeq and the rebirth control, DBIRTH every metric with its
 * alias, DDATA only what changed (by alias), DDEATH when a device's link is lost, NDEATH as
 * the MQTT will (the broker sends it when the gateway drops). NCMD rebirth and DCMD writes
 * are honoured.
 */
const spb = sparkplugNamespace('spBv1.0')!;
const NAMESPACE = 'spBv1.0';
const REBIRTH = 'Node Control/Rebirth';
const REBIRTH_ALIAS = 1;

export interface SparkplugOptions {
  url: string;
  model: PlantModel;
  group: string;
  node: SparkplugEdgeNode;
  devices: SimulatedEquipment[];
  username?: string;
  password?: string;
  /** Data messages carry aliases only (Sparkplug's default). false: names only, no aliases. */
  useAliases?: boolean;
  /** Epoch ms; commands move the model to now so their read-back carries a fresh timestamp. */
  clock?: () => number;
}

export interface SparkplugStats extends ConnectionCounters {
  edgeNode: string;
  bdSeq: number;
  /** The last sequence number sent. */
  seq: number;
  births: number;
  deaths: number;
  published: number;
  commands: number;
  rejectedCommands: number;
  /** Devices currently born. */
  devicesOnline: number;
}

export interface SparkplugEdgeNodeHandle {
  /** Sends births, deaths and data as the model's state requires. Called once per interval. */
  tick(): void;
  /** Publishes NDEATH and disconnects. */
  stop(): Promise<void>;
  stats(): SparkplugStats;
}

interface DeviceMetric {
  name: string;
  alias: number;
  type: TypeStr;
  tag: SimulatedTag;
}

const typeOf = (tag: SimulatedTag): TypeStr =>
  tag.type === 'boolean'
    ? 'Boolean'
    : tag.type === 'state'
      ? 'Int32'
      : tag.type === 'string'
        ? 'String'
        : 'Double';

export const encodeSparkplug = (payload: UPayload) => Buffer.from(spb.encodePayload(payload));
export const decodeSparkplug = (payload: Uint8Array) => spb.decodePayload(payload);

export function startSparkplugEdgeNode(opts: SparkplugOptions): SparkplugEdgeNodeHandle {
  const { model, group, node } = opts;
  const useAliases = opts.useAliases ?? true;
  const clock = opts.clock ?? Date.now;
  const topic = (type: string, device?: string) =>
    `${NAMESPACE}/${group}/${type}/${node.id}${device ? `/${device}` : ''}`;

  // Aliases are unique across the whole edge node; 1 is the node's rebirth control.
  let nextAlias = REBIRTH_ALIAS + 1;
  const devices = opts.devices.map((equipment) => ({
    equipment,
    metrics: equipment.tags.flatMap((tag): DeviceMetric[] =>
      tag.source.kind === 'sparkplug'
        ? [{ name: tag.source.metric, alias: nextAlias++, type: typeOf(tag), tag }]
        : [],
    ),
  }));
  const deviceById = new Map(devices.map((d) => [d.equipment.code, d]));

  const stats: SparkplugStats = {
    edgeNode: node.id,
    connected: false,
    reconnects: 0,
    errors: 0,
    lastError: null,
    bdSeq: 0,
    seq: 0,
    births: 0,
    deaths: 0,
    published: 0,
    commands: 0,
    rejectedCommands: 0,
    devicesOnline: 0,
  };
  let bdSeq = 0;
  let seq = 0;
  let client: MqttClient | null = null;
  let sessionOpen = false;
  let stopped = false;
  /** Per born device: the values last sent, to send only changes. */
  const born = new Map<string, Record<string, TagValue>>();

  const deathPayload = () =>
    encodeSparkplug({ timestamp: clock(), metrics: [{ name: 'bdSeq', type: 'Int64', value: bdSeq }] });

  function send(type: string, device: string | undefined, metrics: UMetric[], seqNo?: number) {
    if (!client?.connected) return;
    const s = seqNo ?? nextSeq();
    // Sparkplug mandates QoS 0 and no retain for births and data.
    client.publish(topic(type, device), encodeSparkplug({ timestamp: model.now(), seq: s, metrics }), {
      qos: 0,
    });
    stats.published++;
    stats.seq = s;
  }

  function nextSeq() {
    seq = (seq + 1) % 256;
    return seq;
  }

  function metricOf(m: DeviceMetric, value: TagValue | null, withName: boolean): UMetric {
    return {
      ...(withName || !useAliases ? { name: m.name } : {}),
      ...(useAliases ? { alias: m.alias } : {}),
      type: m.type,
      value,
      timestamp: model.now(),
    };
  }

  function birthNode() {
    seq = 0;
    born.clear();
    send(
      'NBIRTH',
      undefined,
      [
        { name: 'bdSeq', type: 'Int64', value: bdSeq },
        { name: REBIRTH, ...(useAliases ? { alias: REBIRTH_ALIAS } : {}), type: 'Boolean', value: false },
      ],
      0,
    );
    stats.births++;
    for (const d of devices) if (model.online(d.equipment.code)) birthDevice(d);
  }

  function birthDevice(d: (typeof devices)[number]) {
    const values = model.values(d.equipment.code);
    send(
      'DBIRTH',
      d.equipment.code,
      d.metrics.map((m) => metricOf(m, values[m.tag.code] ?? null, true)),
    );
    born.set(d.equipment.code, { ...values });
    stats.births++;
  }

  function dataOf(d: (typeof devices)[number]) {
    const last = born.get(d.equipment.code);
    if (!last) return;
    const values = model.values(d.equipment.code);
    const changed = d.metrics.filter(
      (m) => values[m.tag.code] !== undefined && values[m.tag.code] !== last[m.tag.code],
    );
    if (changed.length === 0) return;
    send(
      'DDATA',
      d.equipment.code,
      changed.map((m) => metricOf(m, values[m.tag.code]!, false)),
    );
    born.set(d.equipment.code, { ...values });
  }

  function connectNode() {
    const c = connectQuietly(
      opts.url,
      {
        clientId: `aegis-sim-${node.id}-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
        username: opts.username,
        password: opts.password,
        clean: true,
        keepalive: 30,
        resubscribe: false,
        will: { topic: topic('NDEATH'), payload: deathPayload(), qos: 1, retain: false },
      },
      stats,
    );
    c.on('connect', () => {
      sessionOpen = true;
      stats.bdSeq = bdSeq;
      // The spec wants the command subscriptions in place before NBIRTH.
      c.subscribe([topic('NCMD'), `${topic('DCMD')}/+`], { qos: 0 }, (err) => {
        if (!err && client === c) birthNode();
      });
    });
    c.on('close', () => endSession(c));
    c.on('message', (t, payload) => onCommand(t, payload));
    client = c;
  }

  /** A new MQTT session needs a new bdSeq, and the will registered at the next connect must carry it. */
  function endSession(c: MqttClient) {
    born.clear();
    if (!sessionOpen) return;
    sessionOpen = false;
    stats.deaths++;
    bdSeq = (bdSeq + 1) % 256;
    if (c.options.will) c.options.will.payload = deathPayload();
  }

  function onCommand(t: string, payload: Buffer) {
    const parts = t.split('/');
    let decoded: UPayload;
    try {
      decoded = decodeSparkplug(payload);
    } catch {
      stats.rejectedCommands++;
      stats.lastError = `undecodable payload on ${t}`;
      return;
    }
    const metrics = decoded.metrics ?? [];
    if (parts[2] === 'NCMD') {
      const rebirth = metrics.some(
        (m) => (m.name === REBIRTH || Number(m.alias) === REBIRTH_ALIAS) && m.value === true,
      );
      if (rebirth) {
        stats.commands++;
        birthNode();
      }
      return;
    }
    const d = deviceById.get(parts[4] ?? '');
    if (parts[2] !== 'DCMD' || !d) return;
    model.advance(clock());
    for (const m of metrics) {
      const metric = d.metrics.find((x) => (m.name ? x.name === m.name : x.alias === Number(m.alias)));
      const result = metric
        ? model.write(d.equipment.code, metric.tag.code, m.value)
        : { ok: false as const, message: `no metric ${m.name ?? m.alias}` };
      if (result.ok) stats.commands++;
      else {
        stats.rejectedCommands++;
        stats.lastError = `${d.equipment.code}: ${result.message}`;
      }
    }
    // Report the new values by exception straight away.
    dataOf(d);
  }

  connectNode();

  return {
    tick() {
      if (stopped) return;
      const nodeOnline = model.online(node.id);
      if (!nodeOnline && client) {
        // The gateway drops off the network: the socket dies without DISCONNECT, so the broker sends the NDEATH will.
        const c = client;
        client = null;
        c.removeAllListeners('close');
        c.end(true);
        stats.connected = false;
        endSession(c);
        return;
      }
      if (nodeOnline && !client) connectNode();
      if (!client?.connected || !sessionOpen) return;
      for (const d of devices) {
        const code = d.equipment.code;
        const online = model.online(code);
        if (!online && born.has(code)) {
          send('DDEATH', code, []);
          born.delete(code);
          stats.deaths++;
        } else if (online && !born.has(code)) birthDevice(d);
        else if (online) dataOf(d);
      }
      stats.devicesOnline = born.size;
    },
    async stop() {
      stopped = true;
      const c = client;
      client = null;
      if (!c) return;
      if (c.connected) {
        // An intentional disconnect: publish the NDEATH ourselves, since a clean DISCONNECT discards the will.
        await c.publishAsync(topic('NDEATH'), deathPayload(), { qos: 1 }).catch(() => {});
      }
      c.removeAllListeners('close');
      await closeClient(c);
      stats.connected = false;
    },
    stats: () => ({ ...stats, devicesOnline: born.size }),
  };
}
