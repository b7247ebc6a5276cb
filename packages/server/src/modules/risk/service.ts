import type { Db } from '../../db/index.js';

/** Placeholder: filled in by the risk module (issue 8). */
export function createRiskService(_deps: { db: Db }) {
  return {};
}

export type RiskService = ReturnType<typeof createRiskService>;
