import { ErrorBodySchema } from '@aegis/shared';

/** Error responses a route documents in OpenAPI; the body is the same for every code. */
export const errorResponses = {
  400: ErrorBodySchema,
  401: ErrorBodySchema,
  403: ErrorBodySchema,
  404: ErrorBodySchema,
  409: ErrorBodySchema,
};
