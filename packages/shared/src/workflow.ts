import { z } from 'zod';

/**
 * One step in the history of a workflow record (hidden danger, inspection task, permit): who
 * moved it from which state to which, when and why. Written by the workflow core with the audit
 * entry of the same transaction.
 */
export const WorkflowTransitionSchema = z.object({
  id: z.number().int(),
  action: z.string(),
  fromState: z.string().nullable(),
  toState: z.string(),
  /** id null: the system (a timer, the scheduler) */
  actor: z.object({ id: z.number().int().nullable(), name: z.string() }),
  at: z.string(),
  reason: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});
export type WorkflowTransition = z.infer<typeof WorkflowTransitionSchema>;
