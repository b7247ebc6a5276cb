/** Plain lookups for other modules (no access check: callers check with the guard). */
export { get as getPlantNode, getByCode as getPlantNodesByCode } from './repo.js';
export { plantRoutes } from './routes.js';
export { buildTree, createPlantService, type PlantService } from './service.js';
