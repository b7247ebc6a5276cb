import type { FastifyBaseLogger } from 'fastify';
import type { PlacedEvent } from '../alarms/index.js';

/** Emergency plans (应急预案) as executable checklists, and drills. Skeleton: the owner replaces it. */
export function createEmergencyService(_deps: Record<string, unknown>) {
  let _log: FastifyBaseLogger | null = null;
  return {
    setLogger(l: FastifyBaseLogger) {
      _log = l;
    },
    /** After alarm transitions committed: an alarm matching a plan's trigger activates the plan. Never throws. */
    onAlarmEvents(_events: PlacedEvent[]): void {},
  };
}

export type EmergencyService = ReturnType<typeof createEmergencyService>;
