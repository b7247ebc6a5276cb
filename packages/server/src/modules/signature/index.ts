export { signatureRoutes } from './routes.js';
export { createSignatureService, type SignatureService } from './service.js';
