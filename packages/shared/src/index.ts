export * from './access.js';
export * from './audit.js';
export * from './auth.js';
export * from './common.js';
export * from './errors.js';
export * from './org.js';
export * from './permissions.js';
export * from './plant.js';
