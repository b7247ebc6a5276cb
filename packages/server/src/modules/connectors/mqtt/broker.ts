import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { Aedes, type Client as AedesClient } from 'aedes';
import type { FastifyBaseLogger } from 'fastify';
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { Decision, DeviceAccess } from './devices.js';

/** A port of the embedded broker is taken; the message names the port and the setting to change. */
export class BrokerPortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly host: string,
    readonly envVar: 'AEGIS_MQTT_PORT' | 'AEGIS_MQTT_WS_PORT',
    cause?: unknown,
  ) {
    super(
      `The embedded MQTT broker cannot listen on ${host}:${port}: the port is already in use ` +
        `(another MQTT broker?). Choose another port with ${envVar}, or set MQTT_URL to use that broker instead.`,
      { cause },
    );
    this.name = 'BrokerPortInUseError';
  }
}

export interface EmbeddedBroker {
  readonly host: string;
  /** The ports actually bound (useful when 0 was asked for). */
  readonly port: number;
  readonly wsPort: number | null;
  /** The URL the server's own default connection uses. */
  readonly url: string;
  readonly aedes: Aedes;
  /**
   * Shows the server every message a client publishes (wills included) before the broker
   * acknowledges or forwards it. For QoS 1 and 2 the broker waits for the promise the handler
   * returns: the device's PUBACK then means "stored"; a rejection drops the device's connection
   * unacknowledged, so it publishes again. Returns the function that removes the handler.
   */
  intercept(handler: PublishInterceptor): () => void;
  /**
   * Closes the connections of signed-in devices that `match` picks (their token was revoked or
   * their grants changed): they must sign in again, with what holds now. Returns how many.
   */
  disconnectDevices(match: (device: DeviceAccess) => boolean): number;
  close(): Promise<void>;
}

/** A message published to the embedded broker; resolves when it is dealt with (null: at once). */
export type PublishInterceptor = (
  topic: string,
  payload: Buffer,
  qos: number,
  from?: MessageOrigin,
) => Promise<void> | null;

/** Which device connection sent a message, and its packet id (QoS 1/2): for recognising redeliveries. */
export interface MessageOrigin {
  clientId: string;
  packetId: number | undefined;
  /** One network connection of the client, unique across restarts. */
  connection: string;
}

/** Connection ids: a prefix per process start and a counter (MQTT redelivers only on a new connection). */
const connectionPrefix = randomUUID().slice(0, 8);
let connectionCount = 0;
const connections = new WeakMap<object, string>();
function connectionOf(client: object) {
  let id = connections.get(client);
  if (id === undefined) {
    id = `${connectionPrefix}-${++connectionCount}`;
    connections.set(client, id);
  }
  return id;
}

/** Who may connect, publish and subscribe (mqtt/devices.ts); absent: anyone (driver tests). */
export interface BrokerAccess {
  /** A refusal's code: 4 bad user name or password, 5 not authorised (MQTT 3.1.1 CONNACK). */
  authenticate(
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<{ ok: true; device: DeviceAccess } | { ok: false; code: 4 | 5; reason: string }>;
  publish(device: DeviceAccess, topic: string): Decision;
  subscribe(device: DeviceAccess, filter: string): Decision;
}

export interface BrokerOptions {
  host: string;
  port: number;
  /** null: no WebSocket listener. */
  wsPort: number | null;
  log: FastifyBaseLogger;
  access?: BrokerAccess;
}

function listen(
  server: TcpServer | HttpServer,
  port: number,
  host: string,
  envVar: BrokerPortInUseError['envVar'],
) {
  return new Promise<number>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(
        e.code === 'EADDRINUSE' || e.code === 'EACCES' ? new BrokerPortInUseError(port, host, envVar, e) : e,
      );
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

const closeServer = (server: TcpServer | HttpServer) =>
  new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    if ('closeAllConnections' in server) server.closeAllConnections();
  });

function remoteAddress(client: { conn?: unknown }) {
  const conn = client.conn as { remoteAddress?: string } | undefined;
  return conn?.remoteAddress ?? null;
}

/**
 * The broker built into Aegis (aedes), used when MQTT_URL is not set: MQTT over TCP and over
 * WebSocket, devices signed in and limited to their topics (opts.access), sessions and QoS 1
 * queues kept in memory.
 */
