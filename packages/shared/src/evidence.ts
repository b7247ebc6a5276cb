import { z } from 'zod';

// Filled in by the evidence module (issue 8).
export const EvidencePlaceholderSchema = z.object({});
