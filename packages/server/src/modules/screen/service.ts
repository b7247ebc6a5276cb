import { createHash, randomBytes } from 'node:crypto';
import {
  ALARM_PRIORITIES,
  type AlarmPriority,
  type CreateKioskTokenSchema,
  type CreateScreenSchema,
  type KioskToken,
  type Permission,
  type RecordSafeSinceSchema,
  renderAlarmText,
  type Screen,
  type ScreenData,
  type ScreenLayout,
  type UpdateScreenSchema,
} from '@aegis/shared';
import type { z } from 'zod';
import type { Bus } from '../../bus.js';
import type { Clock } from '../../clock.js';
import type { RequestContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { AppError, conflict, invalid } from '../../errors.js';
import type { AccessGuard, Actor } from '../access/index.js';
import type { AuditService } from '../audit/service.js';
import { layoutProblems, layoutTagIds } from './layout.js';
import * as repo from './repo.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
export const KIOSK_TOKEN_PREFIX = 'aegis_kiosk_';
const KIOSK_SESSION_PREFIX = 'aegis_kses_';
/** A kiosk runs for weeks; its session ends earlier only with its token (revoked, expired). */
const KIOSK_SESSION_DAYS = 30;
/** What a kiosk may do at its screen's node: read, nothing else. */
export const KIOSK_PERMISSIONS: Permission[] = [
  'screen.read',
  'alarm.read',
  'tag.read',
  'inspection.read',
  'hazard.read',
  'permit.read',
  'emergency.read',
];
const RANK: Record<AlarmPriority, number> = { critical: 0, high: 1, medium: 2, low: 3 };
const NEXT_LEVEL: Record<string, string> = {
  enterprise: 'area',
  site: 'area',
  area: 'line',
  line: 'equipment',
  equipment: 'equipment',
};

export type ScreenService = ReturnType<typeof createScreenService>;

export function createScreenService(deps: {
  db: Db;
  audit: AuditService;
  guard: AccessGuard;
  clock: Clock;
  timezone: string;
  directory: { get(id: number): { path: string } | undefined };
  bus?: Bus;
}) {
  const { db, audit, guard, clock, timezone, directory, bus } = deps;
  const dayOf = (d: Date) =>
    new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(d);
  const byName = (ctx: RequestContext) => ctx.actor?.displayName ?? ctx.actor?.username ?? 'system';

  const present = (r: repo.ScreenRow): Screen => ({
    id: r.id,
    name: r.name,
    nodeId: r.node_id,
    nodeName: r.node_name,
    layout: r.layout,
    version: r.version,
    updatedAt: r.updated_at.toISOString(),
    updatedBy: r.updated_by,
  });
  const presentToken = (t: repo.KioskTokenRow): KioskToken => ({
    id: t.id,
    screenId: t.screen_id,
    name: t.name,
    prefix: t.prefix,
    createdAt: t.created_at.toISOString(),
    createdBy: t.created_by,
    expiresAt: t.expires_at?.toISOString() ?? null,
    lastUsedAt: t.last_used_at?.toISOString() ?? null,
    revokedAt: t.revoked_at?.toISOString() ?? null,
  });

  async function readable(ctx: RequestContext, id: number) {
    return guard.readable(ctx, 'screen.read', await repo.getScreen(db, id), 'screen', id);
  }
  async function manageable(ctx: RequestContext, id: number) {
    return guard.require(db, ctx, 'screen.manage', await repo.getScreen(db, id), 'screen', id);
  }

  /** The node must exist and be manageable; the layout must fit the grid and show only tags under the node. */
  async function checked(ctx: RequestContext, nodeId: number, layout: ScreenLayout) {
    const node = await repo.nodeOf(db, nodeId);
    if (!node) throw invalid(`Plant node ${nodeId} not found`, [{ path: 'nodeId', message: 'not found' }]);
    await guard.require(db, ctx, 'screen.manage', node, 'plant node', nodeId);
    const problems = layoutProblems(layout);
    for (const id of layoutTagIds(layout)) {
      const tag = directory.get(id);
      if (!tag) problems.push({ path: 'layout', message: `Tag ${id} not found` });
      else if (!tag.path.startsWith(node.path))
        problems.push({
          path: 'layout',
          message: `Tag ${id} is outside the screen's plant node ${node.name_zh}`,
        });
    }
    if (problems.length) throw invalid(`The layout cannot be saved: ${problems[0]!.message}`, problems);
    return node;
  }

  async function kioskTokenIds(screenId: number) {
    return repo.tokenIdsOfScreen(db, screenId);
  }

  async function data(ctx: RequestContext, row: repo.ScreenRow): Promise<ScreenData> {
    const now = clock.now();
    const path = row.path;
    const may = (p: Permission) => guard.can(ctx, p, path);
    const widgets = row.layout.pages.flatMap((p) => p.widgets);
    const node = await repo.nodeOf(db, row.node_id);
    const out: ScreenData = {
      screenId: row.id,
      nodeId: row.node_id,
      nodeName: row.node_name,
      at: now.toISOString(),
      timezone,
      status: null,
      alarms: null,
      alarmRate: null,
      interlocks: null,
      inspections: null,
      hazards: null,
      permits: null,
      safeDays: null,
      tags: null,
    };
    if (may('alarm.read')) {
      const active = await repo.activeAlarms(db, path);
      const level =
        widgets.find((w) => w.kind === 'status_tiles')?.settings.level ??
        NEXT_LEVEL[node?.level ?? 'site'] ??
        'area';
      const tiles =
        node?.level === 'equipment'
          ? [{ id: node.id, name_zh: node.name_zh, path }]
          : await repo.childNodes(db, path, level);
      out.status = tiles.map((t) => {
        const mine = active.filter((a) => a.node_path.startsWith(t.path));
        const worst = mine.reduce<AlarmPriority | null>((w, a) => {
          const p = a.priority as AlarmPriority;
          return w === null || RANK[p] < RANK[w] ? p : w;
        }, null);
        return { nodeId: t.id, name: t.name_zh, worst, active: mine.length };
      });
      const byPriority = { critical: 0, high: 0, medium: 0, low: 0 };
      for (const a of active) if (a.priority in byPriority) byPriority[a.priority as AlarmPriority]++;
      const limit = Math.max(
        8,
        ...widgets.map((w) => (w.kind === 'alarm_list' ? (w.settings.limit ?? 8) : 0)),
      );
      out.alarms = {
        byPriority,
        latest: active.slice(0, limit).map((a) => {
          const v = a.view as {
            message?: string;
            activeSince?: number | null;
            text?: Parameters<typeof renderAlarmText>[0] | null;
            value?: Parameters<typeof renderAlarmText>[1];
          };
          return {
            key: a.key,
            at: new Date(v.activeSince ?? a.updated_at.getTime()).toISOString(),
            priority: ALARM_PRIORITIES.includes(a.priority as AlarmPriority)
              ? (a.priority as AlarmPriority)
              : 'low',
            state: a.state,
            message: v.text ? renderAlarmText(v.text, v.value ?? null, 'zh-CN') : (v.message ?? a.key),
            tagId: a.tag_id,
            equipmentName: a.equipment_name ?? '',
          };
        }),
      };
      // Per minute over 6 hours: the rolling last 10 minutes and hour, and 10-minute bars.
      const minute = 60_000;
      const nowMin = Math.floor(now.getTime() / minute);
      const perMinute = await repo.annunciatedPerBucket(db, path, new Date((nowMin - 359) * minute), minute);
      const sumSince = (m: number) => perMinute.filter((b) => b.bucket >= m).reduce((s, b) => s + b.n, 0);
      const series: [number, number][] = [];
      const firstBar = Math.floor((nowMin - 359) / 10) * 10;
      for (let m = firstBar; m <= nowMin; m += 10)
        series.push([
          m * minute,
          perMinute.filter((b) => b.bucket >= m && b.bucket < m + 10).reduce((s, b) => s + b.n, 0),
        ]);
      out.alarmRate = {
        last10Min: sumSince(nowMin - 9),
        lastHour: sumSince(nowMin - 59),
        targetPer10Min: 1,
        floodPer10Min: 10,
        series,
      };
      const interlocks = await repo.activeInterlocks(db, path);
      out.interlocks = {
        active: interlocks.length,
        items: interlocks.slice(0, 10).map((i) => ({
          at: i.at.toISOString(),
          tagName: i.tag_name,
          equipmentName: i.equipment_name,
          status: i.status,
          message: i.message ?? '',
        })),
      };
    }
    if (may('inspection.read')) {
      const day = dayOf(now);
      out.inspections = { day, ...(await repo.inspectionsOfDay(db, path, day, now)) };
    }
    if (may('hazard.read')) out.hazards = await repo.openHazards(db, path);
    if (may('permit.read'))
      out.permits = (await repo.permitsByArea(db, path)).map((p) => ({
        areaId: p.area_id,
        areaName: p.area_name ?? row.node_name,
        active: p.active,
        suspended: p.suspended,
      }));
    if (may('emergency.read')) {
      const run = await repo.lastRealEmergency(db, path);
      const record = await repo.safeSince(db, path);
      const runDay = run ? dayOf(run.started_at) : null;
      const today = dayOf(now);
      const daysSince = (d: string) =>
        Math.max(0, Math.round((Date.parse(today) - Date.parse(d)) / 86_400_000));
      if (runDay && (!record || runDay >= record.since))
        out.safeDays = {
          days: daysSince(runDay),
          since: runDay,
          source: 'emergency_run',
          note: `${run!.code} ${run!.plan_name}`,
        };
      else if (record)
        out.safeDays = {
          days: daysSince(record.since),
          since: record.since,
          source: 'record',
          note: record.reason,
        };
      else out.safeDays = { days: null, since: null, source: 'none', note: null };
    }
    const tagIds = layoutTagIds(row.layout).filter((id) => {
      const t = directory.get(id);
      return !!t?.path.startsWith(path) && guard.can(ctx, 'tag.read', t.path);
    });
    if (may('tag.read') || tagIds.length) {
      const infos = await repo.tagsInfo(db, tagIds);
      const lines = await repo.sparklines(db, tagIds, new Date(now.getTime() - 3_600_000));
      const byId = new Map(infos.map((t) => [t.id, t]));
      out.tags = tagIds
        .filter((id) => byId.has(id))
        .map((id) => {
          const t = byId.get(id)!;
          return {
            tagId: id,
            name: t.name_zh,
            equipmentName: t.equipment_name,
            unit: t.unit,
            value: t.num ?? t.txt ?? null,
            ts: t.ts?.toISOString() ?? null,
            series: lines
              .filter((l) => l.tag_id === id)
              .map((l) => [l.minute, l.avg] as [number, number | null]),
          };
        });
    }
    return out;
  }

  return {
    async list(ctx: RequestContext) {
      return (await repo.listScreens(db, guard.scope(ctx, 'screen.read'))).map(present);
    },

    async get(ctx: RequestContext, id: number) {
      return present(await readable(ctx, id));
    },

    async versions(ctx: RequestContext, id: number) {
      await readable(ctx, id);
      return (await repo.versions(db, id)).map((v) => ({
        version: v.version,
        name: v.name,
        savedAt: v.saved_at.toISOString(),
        savedBy: v.saved_by,
        reason: v.reason,
      }));
    },

    async create(ctx: RequestContext, input: z.output<typeof CreateScreenSchema>) {
      const node = await checked(ctx, input.nodeId, input.layout);
      const id = await db.transaction(async (tx) => {
        const id = await repo.insertScreen(tx, { ...input, now: clock.now(), by: byName(ctx) });
        await audit.append(tx, ctx, {
          action: 'screen.create',
          targetType: 'screen',
          targetId: id,
          nodeId: node.id,
          reason: input.reason,
          targetLabel: input.name,
          after: { name: input.name, nodeId: input.nodeId, layout: input.layout },
        });
        return id;
      });
      return present((await repo.getScreen(db, id))!);
    },

    async update(ctx: RequestContext, id: number, input: z.output<typeof UpdateScreenSchema>) {
      const before = await manageable(ctx, id);
      const node = await checked(ctx, input.nodeId, input.layout);
      await db.transaction(async (tx) => {
        const ok = await repo.updateScreen(tx, id, input.version, {
          ...input,
          now: clock.now(),
          by: byName(ctx),
        });
        if (!ok)
          throw conflict(
            `The screen was saved by someone else in between (now version ${before.version}); reload it and edit again`,
          );
        await audit.append(tx, ctx, {
          action: 'screen.update',
          targetType: 'screen',
          targetId: id,
          nodeId: node.id,
          reason: input.reason,
          targetLabel: input.name,
          before: {
            name: before.name,
            nodeId: before.node_id,
            layout: before.layout,
            version: before.version,
          },
          after: { name: input.name, nodeId: input.nodeId, layout: input.layout, version: input.version + 1 },
        });
      });
      // A kiosk's open stream was scoped to the old node: it reconnects with the new one.
      if (before.node_id !== input.nodeId)
        for (const tokenId of await kioskTokenIds(id)) bus?.emit('auth.revoked', { kioskTokenId: tokenId });
      return present((await repo.getScreen(db, id))!);
    },

    async remove(ctx: RequestContext, id: number, reason: string) {
      const before = await manageable(ctx, id);
      const tokens = await kioskTokenIds(id);
      await db.transaction(async (tx) => {
        await repo.deleteScreen(tx, id, clock.now());
        await audit.append(tx, ctx, {
          action: 'screen.delete',
          targetType: 'screen',
          targetId: id,
          nodeId: before.node_id,
          reason,
          targetLabel: before.name,
          before: { name: before.name, nodeId: before.node_id },
        });
      });
      for (const tokenId of tokens) bus?.emit('auth.revoked', { kioskTokenId: tokenId });
    },

    async data(ctx: RequestContext, id: number) {
      return data(ctx, await readable(ctx, id));
    },

    // ------------------------------------------------------------ kiosk tokens

    async tokens(ctx: RequestContext, screenId: number) {
      await manageable(ctx, screenId);
      return (await repo.tokensOf(db, screenId)).map(presentToken);
    },

    /** A kiosk token for the screen; the secret is returned here only and stored as its hash. */
    async createToken(ctx: RequestContext, screenId: number, input: z.output<typeof CreateKioskTokenSchema>) {
      const screen = await manageable(ctx, screenId);
      const secret = `${KIOSK_TOKEN_PREFIX}${randomBytes(24).toString('base64url')}`;
      const now = clock.now();
      const row = await db.transaction(async (tx) => {
        const t = await repo.insertToken(tx, {
          screenId,
          name: input.name,
          prefix: secret.slice(0, KIOSK_TOKEN_PREFIX.length + 6),
          hash: sha256(secret),
          now,
          by: byName(ctx),
          expiresAt: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000) : null,
        });
        await audit.append(tx, ctx, {
          action: 'screen.token.create',
          targetType: 'kiosk_token',
          targetId: t.id,
          nodeId: screen.node_id,
          reason: input.reason,
          targetLabel: `${screen.name} / ${input.name}`,
          after: {
            screenId,
            name: input.name,
            prefix: t.prefix,
            expiresAt: t.expires_at?.toISOString() ?? null,
          },
        });
        return t;
      });
      return { token: presentToken(row), secret };
    },

    /** Revoked at once: the kiosk's next request is refused and its open stream closes. */
    async revokeToken(ctx: RequestContext, screenId: number, tokenId: number, reason: string) {
      const screen = await manageable(ctx, screenId);
      const token = await repo.getToken(db, tokenId);
      if (!token || token.screen_id !== screenId)
        throw new AppError('not_found', `Kiosk token ${tokenId} not found`);
      await db.transaction(async (tx) => {
        await repo.revokeToken(tx, tokenId, clock.now());
        await audit.append(tx, ctx, {
          action: 'screen.token.revoke',
          targetType: 'kiosk_token',
          targetId: tokenId,
          nodeId: screen.node_id,
          reason,
          targetLabel: `${screen.name} / ${token.name}`,
        });
      });
      bus?.emit('auth.revoked', { kioskTokenId: tokenId });
    },

    /** Exchanges a kiosk token (from the link's fragment) for a session cookie value. */
    async openKioskSession(ctx: RequestContext, secret: string) {
      const now = clock.now();
      const token = secret.startsWith(KIOSK_TOKEN_PREFIX) ? await repo.tokenByHash(db, sha256(secret)) : null;
      const screen = token ? await repo.getScreen(db, token.screen_id) : null;
      if (!token || !screen || token.revoked_at || (token.expires_at && token.expires_at <= now)) {
        await audit.record(ctx, {
          action: 'screen.kiosk.open',
          outcome: 'failure',
          actorName: token ? `kiosk:${token.name}` : 'kiosk',
          targetType: 'kiosk_token',
          targetId: token?.id ?? null,
          after: {
            reason: !token
              ? 'unknown token'
              : token.revoked_at
                ? 'revoked'
                : !screen
                  ? 'screen deleted'
                  : 'expired',
          },
        });
        throw new AppError(
          'unauthenticated',
          'This big-screen link is invalid, expired or revoked; ask for a new one',
        );
      }
      const session = `${KIOSK_SESSION_PREFIX}${randomBytes(32).toString('base64url')}`;
      const limit = now.getTime() + KIOSK_SESSION_DAYS * 86_400_000;
      const expiresAt = new Date(Math.min(limit, token.expires_at?.getTime() ?? limit));
      await db.transaction(async (tx) => {
        await repo.insertSession(tx, { tokenId: token.id, hash: sha256(session), now, expiresAt });
        await audit.append(
          tx,
          { ...ctx, actor: null },
          {
            action: 'screen.kiosk.open',
            actorName: `kiosk:${token.name}`,
            targetType: 'screen',
            targetId: screen.id,
            nodeId: screen.node_id,
            targetLabel: screen.name,
            after: { tokenId: token.id },
          },
        );
      });
      ctx.audited = true;
      return { session, screenId: screen.id, expiresAt };
    },

    /** The read-only actor of a kiosk session cookie, or null when it (or its token) is no longer valid. */
    async authenticateKiosk(cookie: string): Promise<Actor | null> {
      if (!cookie.startsWith(KIOSK_SESSION_PREFIX)) return null;
      const s = await repo.sessionByHash(db, sha256(cookie));
      const now = clock.now();
      if (!s || s.revoked_at || s.screen_deleted_at || s.session_expires_at <= now) return null;
      if (s.token_expires_at && s.token_expires_at <= now) return null;
      if (now.getTime() - s.last_seen_at.getTime() > 60_000)
        await repo.touchSession(db, s.session_id, s.token_id, now);
      return {
        userId: null,
        username: `kiosk:${s.token_name}`,
        displayName: `大屏 ${s.token_name}`,
        kind: 'machine',
        grants: KIOSK_PERMISSIONS.map((permission) => ({ permission, nodeId: s.node_id, path: s.path })),
        passwordChangeRequired: false,
        kiosk: { tokenId: s.token_id, screenId: s.screen_id },
      };
    },

    /** The kiosk's own screen and its data. */
    async kioskScreen(ctx: RequestContext) {
      const screenId = ctx.actor?.kiosk?.screenId;
      if (!screenId)
        throw new AppError('forbidden', 'Only a big-screen kiosk session has a screen of its own');
      const row = await readable(ctx, screenId);
      return { screen: present(row), data: await data(ctx, row) };
    },

    // ------------------------------------------------------------ safe days

    async recordSafeSince(ctx: RequestContext, input: z.output<typeof RecordSafeSinceSchema>) {
      const node = await repo.nodeOf(db, input.nodeId);
      await guard.require(db, ctx, 'screen.manage', node, 'plant node', input.nodeId);
      if (input.since > dayOf(clock.now()))
        throw invalid('The day lies in the future', [{ path: 'since', message: 'in the future' }]);
      await db.transaction(async (tx) => {
        await repo.recordSafeSince(tx, { ...input, now: clock.now(), by: byName(ctx) });
        await audit.append(tx, ctx, {
          action: 'screen.safe_since.record',
          targetType: 'plant_node',
          targetId: input.nodeId,
          nodeId: input.nodeId,
          reason: input.reason,
          after: { since: input.since },
        });
      });
    },
  };
}
