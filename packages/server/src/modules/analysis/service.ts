import type {
  AnalysisTrend,
  AnalysisTrendQuerySchema,
  ShiftAnalysisQuerySchema,
  ShiftAnalysisResult,
} from '@aegis/shared';
import type { z } from 'zod';
import type { Clock } from '../../clock.js';
import type { RequestContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { AppError } from '../../errors.js';
import type { AccessGuard } from '../access/guard.js';
import type { PlantService } from '../plant/index.js';

export type CompareQuery = z.output<typeof ShiftAnalysisQuerySchema>;
export type TrendQuery = z.output<typeof AnalysisTrendQuerySchema>;

/** Trend and shift analysis with a statistical test (in progress: the contract is stable). */
export function createAnalysisService(deps: {
  db: Db;
  guard: AccessGuard;
  clock: Clock;
  /** the plant's time zone (config.timezone), in which shifts, days, weekdays and months are read */
  timezone: string;
  plant: Pick<PlantService, 'byId'>;
  org: unknown;
}) {
  void deps;
  return {
    /** Rates per group of `dimension` with the test (rate ratio for two groups, chi-square for more). */
    async compare(_ctx: RequestContext, _q: CompareQuery): Promise<ShiftAnalysisResult> {
      throw new AppError('internal', 'not built yet');
    },
    /** The same measure per day/week/month and group, for the chart. */
    async trend(_ctx: RequestContext, _q: TrendQuery): Promise<AnalysisTrend> {
      throw new AppError('internal', 'not built yet');
    },
  };
}

export type AnalysisService = ReturnType<typeof createAnalysisService>;
