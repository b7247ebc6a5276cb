import type { App } from '../../http/app.js';
import type { Services } from '../../services.js';

/** Hazardous-work permits (作业票, GB 30871-2022). */
export async function permitRoutes(_app: App, _services: Services) {}
