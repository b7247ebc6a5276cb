export { screenRoutes } from './routes.js';
export { createScreenService, KIOSK_PERMISSIONS, type ScreenService } from './service.js';
