import { z } from 'zod';

/** Emergency plans (应急预案) as executable checklists, and drills. Contract: owned by the module's author. */
export const EMERGENCY_CONTRACT_VERSION = z.literal(1);
