export { orgRoutes } from './routes.js';
export { createOrgService, type OrgService } from './service.js';
