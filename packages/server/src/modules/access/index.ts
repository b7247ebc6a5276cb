export { AccessDeniedError, type AccessGuard, accessGuard } from './guard.js';
export { type Actor, can, canAnywhere, type Grant, type Scope, scopeOf, scopeParams } from './policy.js';
/** For the notification module: the people a role reaches at a place. */
export { getRole, grantsOf, holdersOfRoleAt } from './repo.js';
export { accessRoutes } from './routes.js';
export { type AccessService, createAccessService } from './service.js';
