import type { AlarmKpiQuery, AlarmKpiReport, RationalisationSheet } from '@aegis/shared';
import type { Clock } from '../../clock.js';
import type { RequestContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import type { AccessGuard } from '../access/guard.js';

/** Alarm-management KPIs (ISA-18.2 / EEMUA 191) and the rationalisation worksheet, aggregated in SQL on the journal. */
export function createKpiService(deps: { db: Db; guard: AccessGuard; clock: Clock; timezone: string }) {
  void deps;
  return {
    async alarmPerformance(_ctx: RequestContext, _query: AlarmKpiQuery): Promise<AlarmKpiReport> {
      throw new Error('not yet');
    },
    async rationalisation(_ctx: RequestContext, _query: AlarmKpiQuery): Promise<RationalisationSheet> {
      throw new Error('not yet');
    },
  };
}

export type KpiService = ReturnType<typeof createKpiService>;
