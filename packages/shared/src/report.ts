import { z } from 'zod';

/** Compliance reports (PDF/XLSX): on demand with progress, on schedules by e-mail, archived. Contract: owned by the module's author. */
export const REPORT_CONTRACT_VERSION = z.literal(1);
