import { describe, expect, it, vi } from 'vitest';
import { formatStatusLine, parseSimulateFlags, runSimulateCommand, SimulateFlagError } from './command.js';
import { freePort } from './connections.js';
import { startSimulator } from './simulator.js';
import { startBroker, subscribe } from './test/peers.js';

describe('aegis simulate flags', () => {
  it('turns CLI text into simulator options', () => {
    const parsed = parseSimulateFlags({
      mqttUrl: 'mqtt://localhost:1883',
      rate: '250',
      transports: 'mqtt, modbus',
      modbusPort: '0',
      opcuaPort: 4841,
      seed: '42',
      fault: ['GD-203:gas-leak:90', 'PRS-01:link-loss'],
      statusEvery: '5',
    });
    expect(parsed.options).toMatchObject({
      mqttUrl: 'mqtt://localhost:1883',
      rateMs: 250,
      transports: ['mqtt', 'modbus'],
      modbus: { port: 0 },
      opcua: { port: 4841 },
      seed: 42,
    });
    expect(parsed.faults).toEqual([
      { target: 'GD-203', fault: 'gas-leak', rampMs: 90_000 },
      { target: 'PRS-01', fault: 'link-loss' },
    ]);
    expect(parsed.statusEveryMs).toBe(5000);
  });

  it('says what is wrong with a bad flag', () => {
    expect(() => parseSimulateFlags({ transports: 'mqtt,profibus' })).toThrow(/unknown transport "profibus"/);
    expect(() => parseSimulateFlags({ rate: 'fast' })).toThrow(SimulateFlagError);
    expect(() => parseSimulateFlags({ modbusPort: 70000 })).toThrow(/--modbus-port/);
    expect(() => parseSimulateFlags({ fault: 'PRS-01:explode' })).toThrow(/EQUIPMENT:fault/);
    expect(() => parseSimulateFlags({ mqttUrl: 'localhost:1883' })).toThrow(/--mqtt-url/);
  });

  it('refuses MQTT transports without a broker URL and a fault that does not apply', async () => {
    await expect(startSimulator({ transports: ['sparkplug'] })).rejects.toThrow(/mqttUrl/);
    await expect(
      runSimulateCommand(
        { transports: 'modbus', modbusPort: 0, fault: 'TK-101:gas-leak', statusEvery: 0 },
        () => {},
      ),
    ).rejects.toThrow(/does not apply to TK-101/);
  });
});

describe('aegis simulate run', () => {
  it('reports where it listens, injects start-up faults and prints status lines', async () => {
    const broker = await startBroker();
    const lines: string[] = [];
    const run = await runSimulateCommand(
      {
        mqttUrl: broker.url,
        transports: 'mqtt,sparkplug,modbus',
        modbusPort: 0,
        rate: 100,
        fault: 'GD-206:gas-leak:60',
        statusEvery: 1,
      },
      (line) => lines.push(line),
    );
    try {
      expect(lines.some((l) => l.startsWith('MQTT JSON: 7 equipment'))).toBe(true);
      expect(lines.some((l) => l.includes('edge nodes GAS-GW01, GAS-GW02'))).toBe(true);
      expect(lines.some((l) => l.includes(`127.0.0.1:${run.simulator.ports.modbus}`))).toBe(true);
      // The first status line comes after one second of running.
      await vi.waitFor(() => expect(lines.some((l) => l.startsWith('[sim '))).toBe(true), { timeout: 5000 });
      const status = lines.find((l) => l.startsWith('[sim '));
      expect(status).toMatch(/mqtt up \d+ msgs/);
      expect(status).toMatch(/GAS-GW01 up bdSeq 0 5 dev/);
      expect(status).toMatch(/faults: GD-206 gas-leak \d+%/);
    } finally {
      await run.stop();
      await broker.close();
    }
  });

  it('formats a status line with transports that are down', () => {
    const line = formatStatusLine({
      startedAt: new Date(0).toISOString(),
      uptimeMs: 3_725_000,
      ticks: 10,
      rateMs: 1000,
      faults: [
        { target: 'TK-101', fault: 'sensor-stuck', tag: 'LEVEL', startedAt: 0, rampMs: 0, progress: 1 },
      ],
      mqtt: {
        connected: false,
        reconnects: 3,
        errors: 3,
        lastError: 'ECONNREFUSED',
        published: 0,
        dropped: 9,
        commands: 0,
        rejectedCommands: 0,
      },
      sparkplug: [],
      modbus: null,
      opcua: null,
    });
    expect(line).toBe('[sim 01:02:05] | mqtt DOWN 0 msgs 0 cmds | faults: TK-101 sensor-stuck(LEVEL)');
  });
});

describe('stopping', () => {
  it('leaves no sockets, servers or timers behind', async () => {
    const broker = await startBroker();
    const sub = await subscribe(broker.url, ['#']);
    const count = (kind: string) => process.getActiveResourcesInfo().filter((r) => r === kind).length;
    const relevant = () => ({
      sockets: count('TCPSocketWrap'),
      servers: count('TCPServerWrap'),
      timers: count('Timeout'),
    });
    const before = relevant();
    const sim = await startSimulator({
      mqttUrl: broker.url,
      transports: ['mqtt', 'sparkplug', 'modbus'],
      modbus: { port: 0 },
      rateMs: 50,
    });
    await sub.waitFor((m) => m.topic.startsWith('spBv1.0/SZ01/DDATA/'));
    const running = relevant();
    expect(running.sockets).toBeGreaterThan(before.sockets);
    expect(running.servers).toBeGreaterThan(before.servers);
    await sim.stop();
    // Closed handles leave the list on the event loop's next turns.
    await vi.waitFor(() =>
      expect(relevant()).toMatchObject({ sockets: before.sockets, servers: before.servers }),
    );
    const after = relevant();
    // Timers of earlier tests may have fired meanwhile; none may have been added.
    expect(after.timers).toBeLessThanOrEqual(before.timers);
    await sub.close();
    await broker.close();
  });

  it('stops cleanly while the broker is unreachable', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const sockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
    const before = { timers: timers(), sockets: sockets() };
    const port = await freePort('127.0.0.1');
    const sim = await startSimulator({
      mqttUrl: `mqtt://127.0.0.1:${port}`,
      transports: ['mqtt', 'sparkplug'],
      rateMs: 50,
    });
    await vi.waitFor(() => expect(sim.stats().mqtt?.dropped).toBeGreaterThan(0), { timeout: 3000 });
    expect(sim.stats().mqtt?.connected).toBe(false);
    await sim.stop();
    await vi.waitFor(() => expect(sockets()).toBe(before.sockets));
    expect(timers()).toBeLessThanOrEqual(before.timers);
  });
});
