import type { ErrorBody } from '@aegis/shared';
import { type QueryKey, useMutation, useQueryClient } from '@tanstack/react-query';

/** Every failed API call becomes one of these, carrying the server's stable error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Query = Record<string, string | number | boolean | null | undefined>;

/** `?a=1&b=x` from the defined, non-empty values only. */
export function queryString(params: Query): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  }
  const s = qs.toString();
  return s ? `?${s}` : '';
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  // Only send a JSON content type with a body: Fastify refuses an empty JSON body.
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'network', (e as Error).message || 'Network error');
  }
  const isJson = (res.headers.get('content-type') ?? '').includes('json');
  const payload: unknown = isJson ? await res.json().catch(() => null) : await res.text();
  if (!res.ok) {
    const err = (payload as Partial<ErrorBody> | null)?.error;
    throw new ApiError(
      res.status,
      err?.code ?? `http_${res.status}`,
      err?.message ?? res.statusText,
      err?.details,
      err?.requestId,
    );
  }
  return payload as T;
}

export const http = {
  get: <T>(path: string, params: Query = {}) => request<T>('GET', `${path}${queryString(params)}`),
  post: <T>(path: string, body: unknown = {}) => request<T>('POST', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  del: <T>(path: string, body?: unknown) => request<T>('DELETE', path, body),
};

/**
 * A mutation that says which cached data it makes stale, by query-key prefix (Grafana's
 * "invalidatesTags"). Every write is audited, so the audit log is always invalidated too.
 */
export function useApiMutation<TVars, TResult = unknown>(
  mutationFn: (vars: TVars) => Promise<TResult>,
  invalidates: QueryKey[],
  opts: { silent?: boolean } = {},
) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn,
    meta: { silent: opts.silent },
    onSuccess: async () => {
      await Promise.all([...invalidates, ['audit']].map((queryKey) => qc.invalidateQueries({ queryKey })));
    },
  });
}
