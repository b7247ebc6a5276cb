import type { App } from '../../http/app.js';
import type { Services } from '../../services.js';

/** Training matrix per post, training records with expiry reminders, needs derived from what happened. */
export async function trainingRoutes(_app: App, _services: Services) {}
