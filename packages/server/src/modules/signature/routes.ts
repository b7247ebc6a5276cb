import type { App } from '../../http/app.js';
import type { Services } from '../../services.js';

/** Electronic signatures (21 CFR Part 11): re-authentication, meaning, binding to a content hash. */
export async function signatureRoutes(_app: App, _services: Services) {}
