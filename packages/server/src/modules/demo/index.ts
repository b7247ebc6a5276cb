import type { FaultName, Simulator } from '@aegis/simulator';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import type { App } from '../../http/app.js';
import { errorResponses } from '../../http/schemas.js';

/** What the demo needs of the simulator running in this process (set by `aegis start --demo`). */
export interface DemoSimulator {
  equipment(): Array<{ code: string; faults: string[] }>;
  inject(equipment: string, fault: string, rampMs: number): void;
  clear(equipment: string): void;
}

/** The running simulator as the demo routes see it. */
export const simulatorControl = (sim: Simulator): DemoSimulator => ({
  equipment: () => sim.plant.equipment.map((e) => ({ code: e.code, faults: [...e.faults] })),
  inject: (code, fault, rampMs) => sim.injectFault(code, fault as FaultName, { rampMs }),
  clear: (code) => sim.clearFault(code),
});

export type DemoControl = ReturnType<typeof createDemoControl>;

export function createDemoControl() {
  let simulator: DemoSimulator | null = null;
  return {
    attach(s: DemoSimulator | null) {
      simulator = s;
    },
    get(): DemoSimulator {
      if (!simulator)
        throw new AppError('not_found', 'No simulator runs in this process (start Aegis with --demo)');
      return simulator;
    },
  };
}

const FaultSchema = z.object({
  equipment: z.string().trim().min(1).max(64),
  fault: z.string().trim().min(1).max(40),
  /** How long the fault takes to develop. */
  rampSeconds: z.number().int().min(0).max(3600).default(30),
});

/** Fault injection for demonstrations: only while the in-process simulator runs. */
export async function demoRoutes(app: App, { demo }: { demo: DemoControl }) {
  app.get(
    '/api/demo/simulator',
    {
      config: { permission: 'connector.manage' },
      schema: {
        tags: ['demo'],
        summary: 'Equipment of the running simulator and the faults each can be given',
        response: {
          200: z.array(z.object({ code: z.string(), faults: z.array(z.string()) })),
          ...errorResponses,
        },
      },
    },
    () => demo.get().equipment(),
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
    (req) => {
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
    (req) => {
      demo.get().clear(req.params.equipment);
      return { ok: true as const };
    },
  );
}
