import type { Actor } from './modules/access/policy.js';

/**
 * Who is acting, for which request, and when. Services take it with every call so that the
 * audit trail and the permission checks see the same identity.
 */
export interface RequestContext {
  actor: Actor | null;
  requestId: string | null;
  ip: string | null;
  /** Set once an audit entry for this request is written, so the HTTP safety net does not add another. */
  audited?: boolean;
}

/** The identity of the command line and start-up tasks (demo seed, bootstrap). */
export function systemContext(name = 'system'): RequestContext {
  return {
    actor: {
      userId: null,
      username: name,
      displayName: name,
      kind: 'machine',
      grants: [{ permission: '*', nodeId: null, path: null }],
      passwordChangeRequired: false,
    },
    requestId: null,
    ip: null,
  };
}
