export { inspectionRoutes } from './routes.js';
export {
  createInspectionService,
  type EvidencePort,
  GENERATE_AHEAD_MS,
  type HazardFromInspection,
  type HazardPort,
  type InspectionService,
  liveFromTags,
} from './service.js';
