export { hazardRoutes } from './routes.js';
export { createHazardService, type HazardService } from './service.js';
