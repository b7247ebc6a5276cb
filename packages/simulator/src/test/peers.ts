import { type AddressInfo, createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { connectAsync, type MqttClient } from 'mqtt';

/** A real MQTT broker (aedes) on an ephemeral port, or on a given one to test reconnects. */
export async function startBroker(port = 0): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const broker = await Aedes.createBroker();
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `mqtt://127.0.0.1:${actual}`,
    port: actual,
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface Received {
  topic: string;
  payload: Buffer;
  at: number;
}

/** A subscriber that records everything it receives and can wait for a message. */
export async function subscribe(url: string, topics: string[]) {
  const client: MqttClient = await connectAsync(url, { reconnectPeriod: 200 });
  const messages: Received[] = [];
  const waiters = new Set<() => void>();
  client.on('message', (topic, payload) => {
    messages.push({ topic, payload, at: Date.now() });
    for (const w of waiters) w();
  });
  await client.subscribeAsync(topics, { qos: 1 });

  /** Resolves with the first message from index `from` on that matches, or rejects after timeoutMs. */
  function waitFor(match: (m: Received) => boolean, timeoutMs = 3000, from = 0): Promise<Received> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = messages.slice(from).find(match);
        if (!found) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no matching message within ${timeoutMs} ms (${messages.length} received)`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(listener);
      };
      const listener = () => {
        check();
      };
      if (!check()) waiters.add(listener);
    });
  }

  return {
    client,
    messages,
    waitFor,
    publish: (topic: string, payload: string | Buffer) => client.publishAsync(topic, payload, { qos: 1 }),
    close: () => client.endAsync(true),
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
