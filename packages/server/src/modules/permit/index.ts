export { permitRoutes } from './routes.js';
export { createPermitService, type PermitService } from './service.js';
