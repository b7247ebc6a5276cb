export { screenRoutes } from './routes.js';
export { createScreenService, type ScreenService } from './service.js';
