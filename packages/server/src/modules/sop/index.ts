export { sopRoutes } from './routes.js';
export { createSopService, type SopService } from './service.js';
