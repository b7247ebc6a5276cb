import type { MatrixQuerySchema, MatrixSchema, NeedListSchema, NeedsQuerySchema } from '@aegis/shared';
import type { z } from 'zod';
import type { RequestContext } from '../../context.js';

/** Training matrix, records, expiry reminders, derived needs. Contract: the methods below stay. */
export function createTrainingService(_deps: Record<string, unknown>) {
  return {
    /** The matrix per post: people holding it × required/recommended courses, valid/expiring/expired/missing. */
    async matrix(
      _ctx: RequestContext,
      _q: z.input<typeof MatrixQuerySchema>,
    ): Promise<z.output<typeof MatrixSchema>> {
      return { today: '', posts: [] };
    },
    /** Suggested trainings with the evidence behind each (missing/expired courses, skips, missed inspections, refusals, hazards). */
    async needs(
      _ctx: RequestContext,
      _q: z.input<typeof NeedsQuerySchema>,
    ): Promise<z.output<typeof NeedListSchema>> {
      return { from: '', to: '', items: [] };
    },
    /** Reminders for training records about to expire or expired (hourly; once per record and stage). */
    async remindExpiring(): Promise<void> {},
  };
}

export type TrainingService = ReturnType<typeof createTrainingService>;
