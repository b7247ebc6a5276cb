import type { App } from '../../http/app.js';
import type { HazardService } from './service.js';

export async function hazardRoutes(_app: App, _services: { hazard: HazardService }) {}
