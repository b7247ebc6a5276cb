import { z } from 'zod';
import { IdSchema } from './common.js';

/*
 * Electronic signatures (21 CFR Part 11): a signature is a re-authenticated act of a named person with
 * a stated meaning (11.50), bound to the content it signs by a hash and to its record by a MAC (11.70)
 * so it cannot be copied to another record. Signing happens through the owner modules' action routes
 * (e.g. POST /api/permits/:id/approve), whose body embeds `signature: SignInputSchema`.
 *
 * Routes (under /api/signatures):
 *   GET /:id/image   the owner module's readable() decides   → image/png (the drawn signature)
 *                    (404 not_found when there is no image or the reader may not see the record)
 *
 * Server API (packages/server/src/modules/signature, `services.signatures`):
 *   reauthenticate(ctx, input: SignInput): Promise<SignProof>        — OUTSIDE any transaction
 *   sign(tx, ctx, proof, { recordKind, recordId, meaning, content, nodeId? }): Promise<Signature>
 *   verify(db, recordKind, recordId, contentOf): Promise<Signature[]>
 *   list(db, recordKind, recordId): Promise<Signature[]>  (status from the MAC only)
 *   registerOwner(recordKind, { readable(ctx, recordId, db): Promise<boolean> })
 *   image(db, id): Promise<Buffer | null>   (no access check: for PDFs)
 */

export const SIGNATURE_MEANINGS = [
  'apply',
  'analyze',
  'brief',
  'brief_receive',
  'watch',
  'approve',
  'check',
  'accept',
  'confirm',
  'resume',
  'stop',
  'verify',
  'release',
] as const;
export const SignatureMeaningSchema = z.enum(SIGNATURE_MEANINGS);
export type SignatureMeaning = z.infer<typeof SignatureMeaningSchema>;

export const SIGNATURE_MEANING_LABELS: Record<SignatureMeaning, { zh: string; en: string }> = {
  apply: { zh: '申请', en: 'Applied' },
  analyze: { zh: '分析', en: 'Analysed' },
  brief: { zh: '交底', en: 'Briefed' },
  brief_receive: { zh: '接受交底', en: 'Briefing received' },
  watch: { zh: '监护', en: 'Watching' },
  approve: { zh: '审批', en: 'Approved' },
  check: { zh: '验票', en: 'Checked on site' },
  accept: { zh: '验收', en: 'Accepted at completion' },
  confirm: { zh: '确认', en: 'Confirmed' },
  resume: { zh: '恢复作业', en: 'Resumed' },
  stop: { zh: '停止作业', en: 'Stopped' },
  verify: { zh: '核验', en: 'Verified' },
  release: { zh: '解除', en: 'Released' },
};

/** Largest drawn signature accepted, decoded bytes (the data URL is limited to 400 000 characters). */
export const SIGNATURE_IMAGE_MAX_BYTES = 300 * 1024;
/** Largest size the web pad exports (it downscales to fit). */
export const SIGNATURE_IMAGE_MAX_WIDTH = 600;
export const SIGNATURE_IMAGE_MAX_HEIGHT = 200;

/** What the signer types (and optionally draws) — every signing route body embeds it as `signature`. */
export const SignInputSchema = z.object({
  password: z.string().min(1, 'Enter your password to sign').max(200),
  /** Second factor (6 digits). Aegis has no MFA yet; accepted and checked once a user has one. */
  otp: z
    .string()
    .regex(/^\d{6}$/, 'The one-time code has 6 digits')
    .optional(),
  /** The drawn signature: data:image/png;base64,… (≤ 300 KB decoded). */
  image: z.string().max(400_000).optional(),
});
export type SignInput = z.infer<typeof SignInputSchema>;

export const SIGNATURE_STATUSES = ['valid', 'changed_after_signing', 'invalid'] as const;
export const SignatureStatusSchema = z.enum(SIGNATURE_STATUSES);
export type SignatureStatus = z.infer<typeof SignatureStatusSchema>;

export const SIGNATURE_STATUS_LABELS: Record<SignatureStatus, { zh: string; en: string }> = {
  valid: { zh: '有效', en: 'Valid' },
  changed_after_signing: { zh: '签字后内容被修改', en: 'Content changed after signing' },
  invalid: { zh: '签名无效（非本记录）', en: 'Invalid signature (not this record)' },
};

export const SignatureAuthMethodSchema = z.enum(['password', 'password+otp']);
export type SignatureAuthMethod = z.infer<typeof SignatureAuthMethodSchema>;

export const SignatureSchema = z.object({
  id: IdSchema,
  recordKind: z.string(),
  recordId: IdSchema,
  meaning: SignatureMeaningSchema,
  signerId: IdSchema,
  /** The signer's display name at the time of signing (11.50 a.1). */
  printedName: z.string(),
  username: z.string(),
  /** Server time of the signature, ISO 8601 UTC. */
  signedAt: z.string(),
  /** Hex SHA-256 of the canonical JSON of the signed content. */
  contentHash: z.string(),
  authMethod: SignatureAuthMethodSchema,
  hasImage: z.boolean(),
  status: SignatureStatusSchema,
  /** Why the status is not 'valid', in words (optional). */
  statusText: z.string().optional(),
});
export type Signature = z.infer<typeof SignatureSchema>;

/**
 * Canonical JSON: object keys sorted (by UTF-16 code units), no whitespace, `undefined` members
 * dropped (as JSON.stringify does), Dates as ISO strings. Numbers must be finite; functions, symbols,
 * bigints, Maps, Sets and byte arrays are refused, so that content is never hashed differently from
 * what it says by accident.
 */
export function canonicalJson(value: unknown): string {
  return canon(value, 'content');
}

function canon(value: unknown, where: string): string {
  if (value === null) return 'null';
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError(`canonicalJson: invalid date at ${where}`);
    return JSON.stringify(value.toISOString());
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number at ${where}`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((v, i) => (v === undefined ? 'null' : canon(v, `${where}[${i}]`))).join(',')}]`;
      }
      // a Map, Set or byte array would hash as {} or as indices: refused rather than silently wrong
      if (value instanceof Map || value instanceof Set || ArrayBuffer.isView(value))
        throw new TypeError(`canonicalJson: cannot encode a ${value.constructor.name} at ${where}`);
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canon(obj[k], `${where}.${k}`)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonicalJson: cannot encode ${typeof value} at ${where}`);
  }
}
