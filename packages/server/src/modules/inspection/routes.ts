import type { App } from '../../http/app.js';
import type { InspectionService } from './service.js';

export async function inspectionRoutes(_app: App, _services: { inspection: InspectionService }) {}
