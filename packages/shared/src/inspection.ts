import { z } from 'zod';

// Filled in by the inspection module (issue 8).
export const InspectionPlaceholderSchema = z.object({});
