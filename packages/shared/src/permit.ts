import { z } from 'zod';

/** Hazardous-work permits (作业票, GB 30871-2022). Contract: owned by the module's author. */
export const PERMIT_CONTRACT_VERSION = z.literal(1);
