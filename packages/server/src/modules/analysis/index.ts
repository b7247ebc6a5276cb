export { analysisRoutes } from './routes.js';
export { type AnalysisService, createAnalysisService } from './service.js';
