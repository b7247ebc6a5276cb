export { permitPeopleRoute } from './people.js';
export { permitRoutes } from './routes.js';
export { createPermitService, type PermitService } from './service.js';
