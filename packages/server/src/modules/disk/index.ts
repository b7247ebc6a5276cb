export { type DiskThresholds, HYSTERESIS_POINTS, nextLevel } from './levels.js';
export { isDiskFull, refuseWhen } from './refuse.js';
export { diskRoutes } from './routes.js';
export { createDiskWatch, type DiskChange, type DiskWatch, diskNotifyEvent, type Statfs } from './watch.js';
