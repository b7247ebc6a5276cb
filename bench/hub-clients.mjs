/**
 * bench:hub's screens: WebSocket clients in a worker thread, so that parsing frames does not
 * run on the hub's event loop. Each counts the distinct alarm keys of the current run and
 * reports once every client has all it should; an event of another workshop is counted wrong.
 */
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';

const { port, clients, expected } = workerData;
const AREAS = [10, 20, 30];
let run = -1;
let pending = 0;
const screens = [];

function check() {
  if (pending > 0) return;
  const lost = screens.reduce((s, c, i) => s + Math.max(0, expected[i] - c.keys.size), 0);
  const wrong = screens.reduce((s, c) => s + c.wrong, 0);
  parentPort.postMessage({ type: 'done', at: Date.now(), lost, wrong });
  run = -1;
}

await Promise.all(
  Array.from({ length: clients }, (_, i) => {
    const c = { ws: new WebSocket(`ws://127.0.0.1:${port}/`), keys: new Set(), wrong: 0, complete: false };
    screens.push(c);
    c.ws.on('message', (data) => {
      const msg = JSON.parse(String(data));
      if (msg.type !== 'alarms' || run < 0) return;
      const scope = i % 4;
      for (const ev of msg.events) {
        if (!ev.key.endsWith(`:${run}`)) continue;
        if (scope !== 0 && ev.equipmentId !== undefined) {
          const tag = ev.tagId;
          if (AREAS[tag % 3] !== AREAS[scope - 1]) c.wrong++;
        }
        c.keys.add(ev.key);
      }
      if (!c.complete && c.keys.size >= expected[i]) {
        c.complete = true;
        pending--;
        check();
      }
    });
    return new Promise((res, rej) => {
      c.ws.once('open', res);
      c.ws.once('error', rej);
    });
  }),
);
parentPort.postMessage({ type: 'ready' });

parentPort.on('message', (m) => {
  if (m.type === 'expect') {
    run = m.run;
    pending = clients;
    for (const c of screens) {
      c.keys.clear();
      c.wrong = 0;
      c.complete = false;
    }
    parentPort.postMessage({ type: 'armed' });
  } else if (m.type === 'close') {
    for (const c of screens) c.ws.close();
  }
});
