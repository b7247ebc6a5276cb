/**
 * The benchmark's load generator, run in a worker thread so that the devices (MQTT publishers)
 * and the screens (WebSocket clients) do not share the server's event loop, as they would not
 * in a plant. Driven by messages from bench/ingest.ts.
 */
import { parentPort } from 'node:worker_threads';
import mqtt from 'mqtt';
import WebSocket from 'ws';

type Command =
  | {
      id: number;
      cmd: 'throughput';
      url: string;
      pointsPerMessage: 10 | 1;
      messages: number;
      equipment: number;
      tsBase: number;
    }
  | { id: number; cmd: 'screens'; port: number; cookie: string; count: number }
  | { id: number; cmd: 'latency'; url: string; equipment: number; probes: number; tsBase: number }
  | { id: number; cmd: 'burst'; url: string; tags: number; expected: number }
  | { id: number; cmd: 'close' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const clients: mqtt.MqttClient[] = [];
const screens: Array<{ ws: WebSocket; keys: Map<string, number> }> = [];
const probeSent = new Map<string, number>();
const latencies: number[] = [];

async function connect(url: string) {
  const c = mqtt.connect(url, { clean: true, reconnectPeriod: 0 });
  await new Promise<void>((res, rej) => {
    c.once('connect', () => res());
    c.once('error', rej);
  });
  clients.push(c);
  return c;
}
const publish = (c: mqtt.MqttClient, topic: string, payload: string) =>
  new Promise<void>((res, rej) => c.publish(topic, payload, { qos: 1 }, (e) => (e ? rej(e) : res())));

async function throughput(c: Extract<Command, { cmd: 'throughput' }>) {
  const publishers = await Promise.all([0, 1, 2, 3].map(() => connect(c.url)));
  let ts = c.tsBase;
  await Promise.all(
    publishers.map(async (client, p) => {
      const inflight = new Set<Promise<void>>();
      for (let m = p; m < c.messages; m += publishers.length) {
        const e = m % c.equipment;
        let topic: string;
        let payload: string;
        if (c.pointsPerMessage === 10) {
          const values: Record<string, number> = {};
          for (let k = 0; k < 10; k++) values[`a${k}`] = Math.round(Math.random() * 5000) / 10;
          topic = `bench/a/EQ${e}`;
          payload = JSON.stringify({ ts: ++ts, values });
        } else {
          topic = `bench/b/EQ${e}/B${Math.floor(m / c.equipment) % 10}`;
          payload = JSON.stringify({ ts: ++ts, v: Math.round(Math.random() * 5000) / 10 });
        }
        const pr = publish(client, topic, payload).finally(() => inflight.delete(pr));
        inflight.add(pr);
        if (inflight.size >= 512) await Promise.race(inflight);
      }
      await Promise.all(inflight);
    }),
  );
  for (const p of publishers) p.end(true);
  return { tsEnd: ts };
}

async function openScreens(c: Extract<Command, { cmd: 'screens' }>) {
  await Promise.all(
    Array.from({ length: c.count }, () => {
      const keys = new Map<string, number>();
      return new Promise<void>((res, rej) => {
        const ws = new WebSocket(`ws://127.0.0.1:${c.port}/api/live`, { headers: { cookie: c.cookie } });
        ws.on('message', (data) => {
          const now = Date.now();
          const msg = JSON.parse(String(data)) as {
            type: string;
            events?: Array<{ type: string; key: string; tag: string; at: number }>;
          };
          if (msg.type !== 'alarms') return;
          for (const ev of msg.events ?? []) {
            if (ev.type !== 'activated') continue;
            if (!keys.has(ev.key)) keys.set(ev.key, now);
            const sent = probeSent.get(`${ev.tag}@${ev.at}`);
            if (sent !== undefined) latencies.push(now - sent);
          }
        });
        ws.once('open', () => {
          screens.push({ ws, keys });
          res();
        });
        ws.once('error', rej);
      });
    }),
  );
  return { screens: screens.length };
}

/** ~10,000 points/s of background (1,000 messages of 10 values) while probes cross a limit every 50 ms. */
async function latency(c: Extract<Command, { cmd: 'latency' }>) {
  latencies.length = 0;
  const bg = await connect(c.url);
  const probe = await connect(c.url);
  let running = true;
  let ts = c.tsBase;
  let sent = 0;
  const background = (async () => {
    while (running) {
      const sliceStart = Date.now();
      const work: Promise<void>[] = [];
      for (let i = 0; i < 10; i++) {
        const values: Record<string, number> = {};
        for (let k = 0; k < 10; k++) values[`a${k}`] = Math.round(Math.random() * 500);
        work.push(publish(bg, `bench/a/EQ${i % c.equipment}`, JSON.stringify({ ts: ++ts, values })));
        sent += 10;
      }
      await Promise.all(work);
      const wait = 10 - (Date.now() - sliceStart);
      if (wait > 0) await sleep(wait);
    }
  })();
  const started = Date.now();
  for (let i = 0; i < c.probes; i++) {
    const e = i % c.equipment;
    const k = Math.floor(i / c.equipment) % 10;
    const at = Date.now();
    probeSent.set(`EQ${e}.B${k}@${at}`, at);
    await publish(probe, `bench/b/EQ${e}/B${k}`, JSON.stringify({ ts: at, v: 950 }));
    await sleep(25);
    await publish(probe, `bench/b/EQ${e}/B${k}`, JSON.stringify({ ts: Date.now(), v: 10 }));
    await sleep(25);
  }
  await sleep(500);
  running = false;
  await background;
  return {
    latencies: [...latencies],
    backgroundPointsPerSecond: Math.round(sent / ((Date.now() - started) / 1000)),
  };
}

async function burst(c: Extract<Command, { cmd: 'burst' }>) {
  for (const s of screens) s.keys.clear();
  const client = await connect(c.url);
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: c.tags }, (_, i) =>
      publish(client, `bench/c/${i}`, JSON.stringify({ ts: t0, v: 950 })),
    ),
  );
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && screens.some((s) => s.keys.size < c.expected)) await sleep(5);
  const last = Math.max(...screens.map((s) => Math.max(0, ...s.keys.values())));
  return {
    allDeliveredMs: last ? last - t0 : null,
    lost: screens.reduce((sum, s) => sum + Math.max(0, c.expected - s.keys.size), 0),
  };
}

parentPort!.on('message', async (c: Command) => {
  try {
    let result: unknown;
    if (c.cmd === 'throughput') result = await throughput(c);
    else if (c.cmd === 'screens') result = await openScreens(c);
    else if (c.cmd === 'latency') result = await latency(c);
    else if (c.cmd === 'burst') result = await burst(c);
    else {
      for (const s of screens) s.ws.close();
      for (const cl of clients) cl.end(true);
      screens.length = 0;
      clients.length = 0;
      probeSent.clear();
      result = {};
    }
    parentPort!.postMessage({ id: c.id, result });
  } catch (e) {
    parentPort!.postMessage({ id: c.id, error: (e as Error).message });
  }
});
