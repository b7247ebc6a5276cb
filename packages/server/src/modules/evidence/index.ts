export { CAPTURE_TOLERANCE_MS, NEAR_DUPLICATE_MAX_DISTANCE } from './checks.js';
export { evidenceRoutes } from './routes.js';
export {
  createEvidenceService,
  type EvidenceOwner,
  type EvidenceService,
  type StoreInput as EvidenceStoreInput,
} from './service.js';
