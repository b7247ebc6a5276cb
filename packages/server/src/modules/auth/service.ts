import { createHash, randomBytes } from 'node:crypto';
import type { CreateApiTokenSchema, Me, Permission } from '@aegis/shared';
import type { z } from 'zod';
import type { Bus } from '../../bus.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { RequestContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { AppError, invalid } from '../../errors.js';
import { type AccessService, type Actor, accessGuard } from '../access/index.js';
import type { AuditService } from '../audit/service.js';
import { DUMMY_HASH, hashPassword, type UsersService, verifyPassword } from '../users/index.js';
import * as repo from './repo.js';
import { tokenGrants, tokenRequestProblems } from './token-policy.js';

export type AuthService = ReturnType<typeof createAuthService>;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
export const TOKEN_PREFIX = 'aegis_pat_';

export function createAuthService(deps: {
  db: Db;
  audit: AuditService;
  clock: Clock;
  users: UsersService;
  access: AccessService;
  config: Pick<Config, 'sessionTtlHours' | 'sessionIdleMinutes' | 'lockoutMaxAttempts' | 'lockoutMinutes'>;
  bus?: Bus;
}) {
  const { db, audit, clock, users, access, config, bus } = deps;

  async function me(actor: Actor): Promise<Me> {
    const user = await users.byId(actor.userId!);
    const roles = await access.rolesOf(actor.userId!);
    return {
      id: actor.userId!,
      username: actor.username,
      displayName: actor.displayName,
      locale: user?.locale ?? 'zh-CN',
      kind: actor.kind,
      roles: roles.map((r) => ({ role: r.role, nodeId: r.node_id })),
      grants: actor.grants.map((g) => ({ permission: g.permission, nodeId: g.nodeId })),
      passwordChangeRequired: actor.passwordChangeRequired,
    };
  }

  return {
    me,

    /**
     * Password sign-in. Consecutive failures lock the account for a while; the lockout and every
     * failure are audited. Unknown users cost the same time as known ones.
     */
    async login(
      ctx: RequestContext,
      input: { username: string; password: string; userAgent: string | null },
    ): Promise<{ token: string; actor: Actor; expiresAt: Date }> {
      const now = clock.now();
      const user = await users.byUsername(input.username);
      const ok = await verifyPassword(input.password, user?.password_hash ?? DUMMY_HASH);
      // Unknown, locked and wrong-password sign-ins get the same answer (status, code, message) and
      // cost the same hash, so the answer never tells whether an account exists or is locked.
      const refused = new AppError(
        'invalid_credentials',
        `Wrong username or password (after ${config.lockoutMaxAttempts} failed attempts an account is locked for ${config.lockoutMinutes} minutes)`,
      );
      const fail = async (code: 'invalid_credentials' | 'account_disabled', detail: string) => {
        await audit.record(ctx, {
          action: 'auth.login',
          outcome: 'failure',
          actorName: input.username,
          targetType: 'user',
          targetId: user?.id ?? null,
          after: { reason: detail },
        });
        return code === 'account_disabled' ? new AppError(code, 'This account is disabled') : refused;
      };
      if (!user) throw await fail('invalid_credentials', 'unknown user');
      if (user.locked_until && user.locked_until > now) throw await fail('invalid_credentials', 'locked');
      if (!ok) {
        const attempts = user.failed_attempts + 1;
        if (attempts >= config.lockoutMaxAttempts) {
          const until = new Date(now.getTime() + config.lockoutMinutes * 60_000);
          await db.transaction(async (tx) => {
            await users.recordFailedLogin(tx, user.id, until);
            await audit.append(tx, ctx, {
              action: 'auth.lockout',
              outcome: 'failure',
              actorName: input.username,
              targetType: 'user',
              targetId: user.id,
              nodeId: user.home_node_id,
              after: { lockedUntil: until.toISOString(), failedAttempts: attempts },
            });
          });
          throw refused;
        }
        await users.recordFailedLogin(db, user.id, null);
        throw await fail('invalid_credentials', `wrong password (${attempts}/${config.lockoutMaxAttempts})`);
      }
      if (!user.active) throw await fail('account_disabled', 'disabled');
      if (user.kind === 'machine')
        throw await fail('invalid_credentials', 'machine accounts sign in with API tokens');

      const token = randomBytes(32).toString('base64url');
      const expiresAt = new Date(now.getTime() + config.sessionTtlHours * 3_600_000);
      const session = await db.transaction(async (tx) => {
        const s = await repo.insertSession(tx, {
          userId: user.id,
          tokenHash: sha256(token),
          now,
          expiresAt,
          ip: ctx.ip,
          userAgent: input.userAgent,
        });
        await users.recordLogin(tx, user.id, now);
        await audit.append(
          tx,
          { ...ctx, actor: null },
          {
            action: 'auth.login',
            actorName: user.username,
            targetType: 'user',
            targetId: user.id,
            after: { sessionId: s.id },
          },
        );
        // The entry went in under a copy of the context (no actor yet): mark the request itself,
        // or the audit safety net would add a second, anonymous entry for the sign-in.
        ctx.audited = true;
        return s;
      });
      const actor = await access.loadActor(user.id, { sessionId: session.id });
      return { token, actor: actor!, expiresAt };
    },

    /** Resolves a session cookie to its actor; idle or expired sessions end here. */
    async authenticateSession(token: string): Promise<Actor | null> {
      const session = await repo.sessionByHash(db, sha256(token));
      const now = clock.now();
      if (!session || session.revoked_at || session.expires_at <= now) return null;
      if (now.getTime() - session.last_seen_at.getTime() > config.sessionIdleMinutes * 60_000) return null;
      // Write last-seen at most once a minute: a busy UI would otherwise write on every request.
      if (now.getTime() - session.last_seen_at.getTime() > 60_000)
        await repo.touchSession(db, session.id, now);
      return access.loadActor(session.user_id, { sessionId: session.id });
    },

    async authenticateToken(token: string): Promise<Actor | null> {
      if (!token.startsWith(TOKEN_PREFIX)) return null;
      const row = await repo.tokenByHash(db, sha256(token));
      const now = clock.now();
      if (!row || row.revoked_at || (row.expires_at && row.expires_at <= now)) return null;
      if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > 60_000)
        await repo.touchToken(db, row.id, now);
      const owner = await access.loadActor(row.user_id, { tokenId: row.id });
      if (!owner) return null;
      // The owner's grants as they are now, cut down to the token's own permissions and nodes.
      return {
        ...owner,
        grants: tokenGrants(owner.grants, {
          fullAccess: row.full_access,
          permissions: row.permissions as Permission[],
          nodes: row.node_ids ? row.node_paths : null,
        }),
      };
    },

    async logout(ctx: RequestContext) {
      const sessionId = ctx.actor?.sessionId;
      if (!sessionId) return;
      await db.transaction(async (tx) => {
        await repo.revokeSession(tx, sessionId, clock.now());
        await audit.append(tx, ctx, { action: 'auth.logout', targetType: 'session', targetId: sessionId });
      });
      bus?.emit('auth.revoked', { sessionId });
    },

    async sessions(ctx: RequestContext, userId: number) {
      if (userId !== ctx.actor?.userId) await users.get(ctx, userId);
      const rows = await repo.activeSessionsOf(db, userId, clock.now());
      return rows.map((s) => ({
        id: s.id,
        userId: s.user_id,
        createdAt: s.created_at.toISOString(),
        lastSeenAt: s.last_seen_at.toISOString(),
        expiresAt: s.expires_at.toISOString(),
        ip: s.ip,
        userAgent: s.user_agent,
        current: s.id === ctx.actor?.sessionId,
      }));
    },

    /** Ends a session: one's own, or anyone's in scope for a user administrator. */
    async revokeSession(ctx: RequestContext, sessionId: number) {
      const session = await repo.getSession(db, sessionId);
      if (!session) throw new AppError('not_found', `Session ${sessionId} not found`);
      if (session.user_id !== ctx.actor?.userId) {
        const row = await users.byId(session.user_id);
        const target = row ? users.present(row) : null;
        await accessGuard.require(db, ctx, 'user.write', target, 'user', session.user_id);
      }
      await db.transaction(async (tx) => {
        await repo.revokeSession(tx, sessionId, clock.now());
        await audit.append(tx, ctx, {
          action: 'auth.session.revoke',
          targetType: 'session',
          targetId: sessionId,
          after: { userId: session.user_id },
        });
      });
      bus?.emit('auth.revoked', { sessionId });
    },

    async changePassword(ctx: RequestContext, current: string, next: string) {
      const userId = ctx.actor?.userId;
      if (!userId) throw new AppError('unauthenticated', 'Sign in first');
      const user = await users.byId(userId);
      if (!user || !(await verifyPassword(current, user.password_hash))) {
        await audit.record(ctx, {
          action: 'auth.password.change',
          outcome: 'failure',
          targetType: 'user',
          targetId: userId,
        });
        throw new AppError('invalid_credentials', 'The current password is wrong');
      }
      if (current === next)
        throw new AppError('password_policy', 'The new password must differ from the current one');
      users.enforcePolicy(next, user.username);
      const hash = await hashPassword(next);
      await db.transaction(async (tx) => {
        await users.setPassword(tx, userId, hash, false, clock.now());
        // Other sessions end: a changed password should lock out whoever else had it.
        await repo.revokeSessionsOf(tx, userId, clock.now(), ctx.actor?.sessionId ?? null);
        await audit.append(tx, ctx, { action: 'auth.password.change', targetType: 'user', targetId: userId });
      });
      bus?.emit('auth.revoked', { userId, exceptSessionId: ctx.actor?.sessionId ?? null });
    },

    /**
     * Issues a token with its own permissions and nodes, a subset of its owner's (and of the
     * issuer's); the owner's full power only when asked for with a reason. The secret is shown once.
     */
    async createToken(ctx: RequestContext, input: z.output<typeof CreateApiTokenSchema>) {
      const user = await users.byId(input.userId);
      if (!user) throw new AppError('not_found', `User ${input.userId} not found`);
      const owner = await access.loadActor(user.id);
      if (!owner) throw invalid('The token owner is deactivated', [{ path: 'userId', message: 'inactive' }]);
      const nodeIds = input.nodeIds ? [...new Set(input.nodeIds)] : null;
      const nodes = nodeIds ? await repo.nodePaths(db, nodeIds) : null;
      const missing = nodeIds?.filter((id) => !nodes?.some((n) => n.id === id)) ?? [];
      if (missing.length)
        throw invalid(`Plant node(s) ${missing.join(', ')} not found`, [
          { path: 'nodeIds', message: 'not found' },
        ]);
      const permissions = input.fullAccess ? [] : [...new Set(input.permissions ?? [])];
      const problems = tokenRequestProblems(
        { fullAccess: input.fullAccess, permissions: input.permissions, reason: input.reason },
        nodes,
        owner,
        ctx.actor!,
      );
      if (problems.length) throw invalid(`The token cannot be issued: ${problems[0]!.message}`, problems);
      const secret = `${TOKEN_PREFIX}${randomBytes(24).toString('base64url')}`;
      const now = clock.now();
      const row = await db.transaction(async (tx) => {
        const t = await repo.insertToken(tx, {
          userId: input.userId,
          name: input.name,
          prefix: secret.slice(0, TOKEN_PREFIX.length + 6),
          tokenHash: sha256(secret),
          now,
          expiresAt: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000) : null,
          permissions,
          nodeIds,
          fullAccess: input.fullAccess,
          fullAccessReason: input.fullAccess ? input.reason! : null,
        });
        await audit.append(tx, ctx, {
          action: 'token.create',
          targetType: 'api_token',
          targetId: t.id,
          reason: input.reason ?? null,
          after: {
            userId: input.userId,
            name: input.name,
            prefix: t.prefix,
            permissions,
            nodeIds,
            fullAccess: input.fullAccess,
          },
        });
        return t;
      });
      return { token: presentToken(row), secret };
    },

    async listTokens() {
      return (await repo.listTokens(db)).map(presentToken);
    },

    async revokeToken(ctx: RequestContext, id: number) {
      const row = await repo.getToken(db, id);
      if (!row) throw new AppError('not_found', `API token ${id} not found`);
      await db.transaction(async (tx) => {
        await repo.revokeToken(tx, id, clock.now());
        await audit.append(tx, ctx, { action: 'token.revoke', targetType: 'api_token', targetId: id });
      });
      bus?.emit('auth.revoked', { tokenId: id });
    },
  };
}

function presentToken(t: repo.TokenRow) {
  return {
    id: t.id,
    userId: t.user_id,
    name: t.name,
    prefix: t.prefix,
    permissions: t.permissions,
    nodeIds: t.node_ids,
    fullAccess: t.full_access,
    createdAt: t.created_at.toISOString(),
    expiresAt: t.expires_at?.toISOString() ?? null,
    lastUsedAt: t.last_used_at?.toISOString() ?? null,
    revokedAt: t.revoked_at?.toISOString() ?? null,
  };
}
