import type { FaultName, Simulator } from '@aegis/simulator';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import type { App } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';
import type { AuditService } from '../audit/index.js';

export { createFaultPlayer, type FaultPlayer } from './player.js';

/** What the demo needs of the simulator running in this process (set by `aegis start --demo`). */
export interface DemoSimulator {
  equipment(): Array<{ code: string; nameZh: string; nameEn: string; faults: string[] }>;
  /** The faults running now, one entry per equipment and fault. */
  active(): Array<{ code: string; fault: string }>;
  inject(equipment: string, fault: string, rampMs: number): void;
  clear(equipment: string): void;
}

/** The running simulator as the demo routes see it. */
export const simulatorControl = (sim: Simulator): DemoSimulator => ({
  equipment: () =>
    sim.plant.equipment.map((e) => ({
      code: e.code,
      nameZh: e.nameZh,
      nameEn: e.nameEn,
      faults: [...e.faults],
    })),
  active: () => sim.stats().faults.map((f) => ({ code: f.target, fault: f.fault })),
  inject: (code, fault, rampMs) => sim.injectFault(code, fault as FaultName, { rampMs }),
  clear: (code) => sim.clearFault(code),
});

export type DemoControl = ReturnType<typeof createDemoControl>;

export function createDemoControl() {
  let simulator: DemoSimulator | null = null;
  // Faults a person injected, by equipment: the automatic demo leaves these alone.
  const manual = new Map<string, string>();
  return {
    attach(s: DemoSimulator | null) {
      simulator = s;
      manual.clear();
    },
    get(): DemoSimulator {
      if (!simulator)
        throw new AppError('not_found', 'No simulator runs in this process (start Aegis with --demo)');
      return simulator;
    },
    /** Equipment with a fault injected by hand (equipment code → fault), still running. */
    manualFaults(): Map<string, string> {
      const running = new Set(simulator?.active().map((f) => `${f.code}\u0000${f.fault}`) ?? []);
      for (const [code, fault] of manual) if (!running.has(`${code}\u0000${fault}`)) manual.delete(code);
      return new Map(manual);
    },
    markManual(code: string, fault: string) {
      manual.set(code, fault);
    },
    unmarkManual(code: string) {
      manual.delete(code);
    },
  };
}

const FaultSchema = z.object({
  equipment: z.string().trim().min(1).max(64),
  fault: z.string().trim().min(1).max(40),
  /** How long the fault takes to develop. */
  rampSeconds: z.number().int().min(0).max(3600).default(30),
});

const SimEquipmentSchema = z.object({
  code: z.string(),
  nameZh: z.string(),
  nameEn: z.string(),
  faults: z.array(z.string()),
  /** The faults running now and whether a person injected them. */
  active: z.array(z.object({ fault: z.string(), manual: z.boolean() })),
});

/** Fault injection for demonstrations: only while the in-process simulator runs. */
export async function demoRoutes(app: App, { demo, audit }: { demo: DemoControl; audit: AuditService }) {
  const find = (code: string) => {
    const item = demo
      .get()
      .equipment()
      .find((e) => e.code === code);
    if (!item) throw new AppError('not_found', `The simulator has no equipment ${code}`);
    return item;
  };
  app.get(
    '/api/demo/simulator',
    {
      config: { permission: 'connector.manage' },
      schema: {
        tags: ['demo'],
        summary: 'Equipment of the running simulator, the faults each can be given and those running now',
        response: { 200: z.array(SimEquipmentSchema), ...errorResponses },
      },
    },
    () => {
      const sim = demo.get();
      const manual = demo.manualFaults();
      const active = sim.active();
      return sim.equipment().map((e) => ({
        ...e,
        active: active
          .filter((f) => f.code === e.code)
          .map((f) => ({ fault: f.fault, manual: manual.get(e.code) === f.fault })),
      }));
    },
  );
  app.post(
    '/api/demo/faults',
    {
      config: { permission: 'connector.manage' },
      schema: {
        tags: ['demo'],
        summary:
          'Give a simulated equipment item a fault (gas leak, rising vibration, stuck sensor, lost link…)',
        body: FaultSchema,
        response: { 200: z.object({ ok: z.literal(true) }), ...errorResponses },
      },
    },
    async (req) => {
      const sim = demo.get();
      const item = sim.equipment().find((e) => e.code === req.body.equipment);
      if (!item)
        throw new AppError('validation_failed', `The simulator has no equipment ${req.body.equipment}`);
      if (!item.faults.includes(req.body.fault)) {
        throw new AppError(
          'validation_failed',
          `${req.body.equipment} cannot have the fault ${req.body.fault}; it can have ${item.faults.join(', ')}`,
        );
      }
      sim.inject(item.code, req.body.fault, req.body.rampSeconds * 1000);
      demo.markManual(item.code, req.body.fault);
      await audit.record(req.ctx, {
        action: 'demo.fault.inject',
        targetType: 'equipment',
        targetId: item.code,
        targetLabel: `${item.code} ${item.nameZh} / ${item.nameEn}`,
        after: {
          equipment: item.code,
          equipmentName: { zh: item.nameZh, en: item.nameEn },
          fault: req.body.fault,
          rampSeconds: req.body.rampSeconds,
        },
      });
      return { ok: true as const };
    },
  );
  app.delete(
    '/api/demo/faults/:equipment',
    {
      config: { permission: 'connector.manage' },
      schema: {
        tags: ['demo'],
        summary: 'Repair a simulated equipment item',
        params: z.object({ equipment: z.string().trim().min(1).max(64) }),
        response: { 200: z.object({ ok: z.literal(true) }), ...errorResponses },
      },
    },
    async (req) => {
      const item = find(req.params.equipment);
      const sim = demo.get();
      const faults = sim
        .active()
        .filter((f) => f.code === item.code)
        .map((f) => f.fault);
      sim.clear(item.code);
      demo.unmarkManual(item.code);
      await audit.record(req.ctx, {
        action: 'demo.fault.repair',
        targetType: 'equipment',
        targetId: item.code,
        targetLabel: `${item.code} ${item.nameZh} / ${item.nameEn}`,
        before: { equipment: item.code, equipmentName: { zh: item.nameZh, en: item.nameEn }, faults },
      });
      return { ok: true as const };
    },
  );
}
