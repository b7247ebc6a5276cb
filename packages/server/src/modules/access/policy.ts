import type { Permission } from '@aegis/shared';

/** A permission held over a subtree of the plant (path prefix), or everywhere (path null). */
export interface Grant {
  permission: Permission | '*';
  nodeId: number | null;
  path: string | null;
}

export interface Actor {
  /** null for the system itself (CLI, start-up tasks). */
  userId: number | null;
  username: string;
  displayName: string;
  kind: 'person' | 'machine';
  grants: Grant[];
  passwordChangeRequired: boolean;
  sessionId?: number;
  tokenId?: number;
  /** A big-screen kiosk (modules/screen): read-only, at its screen's node, ends with its token. */
  kiosk?: { tokenId: number; screenId: number };
}

const covers = (grant: Grant, permission: Permission) =>
  grant.permission === '*' || grant.permission === permission;

/** Does the actor hold the permission anywhere at all? (Route-level check.) */
export function canAnywhere(actor: Actor, permission: Permission): boolean {
  return actor.grants.some((g) => covers(g, permission));
}

/**
 * May the actor use the permission on a record at this plant path? A record with no plant
 * path (a post, a shift, a role) needs the permission everywhere, i.e. an unscoped grant.
 */
export function can(actor: Actor, permission: Permission, path: string | null): boolean {
  return actor.grants.some(
    (g) => covers(g, permission) && (g.path === null || (path !== null && path.startsWith(g.path))),
  );
}

export type Scope = { all: true } | { all: false; paths: string[] };

/** The subtrees where the actor holds the permission; list queries filter with it. */
export function scopeOf(actor: Actor, permission: Permission): Scope {
  const paths: string[] = [];
  for (const g of actor.grants) {
    if (!covers(g, permission)) continue;
    if (g.path === null) return { all: true };
    paths.push(g.path);
  }
  // Drop paths inside other paths: fewer LIKE patterns for the database.
  const minimal = paths.filter((p) => !paths.some((q) => q !== p && p.startsWith(q)));
  return { all: false, paths: [...new Set(minimal)] };
}

/** SQL parameters for `($1::boolean OR path LIKE ANY($2::text[]))`. Paths are digits and slashes only. */
export function scopeParams(scope: Scope): [boolean, string[]] {
  return scope.all ? [true, []] : [false, scope.paths.map((p) => `${p}%`)];
}
