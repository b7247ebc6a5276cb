import type { MqttClient } from 'mqtt';
import { type ConnectionCounters, closeClient, connectQuietly } from './connections.js';
import type { TagValue } from './faults.js';
import type { PlantModel } from './model.js';
import { jsonKeyOf, type SimulatedEquipment, type SimulatedTag } from './plant.js';

/**
 * MQTT JSON telemetry, the way many gateways publish: one message per equipment and interval
 * on `aegis/SZ01/<WORKSHOP>/<EQUIPMENT>/telemetry`, `{"ts": <epoch ms>, "values": {...}}`.
 * Commands arrive on `.../cmd` as `{"tag": "RUN_ENABLE", "value": false}` or `{"value": false}`
 * (the equipment's writable tag) and show in the telemetry sent straight after.
 */
export interface MqttJsonOptions {
  url: string;
  model: PlantModel;
  /** The equipment published over MQTT JSON. */
  equipment: SimulatedEquipment[];
  /** Default 1. */
  qos?: 0 | 1 | 2;
  clientId?: string;
  username?: string;
  password?: string;
  /** Epoch ms; commands move the model to now so their read-back carries a fresh timestamp. */
  clock?: () => number;
}

export interface MqttJsonStats extends ConnectionCounters {
  published: number;
  /** Telemetry not sent because the broker was unreachable (not queued: stale values help nobody). */
  dropped: number;
  commands: number;
  rejectedCommands: number;
}

export interface MqttJsonPublisher {
  /** Publishes the current values of every equipment that is on line. */
  publishAll(): void;
  stop(): Promise<void>;
  stats(): MqttJsonStats;
}

interface Binding {
  equipment: SimulatedEquipment;
  fields: Array<{ key: string; tag: SimulatedTag }>;
  /** The tag a bare `{"value": v}` command writes. */
  commandTag: SimulatedTag | null;
}

export function startMqttJsonPublisher(opts: MqttJsonOptions): MqttJsonPublisher {
  const qos = opts.qos ?? 1;
  const stats: MqttJsonStats = {
    connected: false,
    reconnects: 0,
    errors: 0,
    lastError: null,
    published: 0,
    dropped: 0,
    commands: 0,
    rejectedCommands: 0,
  };
  const bindings = opts.equipment.map(
    (equipment): Binding => ({
      equipment,
      fields: equipment.tags.flatMap((tag) => {
        const key = jsonKeyOf(tag);
        return key ? [{ key, tag }] : [];
      }),
      commandTag: equipment.tags.find((t) => t.writable) ?? null,
    }),
  );
  const byCommandTopic = new Map(
    bindings.flatMap((b) => (b.equipment.commandTopic ? [[b.equipment.commandTopic, b]] : [])),
  );

  const client: MqttClient = connectQuietly(
    opts.url,
    {
      clientId: opts.clientId ?? `aegis-sim-json-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
      username: opts.username,
      password: opts.password,
      clean: true,
      resubscribe: false,
    },
    stats,
  );
  client.on('connect', () => {
    if (byCommandTopic.size > 0) client.subscribe([...byCommandTopic.keys()], { qos: 1 });
  });
  client.on('message', (topic, payload) => {
    const binding = byCommandTopic.get(topic);
    if (binding) onCommand(binding, payload);
  });

  function publish(b: Binding) {
    if (!opts.model.online(b.equipment.code)) return;
    if (!client.connected || !b.equipment.topic) {
      stats.dropped++;
      return;
    }
    const current = opts.model.values(b.equipment.code);
    const values: Record<string, TagValue> = {};
    for (const { key, tag } of b.fields) {
      const v = current[tag.code];
      if (v !== undefined) values[key] = v;
    }
    client.publish(b.equipment.topic, JSON.stringify({ ts: opts.model.now(), values }), { qos });
    stats.published++;
  }

  function onCommand(b: Binding, payload: Buffer) {
    const reject = (message: string) => {
      stats.rejectedCommands++;
      stats.lastError = `${b.equipment.code}: ${message}`;
    };
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      return reject('command is not JSON');
    }
    if (typeof body !== 'object' || body === null || !('value' in body)) {
      return reject('command needs a "value"');
    }
    const { tag, value } = body as { tag?: unknown; value: unknown };
    if (tag !== undefined && typeof tag !== 'string') return reject('"tag" must be a tag code');
    // The tag may be named by its code or by its JSON key.
    const target = tag ? (b.fields.find((f) => f.key === tag)?.tag.code ?? tag) : b.commandTag?.code;
    if (!target) return reject('no writable tag on this equipment');
    opts.model.advance((opts.clock ?? Date.now)());
    const result = opts.model.write(b.equipment.code, target, value);
    if (!result.ok) return reject(result.message);
    stats.commands++;
    // Confirm at once rather than at the next interval, so interlock read-backs are quick.
    publish(b);
  }

  return {
    publishAll() {
      for (const b of bindings) publish(b);
    },
    stop: () => closeClient(client),
    stats: () => ({ ...stats }),
  };
}
