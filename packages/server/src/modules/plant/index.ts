export { buildTree, createPlantService, type PlantService } from './service.js';
export { plantRoutes } from './routes.js';
