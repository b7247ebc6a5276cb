import type { App } from '../../http/app.js';
import type { Services } from '../../services.js';

/** Alarm-management KPIs (ISA-18.2 / EEMUA 191) and the rationalisation worksheet. */
export async function kpiRoutes(_app: App, _services: Services) {}
