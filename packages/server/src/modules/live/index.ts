export { createLiveHub, type LiveHub, type LiveSocket } from './hub.js';
export { liveRoutes } from './routes.js';
