export { createTagDirectory, type Directory } from './directory.js';
export type { StoredTag } from './repo.js';
export { tagRoutes } from './routes.js';
export { createTagService, type TagService } from './service.js';
