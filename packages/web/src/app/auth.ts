import type { Me, Permission, PlantNode } from '@aegis/shared';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { ApiError, http } from './api';

export const meKey = ['me'] as const;

/** Who is signed in; `null` when nobody is (the API answered 401). */
export const meQuery = queryOptions({
  queryKey: meKey,
  queryFn: async (): Promise<Me | null> => {
    try {
      return rememberMe(await http.get<Me>('/api/auth/me'));
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return rememberMe(null);
      // Offline (the phone pages open from the service worker's shell): the last answer stands in
      // until the network is back; the server still decides on every request.
      if (e instanceof ApiError && e.status === 0) return lastMe() ?? Promise.reject(e);
      throw e;
    }
  },
  staleTime: 5 * 60_000,
});

export function useMe() {
  const me = useQuery(meQuery);
  // signed out (here or in another tab): the offline copy goes too
  useEffect(() => {
    if (me.data === null) rememberMe(null);
  }, [me.data]);
  return me;
}

const ME_COPY = 'aegis.me';

function rememberMe<T extends Me | null>(me: T): T {
  try {
    if (me) localStorage.setItem(ME_COPY, JSON.stringify(me));
    else localStorage.removeItem(ME_COPY);
  } catch {
    // private mode: no offline copy
  }
  return me;
}

function lastMe(): Me | null {
  try {
    const copy = localStorage.getItem(ME_COPY);
    return copy ? (JSON.parse(copy) as Me) : null;
  } catch {
    return null;
  }
}

/** Does the user hold the permission anywhere? Decides what the menu shows; the server decides the rest. */
export function canAnywhere(me: Me | null | undefined, permission: Permission): boolean {
  return !!me?.grants.some((g) => g.permission === permission || g.permission === '*');
}

/** Ids on a node's path "/1/4/9/", itself included. */
export function pathIds(path: string): number[] {
  return path.split('/').filter(Boolean).map(Number);
}

/** Does the user hold the permission over this plant node (a grant at it, above it, or everywhere)? */
export function canAt(
  me: Me | null | undefined,
  permission: Permission,
  node: Pick<PlantNode, 'path'>,
): boolean {
  const ids = pathIds(node.path);
  return !!me?.grants.some(
    (g) =>
      (g.permission === permission || g.permission === '*') && (g.nodeId === null || ids.includes(g.nodeId)),
  );
}

/** Does the user hold the permission enterprise-wide (needed for records without a plant node)? */
export function canGlobally(me: Me | null | undefined, permission: Permission): boolean {
  return !!me?.grants.some((g) => (g.permission === permission || g.permission === '*') && g.nodeId === null);
}
