export { canonicalJson, contentHash } from './hash.js';
export { signatureRoutes } from './routes.js';
export {
  createSignatureService,
  PROOF_TTL_MS,
  type Signature,
  type SignatureOwner,
  type SignatureService,
  type SignProof,
  type SignRequest,
} from './service.js';
