import { z } from 'zod';

/** Operating procedures (SOP) and lockout/tagout (LOTO, 上锁挂牌). Contract: owned by the module's author. */
export const SOP_CONTRACT_VERSION = z.literal(1);
