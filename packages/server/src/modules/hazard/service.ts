import type { Db } from '../../db/index.js';

/** Placeholder: filled in by the hazard module (issue 8). */
export function createHazardService(_deps: { db: Db }) {
  return {};
}

export type HazardService = ReturnType<typeof createHazardService>;
