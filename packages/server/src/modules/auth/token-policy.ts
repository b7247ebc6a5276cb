import type { Permission } from '@aegis/shared';
import { can, type Grant } from '../access/index.js';

/** Does a set of grants cover the permission at this path (null: everywhere)? */
const holds = (grants: readonly Grant[], p: Permission, path: string | null) =>
  can({ grants: [...grants] } as Parameters<typeof can>[0], p, path);

/** What a token may do, as stored: its own permissions at its own nodes, or its owner's full power. */
export interface TokenLimits {
  fullAccess: boolean;
  permissions: Permission[];
  /** The plant nodes the token is limited to, with their current paths; null: no further limit. */
  nodes: Array<{ id: number; path: string }> | null;
}

/**
 * Permissions that change who may do what. A token holding one of them could give itself more,
 * so it only gets them with fullAccess (asked for explicitly, with an audited reason).
 */
export const ACCESS_ADMIN_PERMISSIONS: readonly Permission[] = ['role.write', 'user.write', 'token.manage'];

/** The deeper of two plant paths when one lies within the other; null when they are apart. */
function narrower(a: string | null, b: string | null): { ok: boolean; path: string | null } {
  if (a === null) return { ok: true, path: b };
  if (b === null) return { ok: true, path: a };
  if (b.startsWith(a)) return { ok: true, path: b };
  if (a.startsWith(b)) return { ok: true, path: a };
  return { ok: false, path: null };
}

const nodeIdOf = (path: string | null) => {
  const m = path ? /(\d+)\/$/.exec(path) : null;
  return m ? Number(m[1]) : null;
};

/**
 * The grants a token acts with at the moment of use: its owner's grants as they are now, cut down
 * to the token's permissions and nodes. What the owner loses, the token loses with it.
 */
export function tokenGrants(owner: readonly Grant[], limits: TokenLimits): Grant[] {
  if (limits.fullAccess) return [...owner];
  const out = new Map<string, Grant>();
  for (const g of owner) {
    for (const p of limits.permissions) {
      if (g.permission !== '*' && g.permission !== p) continue;
      for (const node of limits.nodes ?? [null]) {
        const cut = narrower(g.path, node?.path ?? null);
        if (!cut.ok) continue;
        const grant: Grant = { permission: p, nodeId: nodeIdOf(cut.path), path: cut.path };
        out.set(`${p}@${cut.path}`, grant);
      }
    }
  }
  return [...out.values()];
}

/**
 * What is wrong with a token request, checked at creation: each permission at each of the token's
 * nodes must be held by the owner (a token is a subset of its owner) and by whoever issues it (no
 * one mints more than they have); access-administration permissions need fullAccess.
 */
export function tokenRequestProblems(
  req: { fullAccess: boolean; permissions: Permission[] | undefined; reason: string | undefined },
  nodes: Array<{ id: number; path: string }> | null,
  owner: { grants: readonly Grant[] },
  issuer: { grants: readonly Grant[] },
): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  if (req.fullAccess) {
    if (!req.reason || req.reason.length < 5)
      problems.push({
        path: 'reason',
        message: 'a token with full access needs a reason (5 characters or more)',
      });
    if (req.permissions?.length || nodes)
      problems.push({ path: 'fullAccess', message: 'full access takes no permissions or nodes of its own' });
    // Full access follows the owner's grants: the issuer must hold every one of them.
    for (const g of owner.grants) {
      const held =
        g.permission === '*'
          ? issuer.grants.some(
              (i) => i.permission === '*' && (i.path === null || (g.path ?? '').startsWith(i.path)),
            )
          : holds(issuer.grants, g.permission, g.path);
      if (!held) {
        problems.push({
          path: 'fullAccess',
          message: 'the owner holds grants that you do not hold yourself',
        });
        break;
      }
    }
    return problems;
  }
  if (!req.permissions?.length) {
    problems.push({
      path: 'permissions',
      message: 'name the permissions the token may use (or ask for fullAccess with a reason)',
    });
    return problems;
  }
  for (const p of req.permissions) {
    if (ACCESS_ADMIN_PERMISSIONS.includes(p)) {
      problems.push({
        path: 'permissions',
        message: `${p} changes who may do what: only with fullAccess and a reason`,
      });
      continue;
    }
    for (const node of nodes ?? [null]) {
      const where = node ? `at node ${node.id}` : 'anywhere';
      const has = (grants: readonly Grant[]) =>
        node ? holds(grants, p, node.path) : grants.some((g) => g.permission === '*' || g.permission === p);
      if (!has(owner.grants))
        problems.push({ path: 'permissions', message: `the owner does not hold ${p} ${where}` });
      else if (!has(issuer.grants))
        problems.push({ path: 'permissions', message: `you do not hold ${p} ${where}` });
    }
  }
  return problems;
}
