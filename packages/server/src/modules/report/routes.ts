import type { App } from '../../http/app.js';
import type { Services } from '../../services.js';

/** Compliance reports (PDF/XLSX): on demand with progress, on schedules by e-mail, archived with a hash. */
export async function reportRoutes(_app: App, _services: Services) {}
