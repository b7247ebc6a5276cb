import type { Services } from '../services.js';

/** Demo: the training matrix, records (some expiring) and derived needs. Skeleton: the owner replaces it. */
export async function seedDemoTraining(_services: Services): Promise<void> {}
