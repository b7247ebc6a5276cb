import { z } from 'zod';

// Filled in by the hazard module (issue 8).
export const HazardPlaceholderSchema = z.object({});
