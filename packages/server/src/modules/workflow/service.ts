import type { Db } from '../../db/index.js';

/** Placeholder: filled in by the workflow module (issue 8). */
export function createWorkflowService(_deps: { db: Db }) {
  return {};
}

export type WorkflowService = ReturnType<typeof createWorkflowService>;
