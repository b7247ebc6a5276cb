import { z } from 'zod';

/** Trend and shift analysis with a statistical test. Contract: owned by the module's author. */
export const ANALYSIS_CONTRACT_VERSION = z.literal(1);
