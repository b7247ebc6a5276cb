export { reportRoutes } from './routes.js';
export { createReportService, type ReportService } from './service.js';
