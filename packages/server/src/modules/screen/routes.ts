import type { App } from '../../http/app.js';
import type { Services } from '../../services.js';

/** Control-room big screens (大屏): layouts, widgets, kiosk tokens. */
export async function screenRoutes(_app: App, _services: Services) {}
