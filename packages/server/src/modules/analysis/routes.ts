import type { App } from '../../http/app.js';
import type { Services } from '../../services.js';

/** Trend and shift analysis with a statistical test. */
export async function analysisRoutes(_app: App, _services: Services) {}
