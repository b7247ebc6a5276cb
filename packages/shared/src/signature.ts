import { z } from 'zod';

/** Electronic signatures (21 CFR Part 11): re-authentication, meaning, binding to a content hash. Contract: owned by the module's author. */
export const SIGNATURE_CONTRACT_VERSION = z.literal(1);