export async function startEmbeddedBroker(opts: BrokerOptions): Promise<EmbeddedBroker> {
  // More messages in flight than the default 100: the server's own subscriber acknowledges only
  // after storage, and a slow device must not stall delivery to everyone (drainTimeout).
  const aedes = await Aedes.createBroker({ concurrency: 2000, drainTimeout: 15_000 });
  const sockets = new Set<import('node:net').Socket>();
  const tcp = createTcpServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  let http: HttpServer | null = null;
  let wss: WebSocketServer | null = null;
  aedes.on('clientError', (client, err) => opts.log.debug({ client: client?.id, err }, 'mqtt client error'));

  const { access } = opts;
  const devices = new WeakMap<object, DeviceAccess>();
  // Connected, signed-in devices, so that a revocation can find them.
  const signedIn = new Set<AedesClient>();
  aedes.on('clientDisconnect', (client) => signedIn.delete(client));
  if (access) {
    aedes.authenticate = (client, username, password, callback) => {
      access.authenticate(username, password).then(
        (verdict) => {
          if (verdict.ok) {
            devices.set(client, verdict.device);
            signedIn.add(client);
            return callback(null, true);
          }
          opts.log.warn(
            { client: client.id, username, address: remoteAddress(client) },
            `MQTT connection refused: ${verdict.reason}`,
          );
          const err = Object.assign(new Error(verdict.reason), { returnCode: verdict.code });
          callback(err as never, false);
        },
        (e: unknown) => {
          opts.log.error({ err: e, client: client.id }, 'MQTT authentication failed');
          callback(Object.assign(new Error('authentication failed'), { returnCode: 3 }) as never, false);
        },
      );
    };
    aedes.authorizeSubscribe = (client, sub, callback) => {
      const device = client ? devices.get(client) : undefined;
      const decision: Decision = device
        ? access.subscribe(device, sub.topic)
        : { ok: false, reason: 'not signed in' };
      if (decision.ok) return callback(null, sub);
      opts.log.warn(
        { client: client?.id, filter: sub.topic },
        `MQTT subscription refused: ${decision.reason}`,
      );
      // A negated subscription: SUBACK 0x80 for this filter, the connection stays.
      callback(null, null as never);
    };
  }

  // aedes sends a QoS 1 PUBACK before it delivers the message to any subscriber, so only
  // authorizePublish, which runs first, can hold the acknowledgement until storage.
  const interceptors = new Set<PublishInterceptor>();
  aedes.authorizePublish = (client, packet, callback) => {
    if (packet.topic.startsWith('$SYS/')) return callback(new Error('$SYS/ topic is reserved'));
    if (access) {
      // A will left by a client that is gone (client null) has no one to answer for it.
      const device = client ? devices.get(client) : undefined;
      const decision: Decision = device
        ? access.publish(device, packet.topic)
        : { ok: false, reason: 'not signed in' };
      if (!decision.ok) {
        opts.log.warn(
          { client: client?.id, topic: packet.topic },
          `MQTT publish refused: ${decision.reason}`,
        );
        // MQTT 3.1.1 has no negative PUBACK: the broker drops the publisher's connection.
        return callback(new Error(decision.reason));
      }
    }
    if (interceptors.size === 0) return callback(null);
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const waits: Promise<void>[] = [];
    for (const handler of interceptors) {
      const from = client
        ? { clientId: client.id, packetId: packet.messageId, connection: connectionOf(client) }
        : undefined;
      const done = handler(packet.topic, payload, packet.qos, from);
      // QoS 0 has no acknowledgement to hold; the device need not wait.
      if (done && packet.qos > 0) waits.push(done);
    }
    if (waits.length === 0) return callback(null);
    Promise.all(waits).then(
      () => callback(null),
      (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))),
    );
  };
  const intercept = (handler: PublishInterceptor) => {
    interceptors.add(handler);
    return () => {
      interceptors.delete(handler);
    };
  };

  const disconnectDevices = (match: (device: DeviceAccess) => boolean) => {
    let closed = 0;
    for (const client of signedIn) {
      const device = devices.get(client);
      if (!device || !match(device)) continue;
      signedIn.delete(client);
      opts.log.info(
        { client: client.id, username: device.username },
        'MQTT device signed out: its access changed',
      );
      client.close();
      closed++;
    }
    return closed;
  };
  const closeAll = async () => {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    for (const s of sockets) s.destroy();
    if (wss) {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss!.close(() => resolve()));
    }
    await closeServer(tcp);
    if (http) await closeServer(http);
  };

  try {
    const port = await listen(tcp, opts.port, opts.host, 'AEGIS_MQTT_PORT');
    let wsPort: number | null = null;
    if (opts.wsPort !== null) {
      http = createHttpServer((_req, res) => {
        res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket: connect with ws://');
      });
      const server = new WebSocketServer({ noServer: true });
      wss = server;
      http.on('upgrade', (req, socket, head) => {
        server.handleUpgrade(req, socket, head, (ws) => {
          const stream = createWebSocketStream(ws);
          stream.on('error', () => ws.terminate());
          aedes.handle(stream, req);
        });
      });
      wsPort = await listen(http, opts.wsPort, opts.host, 'AEGIS_MQTT_WS_PORT');
    }
    const local = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
    const url = `mqtt://${local.includes(':') ? `[${local}]` : local}:${port}`;
    opts.log.info({ port, wsPort, host: opts.host }, 'embedded MQTT broker listening');
    return { host: opts.host, port, wsPort, url, aedes, intercept, disconnectDevices, close: closeAll };
  } catch (e) {
    await closeAll().catch(() => {});
    throw e;
  }
}
