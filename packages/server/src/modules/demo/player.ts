import type { DemoControl, DemoSimulator } from './index.js';

export type FaultPlayer = ReturnType<typeof createFaultPlayer>;

export type PlayOutcome =
  | { played: { code: string; fault: string } }
  | { skipped: 'manual-fault'; manual: { code: string; fault: string } }
  | { skipped: 'nothing-free' };

/**
 * The automatic half of the demo: every few minutes one equipment item develops a fault that fits
 * it, and is repaired a few minutes later. A fault a person injected is never replaced: while one
 * runs, the automatic turn is skipped (and says so), and an automatic repair leaves alone any
 * equipment a person has taken over since.
 */
export function createFaultPlayer({
  sim,
  demo,
  say,
  random = Math.random,
  rampMs = 60_000,
}: {
  sim: DemoSimulator;
  demo: DemoControl;
  say: (line: string) => void;
  random?: () => number;
  rampMs?: number;
}) {
  return {
    /** One automatic turn. */
    play(): PlayOutcome {
      const manual = [...demo.manualFaults()];
      if (manual.length > 0) {
        const [code, fault] = manual[0]!;
        say(`Demo: automatic fault skipped while the fault ${fault} injected by hand runs on ${code}`);
        return { skipped: 'manual-fault', manual: { code, fault } };
      }
      const busy = new Set(sim.active().map((f) => f.code));
      const candidates = sim
        .equipment()
        .filter((e) => !busy.has(e.code))
        .flatMap((e) => e.faults.map((fault) => ({ code: e.code, fault })));
      if (candidates.length === 0) return { skipped: 'nothing-free' };
      const pick = candidates[Math.floor(random() * candidates.length)]!;
      sim.inject(pick.code, pick.fault, rampMs);
      say(`Demo: simulated fault ${pick.fault} on ${pick.code}`);
      return { played: pick };
    },
    /** Repairs an automatic fault, unless a person injected a fault on that equipment since. */
    repair(pick: { code: string; fault: string }): boolean {
      if (demo.manualFaults().has(pick.code)) {
        say(`Demo: ${pick.code} not repaired automatically: a fault injected by hand runs on it`);
        return false;
      }
      sim.clear(pick.code);
      say(`Demo: ${pick.code} repaired`);
      return true;
    },
  };
}
