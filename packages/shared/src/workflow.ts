import { z } from 'zod';

// Filled in by the workflow module (issue 8).
export const WorkflowPlaceholderSchema = z.object({});
