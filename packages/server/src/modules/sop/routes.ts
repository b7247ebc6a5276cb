import type { App } from '../../http/app.js';
import type { Services } from '../../services.js';

/** Operating procedures (SOP) and lockout/tagout (LOTO, 上锁挂牌). */
export async function sopRoutes(_app: App, _services: Services) {}
