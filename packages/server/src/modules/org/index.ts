/** Plain lookups for other modules (no access check: callers check with the guard). */
export { getDepartment, getPost, getTeam } from './repo.js';
export { orgRoutes } from './routes.js';
export { createOrgService, type OrgService } from './service.js';
