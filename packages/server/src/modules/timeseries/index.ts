export { decode, encode, QUALITY_CODE, QUALITY_OF } from './codec.js';
export {
  allCurrent,
  type BatchRow,
  type CurrentRow,
  currentOf,
  lastStored,
  removeTag,
  type StorablePoint,
  storeBatch,
} from './repo.js';
export { timeseriesRoutes } from './routes.js';
export { createTimeseriesService, type TimeseriesService } from './service.js';
export { createSwingingDoor, type SwingingDoor, type SwingingDoorSettings } from './swinging-door.js';
