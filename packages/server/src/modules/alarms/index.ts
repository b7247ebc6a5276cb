export { alarmRoutes } from './routes.js';
export { type AlarmService, createAlarmService, type InterlockWriter, type PlacedEvent } from './service.js';
