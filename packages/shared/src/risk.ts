import { z } from 'zod';

// Filled in by the risk module (issue 8).
export const RiskPlaceholderSchema = z.object({});
