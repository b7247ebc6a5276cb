export { checkPasswordPolicy, DUMMY_HASH, hashPassword, verifyPassword } from './password.js';
export type { UserRow } from './repo.js';
export { userRoutes } from './routes.js';
export { createUsersService, type UsersService } from './service.js';
