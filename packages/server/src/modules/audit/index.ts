export { type AnchorRecord, anchorSettings } from './anchor.js';
export { canonicalJson, chainHash } from './chain.js';
export { auditRoutes } from './routes.js';
export { type AuditInput, type AuditService, createAuditService, csvHeader, csvRow } from './service.js';
