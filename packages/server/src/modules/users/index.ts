export { checkPasswordPolicy, DUMMY_HASH, hashPassword, verifyPassword } from './password.js';
export type { UserRow } from './repo.js';
/** For the notification module: who can be reached, and a person's own contact fields. */
export { activePeople, updateContact } from './repo.js';
export { userRoutes } from './routes.js';
export { createUsersService, type UsersService } from './service.js';
