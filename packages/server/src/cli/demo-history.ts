import type { Services } from '../services.js';

/** Demo: a few weeks of alarm, inspection and hazard history (backdated), so KPIs, shift analysis, reports and the big screen show something on first start. Skeleton: the owner replaces it. */
export async function seedDemoHistory(_services: Services): Promise<void> {}
