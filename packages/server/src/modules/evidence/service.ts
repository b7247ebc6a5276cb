import type { Db } from '../../db/index.js';

/** Placeholder: filled in by the evidence module (issue 8). */
export function createEvidenceService(_deps: { db: Db }) {
  return {};
}

export type EvidenceService = ReturnType<typeof createEvidenceService>;
