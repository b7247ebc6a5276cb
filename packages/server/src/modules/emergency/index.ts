export { emergencyRoutes } from './routes.js';
export { createEmergencyService, type EmergencyService } from './service.js';
