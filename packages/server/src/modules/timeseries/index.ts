export { timeseriesRoutes } from './routes.js';
export { createTimeseriesService, type TimeseriesService } from './service.js';
