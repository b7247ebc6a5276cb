import type { Services } from '../services.js';

/** Demo: report schedules and a few archived reports. Skeleton: the owner replaces it. */
export async function seedDemoReports(_services: Services): Promise<void> {}
