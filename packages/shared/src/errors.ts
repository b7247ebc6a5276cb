import { z } from 'zod';

/** Stable error codes. The web UI maps each to an i18n key `error.<code>`. */
export const ERROR_CODES = [
  'validation_failed',
  'reason_required',
  'unauthenticated',
  'invalid_credentials',
  'account_locked',
  'account_disabled',
  'password_policy',
  'password_change_required',
  'forbidden',
  'not_found',
  'conflict',
  'rate_limited',
  'payload_too_large',
  'unsupported_media_type',
  /** A state-changing request or a WebSocket upgrade from another site (CSRF). */
  'cross_origin',
  'uri_too_long',
  'headers_too_large',
  /** A workflow action not allowed from the record's state or refused by its condition. */
  'transition_refused',
  /** The same person may not do both steps (e.g. rectify and verify a hazard). */
  'separation_of_duties',
  /** An offline change made on a record that changed on the server meanwhile. */
  'sync_conflict',
  /** Evidence (a photo, a QR scan) that the checks refuse. */
  'evidence_refused',
  /** Signing needs the signer's password (and second factor) again; it was wrong. */
  'reauthentication_failed',
  /** Equipment under lockout (LOTO): a start command or a change is refused while a lock is applied. */
  'locked_out',
  /** Work permits that may not overlap (e.g. hot work where a line is being broken). */
  'permit_conflict',
  /** A gas analysis missing, too old or failed where a permit needs a valid one. */
  'gas_analysis_invalid',
  /** A record kept by a retention rule (e.g. permits ≥ 1 year) cannot be deleted yet. */
  'retention_hold',
  /** The disk Aegis stores on is (nearly) full: new values are refused until space is freed. */
  'insufficient_storage',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
    requestId: z.string().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
