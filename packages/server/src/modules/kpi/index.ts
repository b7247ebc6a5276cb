export { kpiRoutes } from './routes.js';
export { createKpiService, type KpiService } from './service.js';
