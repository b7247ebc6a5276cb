import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from './api';
import { meKey } from './auth';
import { notifyError } from './notify';

declare module '@tanstack/react-query' {
  interface Register {
    /** silent: the component shows the error itself (e.g. the login form), so no global message. */
    queryMeta: { silent?: boolean };
    mutationMeta: { silent?: boolean };
  }
}

export function createQueryClient(): QueryClient {
  const qc: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError: (e, query) => handle(e, query.meta?.silent) }),
    mutationCache: new MutationCache({ onError: (e, _v, _c, mutation) => handle(e, mutation.meta?.silent) }),
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        // 4xx answers do not get better by asking again.
        retry: (count, e) => !(e instanceof ApiError && e.status >= 400 && e.status < 500) && count < 2,
      },
    },
  });

  function handle(e: unknown, silent: boolean | undefined) {
    if (e instanceof ApiError && e.code === 'unauthenticated') {
      // The session ended (expired, revoked, signed out elsewhere): the auth guard shows the login page.
      qc.setQueryData(meKey, null);
      return;
    }
    if (e instanceof ApiError && e.code === 'password_change_required') {
      void qc.invalidateQueries({ queryKey: meKey });
      return;
    }
    if (!silent) notifyError(e);
  }
  return qc;
}
