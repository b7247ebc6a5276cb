import type { Me, Permission, PlantNode } from '@aegis/shared';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { ApiError, http } from './api';

export const meKey = ['me'] as const;

/** Who is signed in; `null` when nobody is (the API answered 401). */
export const meQuery = queryOptions({
  queryKey: meKey,
  queryFn: async (): Promise<Me | null> => {
    try {
      return await http.get<Me>('/api/auth/me');
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return null;
      throw e;
    }
  },
  staleTime: 5 * 60_000,
});

export function useMe() {
  return useQuery(meQuery);
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
