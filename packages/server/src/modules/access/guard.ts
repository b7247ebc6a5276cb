import { PERMISSIONS, type Permission } from '@aegis/shared';
import type { RequestContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { type Actor, can, type Scope, scopeOf } from './policy.js';

/**
 * A refused access. It is raised inside the service's transaction (which rolls back) and
 * audited by the HTTP error handler afterwards, so the denial is kept while the change is not.
 */
export class AccessDeniedError extends AppError {
  constructor(
    code: 'forbidden' | 'not_found',
    message: string,
    readonly denial: {
      permission: string;
      targetType: string;
      targetId: string | null;
      nodeId: number | null;
    },
  ) {
    super(code, message);
  }
}

export interface Scoped {
  id?: number;
  path: string | null;
}

function actorOf(ctx: RequestContext): Actor {
  if (!ctx.actor) throw new AppError('unauthenticated', 'Sign in first');
  return ctx.actor;
}

/** The read permission of the same domain, e.g. plant.write → plant.read. */
function readPermissionOf(permission: Permission): Permission | null {
  const read = `${permission.split('.')[0]}.read`;
  return read in PERMISSIONS ? (read as Permission) : null;
}

const nodeIdOf = (path: string | null) => {
  const m = path ? /(\d+)\/$/.exec(path) : null;
  return m ? Number(m[1]) : null;
};

export type AccessGuard = typeof accessGuard;

export const accessGuard = {
  scope(ctx: RequestContext, permission: Permission): Scope {
    return scopeOf(actorOf(ctx), permission);
  },

  can(ctx: RequestContext, permission: Permission, path: string | null) {
    return ctx.actor ? can(ctx.actor, permission, path) : false;
  },

  /** The record if it exists and the actor may read it; otherwise 404 (existence is not disclosed). */
  readable<T extends Scoped>(
    ctx: RequestContext,
    permission: Permission,
    record: T | null,
    what: string,
    id?: number,
  ): T {
    const actor = actorOf(ctx);
    if (!record) throw new AppError('not_found', `${what} ${id ?? ''} not found`.replace(/\s+$/, ''));
    if (!can(actor, permission, record.path)) {
      throw new AccessDeniedError('not_found', `${what} ${id ?? record.id ?? ''} not found`.trim(), {
        permission,
        targetType: what.replace(/ /g, '_'),
        targetId: String(id ?? record.id ?? ''),
        nodeId: nodeIdOf(record.path),
      });
    }
    return record;
  },

  /**
   * Requires the permission on the record: 404 when it does not exist or the actor may not
   * even see it, 403 when they may see it but not do this. Both denials are audited.
   */
  async require<T extends Scoped>(
    _tx: unknown,
    ctx: RequestContext,
    permission: Permission,
    record: T | null,
    what: string,
    id?: number,
  ): Promise<T> {
    const actor = actorOf(ctx);
    if (!record) throw new AppError('not_found', `${what} ${id ?? ''} not found`.replace(/\s+$/, ''));
    if (can(actor, permission, record.path)) return record;
    const read = readPermissionOf(permission);
    const visible = read !== null && can(actor, read, record.path);
    const targetId = String(id ?? record.id ?? '');
    const denial = {
      permission,
      targetType: what.replace(/ /g, '_'),
      targetId,
      nodeId: nodeIdOf(record.path),
    };
    throw visible
      ? new AccessDeniedError(
          'forbidden',
          `You may not ${permission} on ${what} ${targetId}: it is outside your scope`,
          denial,
        )
      : new AccessDeniedError('not_found', `${what} ${targetId} not found`, denial);
  },

  /** Records that belong to no plant node (posts, shifts, roles) need the permission everywhere. */
  async requireGlobal(_tx: unknown, ctx: RequestContext, permission: Permission, what: string) {
    const actor = actorOf(ctx);
    if (can(actor, permission, null)) return;
    throw new AccessDeniedError(
      'forbidden',
      `You may not ${permission} on ${what}: it needs an enterprise-wide grant`,
      {
        permission,
        targetType: what,
        targetId: null,
        nodeId: null,
      },
    );
  },
};
