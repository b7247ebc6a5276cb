export { riskRoutes } from './routes.js';
export { createRiskService, type RiskService } from './service.js';
