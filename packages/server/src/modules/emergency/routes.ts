import type { App } from '../../http/app.js';
import type { Services } from '../../services.js';

/** Emergency plans (应急预案) as executable checklists, and drills. */
export async function emergencyRoutes(_app: App, _services: Services) {}
