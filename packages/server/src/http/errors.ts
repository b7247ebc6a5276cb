import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError } from '../errors.js';
import { AccessDeniedError } from '../modules/access/index.js';
import type { AuditService } from '../modules/audit/service.js';

interface Problem {
  status: number;
  code: string;
  message: string;
  details?: unknown;
}

/** PostgreSQL errors that bad input can still cause (a race past a service check) map to 4xx. */
function fromDatabase(e: { code?: string; constraint?: string; detail?: string }): Problem | null {
  switch (e.code) {
    case '23505':
      return {
        status: 409,
        code: 'conflict',
        message: 'A record with the same key exists already',
        details: { constraint: e.constraint },
      };
    case '23503':
      return {
        status: 409,
        code: 'conflict',
        message: 'The record refers to, or is referred to by, another record that does not allow this',
        details: { constraint: e.constraint },
      };
    case '23514':
    case '22P02':
    case '22003':
    case '22007':
    case '22008':
    case '22001': // a text longer than its column
    case '22021': // NUL or a byte sequence the database encoding cannot hold
    case '22P05':
    case '54000': // a value too large for its index
      return {
        status: 400,
        code: 'validation_failed',
        message: 'A value is out of range or malformed',
        details: { constraint: e.constraint },
      };
    case '53100': // disk_full (PostgreSQL); ENOSPC: a file write (PGlite, evidence files)
    case 'ENOSPC':
      return {
        status: 507,
        code: 'insufficient_storage',
        message:
          'The server has no disk space left; nothing of this request was stored. An administrator must free disk space (drop old partitions with the retention settings, or add disk)',
      };
    default:
      return null;
  }
}

export function toProblem(err: unknown): Problem {
  if (err instanceof AppError)
    return { status: err.status, code: err.code, message: err.message, details: err.details };
  if (hasZodFastifySchemaValidationErrors(err)) {
    const details = err.validation.map((v) => ({
      path: v.instancePath.replace(/^\//, '').replace(/\//g, '.'),
      message: v.message ?? 'invalid',
      in: err.validationContext,
    }));
    const reasonMissing = details.some((d) => d.path === 'reason');
    return {
      status: 400,
      code: reasonMissing ? 'reason_required' : 'validation_failed',
      message: reasonMissing
        ? 'A reason is required for changes to regulated records'
        : `Invalid ${err.validationContext ?? 'request'}: ${details.map((d) => `${d.path || '(root)'}: ${d.message}`).join('; ')}`,
      details,
    };
  }
  const db = fromDatabase(err as { code?: string });
  if (db) return db;
  const fe = err as FastifyError;
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return { status: 415, code: 'unsupported_media_type', message: 'Send the body as application/json' };
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return { status: 413, code: 'payload_too_large', message: 'The request body is too large' };
  if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return { status: 400, code: 'validation_failed', message: 'The JSON body is empty' };
  if (fe.code === 'FST_ERR_MAX_PARAM_LENGTH' || fe.statusCode === 414)
    return { status: 414, code: 'uri_too_long', message: 'A path parameter or the URL is too long' };
  if (fe.code === 'FST_ERR_BAD_URL')
    return { status: 400, code: 'validation_failed', message: 'The URL is not correctly percent-encoded' };
  if (fe.statusCode === 429)
    return { status: 429, code: 'rate_limited', message: 'Too many requests; wait a minute and try again' };
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return {
      status: fe.statusCode,
      code: fe.statusCode === 404 ? 'not_found' : 'validation_failed',
      message: fe.message,
    };
  }
  return {
    status: 500,
    code: 'internal',
    message: 'Something went wrong on the server; the request id identifies it in the logs',
  };
}

export function errorHandler(audit: AuditService) {
  return async (err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const problem = toProblem(err);
    if (err instanceof AccessDeniedError && req.ctx) {
      // Audited here, after the service transaction rolled back, so the denial is kept.
      await audit
        .record(req.ctx, {
          action: 'access.denied',
          outcome: 'denied',
          targetType: err.denial.targetType,
          targetId: err.denial.targetId,
          nodeId: err.denial.nodeId,
          after: { permission: err.denial.permission, route: `${req.method} ${req.routeOptions.url}` },
        })
        .catch((e) => req.log.error({ err: e }, 'could not audit a denial'));
    }
    if (problem.status >= 500 || isResponseSerializationError(err)) req.log.error({ err }, 'request failed');
    else req.log.info({ code: problem.code, status: problem.status }, problem.message);
    return reply.code(problem.status).send({
      error: {
        code: problem.code,
        message: problem.message,
        ...(problem.details === undefined ? {} : { details: problem.details }),
        requestId: req.id,
      },
    });
  };
}
