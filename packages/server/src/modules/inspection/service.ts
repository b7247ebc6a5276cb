import type { Db } from '../../db/index.js';

/** Placeholder: filled in by the inspection module (issue 8). */
export function createInspectionService(_deps: { db: Db }) {
  return {};
}

export type InspectionService = ReturnType<typeof createInspectionService>;
