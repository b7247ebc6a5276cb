import type { Services } from '../services.js';

/** Demo: the control-room big screens and a kiosk token. Skeleton: the owner replaces it. */
export async function seedDemoScreens(_services: Services): Promise<void> {}
