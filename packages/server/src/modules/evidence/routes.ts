import type { App } from '../../http/app.js';
import type { EvidenceService } from './service.js';

export async function evidenceRoutes(_app: App, _services: { evidence: EvidenceService }) {}
