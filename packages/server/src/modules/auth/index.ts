export { type AuthService, createAuthService, TOKEN_PREFIX } from './service.js';
export { authRoutes } from './routes.js';
