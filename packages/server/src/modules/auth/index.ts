export { authRoutes } from './routes.js';
export { type AuthService, createAuthService, TOKEN_PREFIX } from './service.js';
