export { alarmRoutes } from './routes.js';
export { deleteTagAlarms } from './rule-records.js';
export {
  type AlarmPoint,
  type AlarmService,
  createAlarmService,
  type InterlockWriter,
  type PlacedEvent,
  type PlacedFlood,
} from './service.js';
