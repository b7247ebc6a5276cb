import { connect, type IClientOptions, type MqttClient, type Packet } from 'mqtt';
import { backoffMs } from '../types.js';
import type { MessageOrigin } from './broker.js';

/**
 * How the MQTT driver reaches a broker. The driver decodes, batches and stores; a transport
 * only moves messages: an mqtt.js client for an external broker (clientTransport), or the
 * embedded broker's own message path in this process (inProcessTransport in inprocess.ts).
 */
export interface MqttLink {
  /** Whether subscribing and publishing can be done now. */
  readonly up: boolean;
  /** Resolves with the filters the broker refused. */
  subscribe(filters: string[]): Promise<string[]>;
  unsubscribe(filters: string[]): void;
  publish(topic: string, payload: Buffer, qos: 0 | 1): Promise<void>;
  /** Storing failed: have the unacknowledged messages delivered again. */
  redeliver(): void;
  close(): Promise<void>;
}

export interface MqttLinkEvents {
  /**
   * A message on a subscribed topic. The promise settles when its points are stored (null: it
   * had none); a QoS 1 message is acknowledged only once it resolves.
   */
  message(topic: string, payload: Buffer, from?: MessageOrigin): Promise<void> | null;
  /** Connected; without a session present the broker holds no subscriptions for us. */
  up(sessionPresent: boolean): void;
  down(): void;
  /** Trying again after a lost connection. */
  reconnecting(): void;
  /** fatal: a refusal that retrying soon will not heal (bad credentials, not authorised). */
  error(message: string, fatal: boolean): void;
}

export type MqttTransport = (events: MqttLinkEvents) => MqttLink;

export interface ClientTransportConfig {
  url: string;
  clientId?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
}

/** The outbound policy, asked before every connection attempt: null when allowed, else why not. */
export type OutboundGate = (url: string) => Promise<string | null>;

type SendPacket = (packet: Packet, cb?: (err?: Error) => void, ...rest: unknown[]) => void;

/**
 * Acknowledge after store. mqtt.js handles one packet at a time and sends a QoS 1 PUBACK from
 * handleMessage's callback; waiting for storage there would store one message per database
 * round trip. So the callback runs at once and the PUBACK it sends is held here until the
 * message's points are stored, then sent in arrival order. Acks held when the connection
 * drops are discarded: the broker redelivers those messages (persistent session) and storage
 * de-duplicates by (tag, ts).
 */
function holdAcksUntilStored(client: MqttClient) {
  const held = new Map<number, Promise<void>>();
  let chain: Promise<unknown> = Promise.resolve();
  let generation = 0;
  const internal = client as unknown as { _sendPacket: SendPacket };
  const send = internal._sendPacket.bind(client);
  internal._sendPacket = (packet, cb, ...rest) => {
    const stored =
      packet.cmd === 'puback' && packet.messageId !== undefined ? held.get(packet.messageId) : undefined;
    if (!stored) return send(packet, cb, ...rest);
    held.delete(packet.messageId!);
    const gen = generation;
    chain = chain
      .then(() => stored)
      .then(
        () => {
          if (gen === generation && client.connected) send(packet);
        },
        () => {},
      );
    cb?.();
  };
  client.on('close', () => {
    generation++;
    held.clear();
  });
  return {
    hold(messageId: number, stored: Promise<void>) {
      held.set(messageId, stored);
    },
  };
}

/** An mqtt.js client with a persistent session, reconnecting with back-off. */
export function clientTransport(
  config: ClientTransportConfig,
  label: string,
  outbound?: OutboundGate,
): MqttTransport {
  return (events) => {
    let closed = false;
    let attempt = 0;
    let reconnectTimer: NodeJS.Timeout | null = null;
    const options: IClientOptions = {
      clientId: config.clientId || `aegis-${label}`,
      // A persistent session: QoS 1 messages queued while we are away are delivered on return.
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      keepalive: 30,
      resubscribe: false,
      // A command not sent while offline must not go out late, after its write has timed out.
      queueQoSZero: false,
      ...(config.username ? { username: config.username } : {}),
      ...(config.password ? { password: config.password } : {}),
      // Every attempt goes through dial(), which asks the outbound policy first.
      manualConnect: true,
    };
    const c = connect(config.url, options);
    const acks = holdAcksUntilStored(c);
    let dialled = false;

    /** Connects (or reconnects) when the outbound policy allows the broker's address now. */
    function dial() {
      const go = () => {
        if (closed) return;
        if (dialled) c.reconnect();
        else c.connect();
        dialled = true;
      };
      if (!outbound) return go();
      outbound(config.url)
        .then((refusal) => {
          if (closed) return;
          if (refusal === null) return go();
          events.error(refusal, true);
          scheduleReconnect();
        })
        .catch((err: unknown) => {
          events.error(`checking the broker's address failed: ${(err as Error).message}`, false);
          scheduleReconnect();
        });
    }

    function scheduleReconnect() {
      if (closed || reconnectTimer) return;
      const delay = backoffMs(attempt++);
      reconnectTimer = setTimeout(() => {
        reconnectTimer = null;
        if (closed) return;
        events.reconnecting();
        dial();
      }, delay);
    }

    c.handleMessage = (packet, callback) => {
      // Closing: leave the message unacknowledged for the next session.
      if (closed) return;
      if (packet.cmd === 'publish') {
        const stored = events.message(packet.topic, packet.payload as Buffer);
        if (stored && packet.qos > 0 && packet.messageId !== undefined) acks.hold(packet.messageId, stored);
      }
      callback();
    };
    c.on('connect', (connack) => {
      // PUBACKs go out in small writes after storage; Nagle's algorithm would hold each one
      // for the broker's delayed ACK (~40 ms) and starve the broker's in-flight window.
      const socket = c.stream as { setNoDelay?: (on: boolean) => void };
      socket.setNoDelay?.(true);
      attempt = 0;
      events.up(connack.sessionPresent);
    });
    c.on('error', (err) => {
      const code = (err as { code?: unknown }).code;
      events.error(err.message, code === 4 || code === 5 || code === 134 || code === 135);
    });
    c.on('close', () => {
      if (closed) return;
      events.down();
      scheduleReconnect();
    });

    dial();

    return {
      get up() {
        return c.connected;
      },
      async subscribe(filters) {
        const granted = await c.subscribeAsync(filters, { qos: 1 });
        return granted.filter((g) => g.qos === 128).map((g) => g.topic);
      },
      unsubscribe(filters) {
        c.unsubscribe(filters);
      },
      async publish(topic, payload, qos) {
        await c.publishAsync(topic, payload, { qos });
      },
      redeliver() {
        // The unacknowledged messages are redelivered only on a new connection.
        c.stream?.destroy();
      },
      async close() {
        closed = true;
        if (reconnectTimer) clearTimeout(reconnectTimer);
        reconnectTimer = null;
        await new Promise<void>((resolve) => c.end(true, {}, () => resolve()));
      },
    };
  };
}
