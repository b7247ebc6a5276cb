import { z } from 'zod';

/** Alarm-management KPIs (ISA-18.2 / EEMUA 191) and the rationalisation worksheet. Contract: owned by the module's author. */
export const KPI_CONTRACT_VERSION = z.literal(1);
