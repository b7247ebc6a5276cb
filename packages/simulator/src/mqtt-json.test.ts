import { afterEach, describe, expect, it, vi } from 'vitest';
import { freePort } from './connections.js';
import { type Simulator, startSimulator } from './simulator.js';
import { type Received, startBroker, subscribe } from './test/peers.js';

type Telemetry = { ts: number; values: Record<string, unknown> };
const json = (m: Received) => JSON.parse(m.payload.toString()) as Telemetry;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup() {
  const broker = await startBroker();
  cleanups.push(() => broker.close());
  const sub = await subscribe(broker.url, ['aegis/SZ01/#']);
  cleanups.push(() => sub.close());
  const sim: Simulator = await startSimulator({
    mqttUrl: broker.url,
    transports: ['mqtt'],
    rateMs: 100,
    seed: 3,
  });
  cleanups.push(() => sim.stop());
  return { broker, sub, sim };
}

describe('MQTT JSON telemetry', () => {
  it('publishes {ts, values} for every press and the crane on their telemetry topics', async () => {
    const { sub, sim } = await setup();
    const first = await sub.waitFor((m) => m.topic === 'aegis/SZ01/STAMP/PRS-01/telemetry');
    const body = json(first);
    expect(Math.abs(body.ts - Date.now())).toBeLessThan(2000);
    expect(Object.keys(body.values).sort()).toEqual(
      ['guardOk', 'runEnable', 'spm', 'state', 'strokes', 'temperature', 'tonnage', 'vibration'].sort(),
    );
    // Every tag bound to this topic finds its value at its path, inside the engineering range.
    for (const tag of sim.plant.tags.filter((t) => t.equipmentCode === 'PRS-01')) {
      if (tag.source.kind !== 'mqtt') throw new Error('press tags are MQTT');
      const value = body.values[tag.source.path.replace('values.', '')];
      expect(value, tag.code).toBeDefined();
      if (typeof value === 'number' && tag.engLow !== null && tag.engHigh !== null) {
        expect(value).toBeGreaterThanOrEqual(tag.engLow);
        expect(value).toBeLessThanOrEqual(tag.engHigh);
      }
    }
    // Barrier: two crane messages enclose at least one whole publishing cycle.
    const isCrane = (m: Received) => m.topic === 'aegis/SZ01/STAMP/CRN-01/telemetry';
    const firstCrane = sub.messages.indexOf(await sub.waitFor(isCrane));
    await sub.waitFor(isCrane, 3000, firstCrane + 1);
    const topics = new Set(sub.messages.map((m) => m.topic));
    for (const code of ['PRS-01', 'PRS-02', 'PRS-03', 'PRS-04', 'PRS-05', 'PRS-06', 'CRN-01']) {
      expect(topics).toContain(`aegis/SZ01/STAMP/${code}/telemetry`);
    }
    // Over MQTT only: nothing else is published.
    expect([...topics].every((t) => t.startsWith('aegis/SZ01/STAMP/'))).toBe(true);
  });

  it('applies a {"value"} command to the run permissive and reads it back in the next telemetry', async () => {
    const { sub, sim } = await setup();
    await sub.waitFor(
      (m) => m.topic === 'aegis/SZ01/STAMP/PRS-02/telemetry' && json(m).values.runEnable === true,
    );
    const from = sub.messages.length;
    await sub.publish('aegis/SZ01/STAMP/PRS-02/cmd', JSON.stringify({ value: false, ts: Date.now() }));
    const confirmed = await sub.waitFor(
      (m) => m.topic === 'aegis/SZ01/STAMP/PRS-02/telemetry' && json(m).values.runEnable === false,
      2000,
      from,
    );
    expect(json(confirmed).values.state).not.toBe(1);
    expect(sim.stats().mqtt?.commands).toBe(1);

    await sub.publish('aegis/SZ01/STAMP/PRS-02/cmd', JSON.stringify({ tag: 'RUN_ENABLE', value: true }));
    await sub.waitFor(
      (m) => m.topic === 'aegis/SZ01/STAMP/PRS-02/telemetry' && json(m).values.runEnable === true,
      2000,
      sub.messages.length,
    );
  });

  it('refuses malformed and read-only commands without stopping', async () => {
    const { sub, sim } = await setup();
    // Telemetry flowing means the simulator's command subscription is in place.
    await sub.waitFor((m) => m.topic === 'aegis/SZ01/STAMP/PRS-03/telemetry');
    await sub.publish('aegis/SZ01/STAMP/PRS-03/cmd', 'not json');
    await sub.publish('aegis/SZ01/STAMP/PRS-03/cmd', JSON.stringify({ tag: 'VIB', value: 0 }));
    await sub.publish('aegis/SZ01/STAMP/PRS-03/cmd', JSON.stringify({ value: 'perhaps' }));
    // Messages on one connection are handled in order: once the third is refused, all were seen.
    await vi.waitFor(() => expect(sim.stats().mqtt?.rejectedCommands).toBe(3), { timeout: 3000 });
    expect(sim.stats().mqtt).toMatchObject({ commands: 0, rejectedCommands: 3 });
    const from = sub.messages.length;
    await sub.waitFor((m) => m.topic === 'aegis/SZ01/STAMP/PRS-03/telemetry', 2000, from);
  });

  it('stops publishing an equipment with link-loss and resumes when cleared', async () => {
    const { sub, sim } = await setup();
    await sub.waitFor((m) => m.topic === 'aegis/SZ01/STAMP/PRS-05/telemetry');
    sim.injectFault('PRS-05', 'link-loss');
    // Barrier: every cycle publishes PRS-04 before PRS-05. The first PRS-04 after the fault may
    // still come from a cycle that began before it; from the second one on, every message
    // belongs to a cycle that began with the link lost, and the third closes a whole cycle.
    const isPrs04 = (m: Received) => m.topic === 'aegis/SZ01/STAMP/PRS-04/telemetry';
    const first = sub.messages.indexOf(await sub.waitFor(isPrs04, 2000, sub.messages.length));
    const second = sub.messages.indexOf(await sub.waitFor(isPrs04, 2000, first + 1));
    const third = sub.messages.indexOf(await sub.waitFor(isPrs04, 2000, second + 1));
    const during = sub.messages.slice(second, third + 1);
    expect(during.some((m) => m.topic.includes('/PRS-05/'))).toBe(false);
    // A command to equipment that is off line is refused, not applied.
    const refusedBefore = sim.stats().mqtt?.rejectedCommands ?? 0;
    await sub.publish('aegis/SZ01/STAMP/PRS-05/cmd', JSON.stringify({ value: false }));
    await vi.waitFor(() => expect(sim.stats().mqtt?.rejectedCommands).toBe(refusedBefore + 1), {
      timeout: 3000,
    });
    expect(sim.model.values('PRS-05').RUN_ENABLE).toBe(true);
    sim.clearFault('PRS-05');
    await sub.waitFor((m) => m.topic === 'aegis/SZ01/STAMP/PRS-05/telemetry', 2000, sub.messages.length);
  });

  it('keeps running while the broker is down and publishes once it comes up', async () => {
    const port = await freePort('127.0.0.1');
    const sim = await startSimulator({
      mqttUrl: `mqtt://127.0.0.1:${port}`,
      transports: ['mqtt'],
      rateMs: 100,
    });
    cleanups.push(() => sim.stop());
    // Values produced while no broker listens are dropped, and the simulator goes on.
    await vi.waitFor(() => expect(sim.stats().mqtt?.dropped).toBeGreaterThan(0), { timeout: 3000 });
    expect(sim.stats().mqtt?.connected).toBe(false);
    const broker = await startBroker(port);
    cleanups.push(() => broker.close());
    const sub = await subscribe(broker.url, ['aegis/SZ01/+/+/telemetry']);
    cleanups.push(() => sub.close());
    await sub.waitFor((m) => m.topic === 'aegis/SZ01/STAMP/PRS-01/telemetry', 4000);
    expect(sim.stats().mqtt?.connected).toBe(true);
  });
});
