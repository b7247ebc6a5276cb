/**
 * bench:hub — the live hub's fan-out alone: a burst of 5,000 alarm events pushed to 100 real
 * WebSocket clients (in a worker thread, as screens are other machines), timed from the first
 * event handed to the hub until every client has parsed every event. No database, no broker,
 * no alarm engine: bench:ingest measures the whole path; this isolates the part the hub owns.
 *
 * The events arrive as the alarm engine hands them over (batches of 100, one per event-loop
 * turn); clients hold alarm.read in four scopes (enterprise-wide and three workshops), so both
 * the per-scope filtering and the shared frames are exercised; each workshop client must
 * receive exactly its workshop's events.
 *
 * A second measure runs the same bursts into in-memory sockets (no network, no parsing): the
 * CPU time the hub itself spends to filter, serialise and hand over the frames (a string is
 * encoded to bytes as ws would do), the part a server pays for every screen it serves.
 *
 * Usage: npm run bench:hub [-- --clients 100] [--events 5000] [--runs 5] [--json]
 *        [--impl hub] (another module under modules/live with the same API, to compare)
 */
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { WebSocketServer } from 'ws';
import type { Actor } from '../packages/server/src/modules/access/policy.js';
import type { PlacedEvent } from '../packages/server/src/modules/alarms/index.js';
import { asJson, flag, log } from './common.js';

const CLIENTS = Number(flag('clients') ?? 100);
const EVENTS = Number(flag('events') ?? 5000);
const RUNS = Number(flag('runs') ?? 5);
const BATCH = 100;
const impl = flag('impl') ?? 'hub';

// Plant: /1/2/<area>/<equipment>/ with three areas; tag i sits on equipment i % 100 of area i % 3.
const AREAS = [10, 20, 30];
const pathOf = (tag: number) => `/1/2/${AREAS[tag % 3]}/${1000 + (tag % 100)}/`;
const paths = {
  get: (id: number) => ({ path: pathOf(id) }),
  all: () => Array.from({ length: 300 }, (_, i) => ({ path: pathOf(i) })),
  onChange: () => () => true,
};
const fakeDb = { query: async () => [] };

const actor = (i: number): Actor => {
  const scope = i % 4; // 0: enterprise-wide, 1..3: one workshop
  const path = scope === 0 ? null : `/1/2/${AREAS[scope - 1]}/`;
  return {
    userId: i + 1,
    username: `screen${i}`,
    displayName: `Screen ${i}`,
    kind: 'person',
    passwordChangeRequired: false,
    grants: [
      { permission: 'alarm.read', nodeId: path === null ? null : AREAS[scope - 1]!, path },
      { permission: 'tag.read', nodeId: path === null ? null : AREAS[scope - 1]!, path },
    ],
  };
};

function burst(run: number): PlacedEvent[] {
  const at = Date.now();
  return Array.from({ length: EVENTS }, (_, i) => {
    const tag = i % 2500;
    const level = i < 2500 ? 'H' : 'HH';
    const key = `${tag + 1}:${level}:${run}`;
    return {
      event: {
        type: 'activated',
        key,
        ruleId: `${tag + 1}`,
        tag: `EQ${tag % 100}.C${Math.floor(tag / 100)}`,
        from: 'normal',
        to: 'unack_active',
        at,
        user: null,
        comment: null,
        value: 950,
        priority: level === 'HH' ? 'critical' : 'high',
        message: `EQ${tag % 100}.C${Math.floor(tag / 100)}: ${level === 'HH' ? 'high-high' : 'high'} (> 900)`,
        annunciated: true,
      },
      place: {
        ruleId: tag + 1,
        tagId: tag,
        equipmentId: 1000 + (tag % 100),
        areaId: AREAS[tag % 3]!,
        path: pathOf(tag),
      },
      alarm: {
        key,
        ruleId: `${tag + 1}`,
        tag: `EQ${tag % 100}.C${Math.floor(tag / 100)}`,
        level,
        state: 'unack_active',
        priority: level === 'HH' ? 'critical' : 'high',
        active: true,
        acked: false,
        shelved: false,
        suppressed: false,
        outOfService: false,
        chattering: false,
        value: 950,
        message: `${level} (> 900)`,
        activatedAt: at,
      },
    } as unknown as PlacedEvent;
  });
}

/** Events each client must see: all, or those of its workshop. */
const expectedFor = (i: number) => {
  const scope = i % 4;
  if (scope === 0) return EVENTS;
  let n = 0;
  for (let e = 0; e < EVENTS; e++) if ((e % 2500) % 3 === scope - 1) n++;
  return n;
};

const mod = await import(`../packages/server/src/modules/live/${impl}.ts`);

