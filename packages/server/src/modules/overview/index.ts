export { overviewRoutes } from './routes.js';
export { createOverviewService, type OverviewService } from './service.js';
