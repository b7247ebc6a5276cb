import { createServer } from 'node:net';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';

/**
 * A port the OS just handed out. modbus-serial treats port 0 as "use 502" and node-opcua does
 * not report the port it bound, so we ask for one first; callers retry on EADDRINUSE.
 */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen({ port: 0, host, exclusive: true }, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export function isAddressInUse(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'EADDRINUSE';
}

export interface ConnectionCounters {
  connected: boolean;
  reconnects: number;
  errors: number;
  lastError: string | null;
}

/**
 * An MQTT client that keeps retrying in the background: a broker that is down is counted,
 * never thrown, so the simulator runs on and catches up when the broker returns.
 */
export function connectQuietly(
  url: string,
  options: IClientOptions,
  counters: ConnectionCounters,
): MqttClient {
  const client = connect(url, { reconnectPeriod: 1000, connectTimeout: 5000, ...options });
  client.on('connect', () => {
    counters.connected = true;
  });
  client.on('close', () => {
    counters.connected = false;
  });
  client.on('reconnect', () => {
    counters.reconnects++;
  });
  client.on('error', (err) => {
    counters.errors++;
    counters.lastError = err.message;
  });
  return client;
}

/** Disconnects politely when connected (bounded wait), at once otherwise; stops reconnecting either way. */
export async function closeClient(client: MqttClient, timeoutMs = 2000): Promise<void> {
  if (!client.connected) {
    await client.endAsync(true);
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([client.endAsync(false).then(() => 'ended' as const), timeout]);
  clearTimeout(timer);
  // The polite end is already under way and cannot be forced any more; cut the socket instead.
  if (outcome === 'timeout') client.stream?.destroy();
}
