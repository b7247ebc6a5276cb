import type { FastifyBaseLogger } from 'fastify';
import type { PlacedEvent } from '../alarms/index.js';

/** Hazardous-work permits (作业票, GB 30871-2022). Skeleton: the owner of this module replaces it. */
export function createPermitService(_deps: Record<string, unknown>) {
  let _log: FastifyBaseLogger | null = null;
  return {
    setLogger(l: FastifyBaseLogger) {
      _log = l;
    },
    /** After alarm transitions committed: high/critical activations in a permit's area suspend it. Never throws. */
    onAlarmEvents(_events: PlacedEvent[]): void {},
    /** Scheduler pass: live gas values of active permits against their limits. */
    async watchLive(): Promise<void> {},
  };
}

export type PermitService = ReturnType<typeof createPermitService>;
