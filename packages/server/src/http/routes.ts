import { accessRoutes } from '../modules/access/index.js';
import { auditRoutes } from '../modules/audit/index.js';
import { authRoutes } from '../modules/auth/index.js';
import { orgRoutes } from '../modules/org/index.js';
import { plantRoutes } from '../modules/plant/index.js';
import { userRoutes } from '../modules/users/index.js';
import type { Services } from '../services.js';
import type { App } from './app.js';

/** Every module's routes, registered explicitly in one list. */
export async function registerRoutes(app: App, services: Services) {
  await authRoutes(app, services);
  await plantRoutes(app, services);
  await orgRoutes(app, services);
  await userRoutes(app, services);
  await accessRoutes(app, services);
  await auditRoutes(app, services);
}
