import { type Simulator, startSimulator } from '@aegis/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, startTestApp, type TestApp } from '../../test/harness.js';
import { simulatorControl } from './index.js';

let app: TestApp;
let admin: Client;
let sim: Simulator;

beforeAll(async () => {
  app = await startTestApp();
  admin = await app.as('admin');
  sim = await startSimulator({ transports: ['modbus'], modbus: { host: '127.0.0.1', port: 0 }, seed: 1 });
}, 180_000);
afterAll(async () => {
  await sim?.stop();
  await app?.close();
});

describe('demo fault injection', () => {
  it('says clearly that no simulator runs when none is attached', async () => {
    const res = await admin.get('/api/demo/simulator');
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(/--demo/);
  });

  it('gives a simulated tank a fault that fits it, refuses one that does not, and repairs it', async () => {
    app.aegis.services.demo.attach(simulatorControl(sim));
    const list = (await admin.get('/api/demo/simulator')).body as Array<{ code: string; faults: string[] }>;
    const tank = list.find((e) => e.code === 'TK-101')!;
    expect(tank.faults.length).toBeGreaterThan(0);
    const wrong = await admin.post('/api/demo/faults', { equipment: 'TK-101', fault: 'no-such-fault' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toMatch(/cannot have the fault/);
    expect((await admin.post('/api/demo/faults', { equipment: 'NOPE', fault: tank.faults[0] })).status).toBe(
      400,
    );
    const ok = await admin.post('/api/demo/faults', {
      equipment: 'TK-101',
      fault: tank.faults[0],
      rampSeconds: 5,
    });
    expect(ok.status).toBe(200);
    expect(sim.stats().faults).toEqual([
      expect.objectContaining({ target: 'TK-101', fault: tank.faults[0] }),
    ]);
    expect((await admin.del('/api/demo/faults/TK-101')).status).toBe(200);
    expect(sim.stats().faults).toEqual([]);
  });

  it('names the equipment and the running faults, and refuses to repair equipment it does not have', async () => {
    await admin.post('/api/demo/faults', { equipment: 'TK-101', fault: 'sensor-stuck' });
    const list = (await admin.get('/api/demo/simulator')).body as Array<{
      code: string;
      nameZh: string;
      active: Array<{ fault: string; manual: boolean }>;
    }>;
    const tank = list.find((e) => e.code === 'TK-101')!;
    expect(tank.nameZh).toMatch(/罐/);
    expect(tank.active).toEqual([{ fault: 'sensor-stuck', manual: true }]);
    const unknown = await admin.del('/api/demo/faults/NO-SUCH-THING');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    expect((await admin.del('/api/demo/faults/TK-101')).status).toBe(200);
  });

  it('writes what was injected and repaired into the audit trail by name, not as a bare HTTP call', async () => {
    await admin.post('/api/demo/faults', { equipment: 'TK-101', fault: 'sensor-stuck' });
    await admin.del('/api/demo/faults/TK-101');
    const items = (await admin.get('/api/audit?limit=5')).body.items as Array<{
      action: string;
      targetId: string;
      after: unknown;
      before: unknown;
      targetLabel: string | null;
    }>;
    expect(items.map((e) => e.action)).not.toContain('http.post');
    expect(items.map((e) => e.action)).not.toContain('http.delete');
    const inject = items.find((e) => e.action === 'demo.fault.inject');
    expect(inject).toMatchObject({
      targetId: 'TK-101',
      targetLabel: expect.stringMatching(/TK-101 .*罐/),
      after: { fault: 'sensor-stuck', equipmentName: { zh: expect.stringMatching(/罐/) } },
    });
    expect(items.find((e) => e.action === 'demo.fault.repair')).toMatchObject({
      targetId: 'TK-101',
      before: { faults: ['sensor-stuck'] },
    });
  });
});
