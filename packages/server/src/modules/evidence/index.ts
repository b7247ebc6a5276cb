export { evidenceRoutes } from './routes.js';
export { createEvidenceService, type EvidenceService } from './service.js';
