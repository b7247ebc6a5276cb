import type { App } from '../../http/app.js';
import type { RiskService } from './service.js';

export async function riskRoutes(_app: App, _services: { risk: RiskService }) {}
