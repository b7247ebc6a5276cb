export { createIngestPipeline, type IngestPipeline, type IngestStats } from './pipeline.js';
export { ingestRoutes } from './routes.js';
export type * from './types.js';
