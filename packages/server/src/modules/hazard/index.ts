export { type HazardFacts, hazardMachine } from './machine.js';
export { hazardRoutes } from './routes.js';
export { createHazardService, type HazardService } from './service.js';