// --- 1. The hub alone: in-memory sockets, CPU time of filter + serialise + send ---
const memory = mod.createLiveHub({ paths, db: fakeDb });
let bytes = 0;
for (let i = 0; i < CLIENTS; i++) {
  memory.connect(
    {
      bufferedAmount: 0,
      readyState: 1,
      send(data: string | Buffer) {
        bytes += typeof data === 'string' ? Buffer.from(data).length : data.length;
      },
      close() {},
    },
    actor(i),
  );
}
const hubCpuMs: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const events = burst(run);
  bytes = 0;
  const cpu = process.cpuUsage();
  for (let i = 0; i < events.length; i += BATCH) {
    memory.publishAlarmEvents(events.slice(i, i + BATCH));
    await new Promise((r) => setImmediate(r));
  }
  await new Promise((r) => setImmediate(r));
  const used = process.cpuUsage(cpu);
  hubCpuMs.push(Math.round((used.user + used.system) / 1000));
  log(
    `hub "${impl}" in memory, run ${run + 1}: ${hubCpuMs.at(-1)} ms CPU, ${(bytes / 1e6).toFixed(1)} MB handed to sockets`,
  );
}
memory.closeAll();

// --- 2. Real WebSocket clients ---
const hub = mod.createLiveHub({ paths, db: fakeDb });

const server = createServer();
const wss = new WebSocketServer({ server });
let nextClient = 0;
wss.on('connection', (socket) => {
  const session = hub.connect(socket, actor(nextClient++));
  socket.on('close', () => session.close());
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as { port: number }).port;

const worker = new Worker(new URL('./hub-clients.mjs', import.meta.url), {
  workerData: { port, clients: CLIENTS, expected: Array.from({ length: CLIENTS }, (_, i) => expectedFor(i)) },
});
const fromWorker = (type: string) =>
  new Promise<any>((resolve) => {
    const on = (m: { type: string }) => {
      if (m.type !== type) return;
      worker.off('message', on);
      resolve(m);
    };
    worker.on('message', on);
  });
await fromWorker('ready');
log(`hub "${impl}": ${CLIENTS} WebSocket clients connected; ${RUNS} bursts of ${EVENTS} alarm events`);

// serverBusyMs: time the server's event loop was busy during the burst (hub, framing, socket
// writes): what the hub costs. ms: until every client had parsed everything (the worker's
// parsing of 100 clients' frames on one thread is part of it).
const results: Array<{ ms: number; serverBusyMs: number; lost: number; wrong: number }> = [];
for (let run = 0; run < RUNS; run++) {
  const events = burst(run);
  worker.postMessage({ type: 'expect', run });
  await fromWorker('armed');
  const elu = performance.eventLoopUtilization();
  const t0 = Date.now();
  const done = fromWorker('done');
  for (let i = 0; i < events.length; i += BATCH) {
    hub.publishAlarmEvents(events.slice(i, i + BATCH));
    await new Promise((r) => setImmediate(r));
  }
  const r = await done;
  const busy = performance.eventLoopUtilization(elu);
  results.push({
    ms: r.at - t0,
    serverBusyMs: Math.round(busy.active),
    lost: r.lost,
    wrong: r.wrong,
  });
  log(
    `  run ${run + 1}: every client had all its events after ${r.at - t0} ms; server busy ${results.at(-1)!.serverBusyMs} ms (lost ${r.lost}, out of scope ${r.wrong})`,
  );
}
worker.postMessage({ type: 'close' });
await worker.terminate();
wss.close();
server.close();

const sorted = results.map((r) => r.ms).sort((a, b) => a - b);
const summary = {
  impl,
  clients: CLIENTS,
  events: EVENTS,
  runs: results,
  medianHubCpuMs: [...hubCpuMs].sort((a, b) => a - b)[Math.floor(hubCpuMs.length / 2)],
  medianMs: sorted[Math.floor(sorted.length / 2)],
  medianServerBusyMs: results.map((r) => r.serverBusyMs).sort((a, b) => a - b)[
    Math.floor(results.length / 2)
  ],
  bestMs: sorted[0],
  lost: results.reduce((s, r) => s + r.lost, 0),
  outOfScope: results.reduce((s, r) => s + r.wrong, 0),
};
if (asJson) process.stdout.write(`${JSON.stringify(summary)}\n`);
else
  log(
    `hub CPU per burst: median ${summary.medianHubCpuMs} ms; to ${CLIENTS} WebSocket clients: median ${summary.medianMs} ms (server busy ${summary.medianServerBusyMs} ms), best ${summary.bestMs} ms, lost ${summary.lost}, out of scope ${summary.outOfScope}`,
  );
process.exit(summary.lost || summary.outOfScope ? 1 : 0);
