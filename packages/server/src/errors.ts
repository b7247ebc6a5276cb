import type { ErrorCode } from '@aegis/shared';

const STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  reason_required: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  account_locked: 423,
  account_disabled: 403,
  password_policy: 400,
  password_change_required: 403,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  payload_too_large: 413,
  unsupported_media_type: 415,
  cross_origin: 403,
  uri_too_long: 414,
  headers_too_large: 431,
  transition_refused: 409,
  separation_of_duties: 403,
  sync_conflict: 409,
  evidence_refused: 422,
  reauthentication_failed: 403,
  locked_out: 409,
  permit_conflict: 409,
  gas_analysis_invalid: 409,
  retention_hold: 409,
  insufficient_storage: 507,
  internal: 500,
};

/** The one error type: a stable code, its HTTP status and a message a user can act on. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = STATUS[code];
  }
}

export const notFound = (what: string, id?: string | number) =>
  new AppError('not_found', id === undefined ? `${what} not found` : `${what} ${id} not found`);
export const conflict = (message: string, details?: unknown) => new AppError('conflict', message, details);
export const invalid = (message: string, details?: unknown) =>
  new AppError('validation_failed', message, details);
export const forbidden = (message = 'You do not have permission to do this here') =>
  new AppError('forbidden', message);
