export { connectorLinkNotices } from './connector-links.js';
export {
  alarmNotifyEvents,
  connectorNotifyEvent,
  floodNotifyEvents,
  interlockNotifyEvent,
} from './events.js';
export type { EventInput as NotifyEventInput } from './repo.js';
export { notifyRoutes } from './routes.js';
export { createNotifyService, type NotifyService, type SecretBox } from './service.js';
