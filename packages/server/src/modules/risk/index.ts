import type { CheckCycle } from '@aegis/shared';
import type { Db } from '../../db/index.js';
import { getMeasureRef } from './repo.js';

export { riskMap } from './map.js';
export { riskRoutes } from './routes.js';
export { createRiskService, type RiskService } from './service.js';

/**
 * A control measure (管控措施) for other modules (an inspection plan stores measure ids): where it
 * sits (its unit's plant path, for the caller's scope check with the guard) and its check cycle.
 * No access check here; null when it does not exist (any more).
 */
export async function measureById(
  db: Db,
  id: number,
): Promise<{
  id: number;
  unitId: number;
  unitName: string;
  path: string;
  nodeId: number;
  description: string;
  cycle: CheckCycle | null;
} | null> {
  const m = await getMeasureRef(db, id);
  return (
    m && {
      id: m.id,
      unitId: m.unitId,
      unitName: m.unitName,
      path: m.path,
      nodeId: m.nodeId,
      description: m.description,
      cycle: m.cycle,
    }
  );
}
