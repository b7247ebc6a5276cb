export { inspectionRoutes } from './routes.js';
export { createInspectionService, type InspectionService } from './service.js';
