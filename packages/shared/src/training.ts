import { z } from 'zod';

/** Training matrix per post, training records, needs derived from what happened. Contract: owned by the module's author. */
export const TRAINING_CONTRACT_VERSION = z.literal(1);
