import {
  type Channel,
  type CreateChannelSchema,
  type CreatePolicySchema,
  type DeliveryQuerySchema,
  type MarkReadSchema,
  type Notification,
  type NotificationQuerySchema,
  type NotifyEventKind,
  type NotifyProfile,
  PERSONAL_CHANNEL_KINDS,
  type Policy,
  PolicyInputSchema,
  type PreviewRequestSchema,
  type UpdateChannelSchema,
  type UpdateNotifyProfileSchema,
  type UpdatePolicySchema,
} from '@aegis/shared';
import type { z } from 'zod';
import type { Clock } from '../../clock.js';
import type { RequestContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { AppError, conflict, invalid, notFound } from '../../errors.js';
import type { AccessGuard } from '../access/guard.js';
import type { AuditService } from '../audit/service.js';
import { activePeople, updateContact } from '../users/index.js';
import { driverFor } from './channels/index.js';
import { type Attachment, type SendContext, SendError } from './channels/types.js';
import { type OnDutyLookup, permissionFor, resolveRecipients } from './recipients.js';
import { renderMessage } from './render.js';
import * as repo from './repo.js';
import { type PolicySpec, policyMatches, quietUntil, stepOf } from './schedule.js';
import { compileTemplate, TEMPLATE_VARIABLES } from './template.js';
import { createNotifyWorker, type WorkerLog } from './worker.js';

type In<T extends z.ZodType> = z.output<T>;

/** AES-256-GCM box of the secrets module. */
export interface SecretBox {
  seal(plain: string, aad?: string): string;
  open(sealed: string, aad?: string): string;
}

const silentLog: WorkerLog = { error() {}, warn() {} };

export type NotifyService = ReturnType<typeof createNotifyService>;

export function createNotifyService(deps: {
  db: Db;
  clock: Clock;
  audit: AuditService;
  guard: AccessGuard;
  secrets: SecretBox;
  settings: { timezone: string; publicUrl: string | null; concurrency: number; maxAttempts: number };
  nodePath(nodeId: number, db: Db): Promise<string | null>;
  onDuty: OnDutyLookup;
  checkOutbound: SendContext['checkOutbound'];
}) {
  const { db, clock, audit, guard, secrets, settings } = deps;
  let log: WorkerLog = silentLog;
  const listeners = new Set<(userId: number, n: Notification, unread: number) => void>();
  let wakeHook: (() => void) | null = null;
  let present: (userId: number) => boolean = () => true;

  /** Per event kind, the files its e-mails carry (the report module registers report.ready's PDF). */
  const attachmentSources = new Map<NotifyEventKind, (subject: string) => Promise<Attachment[]>>();
  const aadOf = (id: number | string) => `notify_channel:${id}`;
  function openSecrets(c: repo.ChannelRow): Record<string, unknown> {
    if (!c.secrets_sealed) return {};
    return JSON.parse(secrets.open(c.secrets_sealed, aadOf(c.code))) as Record<string, unknown>;
  }

  const worker = createNotifyWorker({
    db,
    clock,
    settings,
    nodePath: deps.nodePath,
    onDuty: deps.onDuty,
    openSecrets,
    checkOutbound: deps.checkOutbound,
    async attachmentsFor(event) {
      const source = attachmentSources.get(event.kind);
      return source ? source(event.subject) : [];
    },
    onNotifications(batch) {
      if (!listeners.size) return;
      // Unread counts only for people with a bell open now, in one statement.
      const live = batch.filter((b) => present(b.userId));
      if (!live.length) return;
      void repo
        .unreadCounts(db, [...new Set(live.map((b) => b.userId))])
        .then((unread) => {
          for (const b of live)
            for (const l of listeners) l(b.userId, b.notification, unread.get(b.userId) ?? 0);
        })
        .catch((err) => log.error({ err }, 'unread count failed'));
    },
    log: () => log,
  });

  const presentChannel = (c: repo.ChannelRow): Channel & { path: null } => ({
    id: c.id,
    code: c.code,
    name: c.name,
    kind: c.kind,
    enabled: c.enabled,
    settings: c.settings,
    secretsSet: c.secret_names,
    ratePerMinute: driverFor(c.kind).limits.perMinute,
    createdAt: c.created_at.toISOString(),
    updatedAt: c.updated_at.toISOString(),
    path: null,
  });
  const presentPolicy = (p: repo.PolicyRow): Policy => ({
    ...p.spec,
    id: p.id,
    code: p.code,
    name: p.name,
    enabled: p.enabled,
    createdAt: p.created_at.toISOString(),
    updatedAt: p.updated_at.toISOString(),
  });

  /** Settings checked by the channel's own schema; secrets merged (omitted keep, null deletes). */
  function checkChannel(
    kind: repo.ChannelRow['kind'],
    settingsIn: Record<string, unknown>,
    current: Record<string, unknown>,
    change: Record<string, string | null>,
  ) {
    const driver = driverFor(kind);
    const parsed = driver.settings.safeParse(settingsIn);
    if (!parsed.success)
      throw invalid(
        'The channel settings are not valid',
        parsed.error.issues.map((i) => ({ path: `settings.${i.path.join('.')}`, message: i.message })),
      );
    const merged: Record<string, unknown> = { ...current };
    for (const [k, v] of Object.entries(change)) {
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    const sec = driver.secrets.safeParse(merged);
    if (!sec.success)
      throw invalid(
        'The channel secrets are not valid',
        sec.error.issues.map((i) => ({ path: `secrets.${i.path.join('.')}`, message: i.message })),
      );
    const problems = driver.check(parsed.data, sec.data);
    if (problems.length)
      throw invalid(
        problems.join('; '),
        problems.map((message) => ({ path: 'settings', message })),
      );
    return { settings: parsed.data as Record<string, unknown>, secrets: sec.data as Record<string, unknown> };
  }
  /** The destination a channel will reach must pass the outbound policy when it is saved. */
  async function checkDestination(kind: repo.ChannelRow['kind'], settings: Record<string, unknown>) {
    let url: string | null = null;
    if (kind === 'email') url = `smtp://${String(settings.host)}:${String(settings.port)}`;
    else if (typeof settings.url === 'string') url = settings.url.replace(/\{\{[^}]*\}\}/g, 'x');
    if (!url) return;
    try {
      await deps.checkOutbound(url);
    } catch (e) {
      if (e instanceof SendError && e.retryable) return;
      throw invalid(`Aegis may not send there: ${(e as Error).message}`, [
        { path: kind === 'email' ? 'settings.host' : 'settings.url', message: 'refused destination' },
      ]);
    }
  }
  const sealSecrets = (code: string, s: Record<string, unknown>) => {
    const names = Object.keys(s).filter((k) => s[k] !== undefined && s[k] !== '');
    return {
      secrets_sealed: names.length ? secrets.seal(JSON.stringify(s), aadOf(code)) : null,
      secret_names: names.sort(),
    };
  };

  /** A policy must name existing channels, users, roles, posts and teams, and a valid template. */
  async function checkPolicy(tx: Db, spec: PolicySpec) {
    const issues: Array<{ path: string; message: string }> = [];
    const channels = new Set((await repo.listChannels(tx)).map((c) => c.id));
    const userIds = new Set<number>();
    spec.levels.forEach((level, i) => {
      for (const id of level.channelIds)
        if (!channels.has(id)) issues.push({ path: `levels.${i}.channelIds`, message: `no channel ${id}` });
      for (const r of level.recipients) if (r.type === 'user') userIds.add(r.userId);
    });
    if (userIds.size) {
      const found = new Set((await activePeople(tx, { ids: [...userIds] })).map((u) => u.id));
      for (const id of userIds)
        if (!found.has(id))
          issues.push({ path: 'levels', message: `user ${id} does not exist or is not an active person` });
    }
    for (const [i, level] of spec.levels.entries()) {
      for (const r of level.recipients) {
        const table =
          r.type === 'role' ? 'role' : r.type === 'post' ? 'post' : r.type === 'team' ? 'team' : null;
        if (!table) continue;
        const id =
          r.type === 'role' ? r.roleId : r.type === 'post' ? r.postId : r.type === 'team' ? r.teamId : 0;
        const [row] = await tx.query(`SELECT 1 FROM ${table} WHERE id = $1`, [id]);
        if (!row) issues.push({ path: `levels.${i}.recipients`, message: `no ${table} ${id}` });
      }
      if (i > 0 && level.delayMinutes < spec.levels[i - 1]!.delayMinutes)
        issues.push({
          path: `levels.${i}.delayMinutes`,
          message: 'a level cannot come before the one above it (delays count from the event)',
        });
    }
    if (spec.match.nodeId !== null && (await deps.nodePath(spec.match.nodeId, tx)) === null)
      issues.push({ path: 'match.nodeId', message: `no plant node ${spec.match.nodeId}` });
    if (spec.template !== null) {
      try {
        compileTemplate(spec.template, TEMPLATE_VARIABLES);
      } catch (e) {
        issues.push({ path: 'template', message: (e as Error).message });
      }
    }
    if (issues.length) throw invalid(issues.map((i) => i.message).join('; '), issues);
  }

  const uniqueCode = async <T>(fn: () => Promise<T>, what: string) => {
    try {
      return await fn();
    } catch (e) {
      if ((e as { code?: string }).code === '23505')
        throw conflict(`A ${what} with this code exists already`);
      throw e;
    }
  };

  return {
    worker,
    setLogger(l: WorkerLog) {
      log = l;
    },
    /** One worker pass and the channel sends it starts, to the end (tests, benchmarks). */
    tick: () => worker.tick(),
    /** One worker pass; external channels go on sending beside it (the scheduler's timer). */
    pulse: () => worker.pulse(),
    /** Stops the channel lanes (shutdown). */
    stop: () => worker.stop(),
    /** Who has a live connection open: only their bells get unread counts pushed. */
    setPresence(fn: (userId: number) => boolean) {
      present = fn;
    },
    /** Modules that just committed an event ask for a pass now rather than at the next tick. */
    setWakeHook(fn: (() => void) | null) {
      wakeHook = fn;
    },
    /** Registers the files an e-mail of `kind` carries, found by the event's subject. */
    setAttachmentSource(kind: NotifyEventKind, source: (subject: string) => Promise<Attachment[]>) {
      attachmentSources.set(kind, source);
    },
    wake() {
      wakeHook?.();
    },
    /** In the caller's transaction: the event is sent if and only if the change commits. */
    publish: (tx: Db, events: repo.EventInput[]) => repo.insertEvents(tx, events),
    onNotification(fn: (userId: number, n: Notification, unread: number) => void) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },

    // ---- channels
    async listChannels(ctx: RequestContext) {
      await guard.requireGlobal(db, ctx, 'notify.read', 'notification channels');
      return (await repo.listChannels(db)).map(presentChannel);
    },
    async createChannel(ctx: RequestContext, input: In<typeof CreateChannelSchema>) {
      return db.transaction(async (tx) => {
        await guard.requireGlobal(tx, ctx, 'notify.manage', 'notification channels');
        const checked = checkChannel(input.kind, input.settings, {}, input.secrets);
        await checkDestination(input.kind, checked.settings);
        const row = await uniqueCode(
          () =>
            repo.insertChannel(
              tx,
              {
                code: input.code,
                name: input.name,
                kind: input.kind,
                enabled: input.enabled,
                settings: checked.settings,
                ...sealSecrets(input.code, checked.secrets),
              },
              clock.now(),
            ),
          'channel',
        );
        const after = presentChannel(row);
        await audit.append(tx, ctx, {
          action: 'notify.channel.create',
          targetType: 'notify_channel',
          targetId: row.id,
          reason: input.reason,
          after,
          targetLabel: row.name,
        });
        return after;
      });
    },
    async updateChannel(ctx: RequestContext, id: number, input: In<typeof UpdateChannelSchema>) {
      return db.transaction(async (tx) => {
        await guard.requireGlobal(tx, ctx, 'notify.manage', 'notification channels');
        const current = await repo.getChannel(tx, id);
        if (!current) throw notFound('Notification channel', id);
        const checked = checkChannel(
          current.kind,
          input.settings ?? current.settings,
          openSecrets(current),
          input.secrets ?? {},
        );
        if (input.settings) await checkDestination(current.kind, checked.settings);
        const row = await repo.updateChannel(
          tx,
          id,
          {
            name: input.name ?? current.name,
            enabled: input.enabled ?? current.enabled,
            settings: checked.settings,
            ...sealSecrets(current.code, checked.secrets),
          },
          clock.now(),
        );
        const after = presentChannel(row);
        await audit.append(tx, ctx, {
          action: 'notify.channel.update',
          targetType: 'notify_channel',
          targetId: id,
          reason: input.reason,
          before: presentChannel(current),
          after,
          targetLabel: row.name,
        });
        return after;
      });
    },
    async deleteChannel(ctx: RequestContext, id: number, reason: string) {
      await db.transaction(async (tx) => {
        await guard.requireGlobal(tx, ctx, 'notify.manage', 'notification channels');
        const current = await repo.getChannel(tx, id);
        if (!current) throw notFound('Notification channel', id);
        const users = await repo.policiesUsingChannel(tx, id);
        if (users.length)
          throw conflict(
            `The channel is used by the policies ${users.map((p) => p.name).join(', ')}; change them first`,
          );
        await repo.deleteChannel(tx, id);
        await audit.append(tx, ctx, {
          action: 'notify.channel.delete',
          targetType: 'notify_channel',
          targetId: id,
          reason,
          before: presentChannel(current),
          targetLabel: current.name,
        });
      });
    },
    /** Sends a sample message now, outside the queue, and says what happened. */
    async testChannel(ctx: RequestContext, id: number, input: { userId?: number | undefined }) {
      await guard.requireGlobal(db, ctx, 'notify.manage', 'notification channels');
      const channel = await repo.getChannel(db, id);
      if (!channel) throw notFound('Notification channel', id);
      const driver = driverFor(channel.kind);
      const userId = input.userId ?? ctx.actor?.userId ?? null;
      const { people } =
        userId === null
          ? { people: [] }
          : await resolveRecipients(
              db,
              [{ type: 'user', userId }],
              { path: null, at: clock.now() },
              deps.onDuty,
            );
      const person = people[0];
      if (!driver.grouped && (PERSONAL_CHANNEL_KINDS as readonly string[]).includes(channel.kind)) {
        if (!person)
          throw invalid('Pick an active person to send the test to', [
            { path: 'userId', message: 'unknown' },
          ]);
        if (driver.addressOf(person.profile) === null)
          throw invalid(`${person.name} has no address for this channel in their profile`, [
            { path: 'userId', message: 'no address' },
          ]);
      }
      const locale = person?.locale ?? 'zh-CN';
      const now = clock.now();
      const message = renderMessage(
        [
          {
            id: 0,
            kind: 'alarm.raised',
            at: now.toISOString(),
            priority: 'high',
            path: null,
            subject: 'test',
            title: {
              zh: `测试消息：通知渠道 ${channel.name} 工作正常`,
              en: `Test message: channel ${channel.name} works`,
            },
            alarmText: null,
            value: null,
            link: '/notifications',
          },
        ],
        {
          locale,
          publicUrl: settings.publicUrl,
          timezone: settings.timezone,
          template: null,
          idempotencyKey: `aegis-test-${id}-${now.getTime()}`,
        },
      );
      const started = performance.now();
      let error: string | null = null;
      try {
        if (channel.kind !== 'inapp')
          await driver.send({
            settings: driver.settings.parse(channel.settings),
            secrets: driver.secrets.parse(openSecrets(channel)),
            message,
            targets: person
              ? [
                  {
                    userId: person.userId,
                    name: person.name,
                    address: driver.addressOf(person.profile),
                    mobile: person.profile.mobile,
                  },
                ]
              : [],
            ctx: { checkOutbound: deps.checkOutbound, now: () => clock.now() },
          });
      } catch (e) {
        error = (e as Error).message;
      }
      const result = {
        ok: error === null,
        latencyMs: Math.round(performance.now() - started),
        error,
        preview: `${message.subject}\n\n${message.text}`,
      };
      await db.transaction((tx) =>
        audit.append(tx, ctx, {
          action: 'notify.channel.test',
          targetType: 'notify_channel',
          targetId: id,
          outcome: result.ok ? 'success' : 'failure',
          after: { ok: result.ok, error, to: person?.name ?? null },
          targetLabel: channel.name,
        }),
      );
      return result;
    },

    // ---- policies
    async listPolicies(ctx: RequestContext) {
      await guard.requireGlobal(db, ctx, 'notify.read', 'notification policies');
      return (await repo.listPolicies(db)).map(presentPolicy);
    },
    async createPolicy(ctx: RequestContext, input: In<typeof CreatePolicySchema>) {
      return db.transaction(async (tx) => {
        await guard.requireGlobal(tx, ctx, 'notify.manage', 'notification policies');
        const { reason, code, name, enabled, ...rest } = input;
        const spec = PolicyInputSchema.parse({ ...rest, code, name, enabled });
        await checkPolicy(tx, spec);
        const row = await uniqueCode(
          () => repo.insertPolicy(tx, { code, name, enabled, spec }, clock.now()),
          'policy',
        );
        const after = presentPolicy(row);
        await audit.append(tx, ctx, {
          action: 'notify.policy.create',
          targetType: 'notify_policy',
          targetId: row.id,
          reason,
          after,
          targetLabel: name,
        });
        return after;
      });
    },
    async updatePolicy(ctx: RequestContext, id: number, input: In<typeof UpdatePolicySchema>) {
      return db.transaction(async (tx) => {
        await guard.requireGlobal(tx, ctx, 'notify.manage', 'notification policies');
        const current = await repo.getPolicy(tx, id);
        if (!current) throw notFound('Notification policy', id);
        const { reason, ...change } = input;
        const spec = PolicyInputSchema.parse({
          ...current.spec,
          code: current.code,
          name: current.name,
          enabled: current.enabled,
          ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)),
        });
        await checkPolicy(tx, spec);
        const row = await uniqueCode(
          () =>
            repo.updatePolicy(
              tx,
              id,
              { code: spec.code, name: spec.name, enabled: spec.enabled, spec },
              clock.now(),
            ),
          'policy',
        );
        const after = presentPolicy(row);
        await audit.append(tx, ctx, {
          action: 'notify.policy.update',
          targetType: 'notify_policy',
          targetId: id,
          reason,
          before: presentPolicy(current),
          after,
          targetLabel: spec.name,
        });
        return after;
      });
    },
    async deletePolicy(ctx: RequestContext, id: number, reason: string) {
      await db.transaction(async (tx) => {
        await guard.requireGlobal(tx, ctx, 'notify.manage', 'notification policies');
        const current = await repo.getPolicy(tx, id);
        if (!current) throw notFound('Notification policy', id);
        await repo.deletePolicy(tx, id);
        await audit.append(tx, ctx, {
          action: 'notify.policy.delete',
          targetType: 'notify_policy',
          targetId: id,
          reason,
          before: presentPolicy(current),
          targetLabel: current.name,
        });
      });
    },

    /** "What would happen": the sample event through the policies (or one being edited) and today's roster. */
    async preview(ctx: RequestContext, input: In<typeof PreviewRequestSchema>) {
      await guard.requireGlobal(db, ctx, 'notify.manage', 'notification policies');
      const [me] = ctx.actor?.userId ? await activePeople(db, { ids: [ctx.actor.userId] }) : [];
      const locale = me?.locale ?? 'zh-CN';
      const at = input.at ? new Date(input.at) : clock.now();
      const path = input.nodeId === null ? null : await deps.nodePath(input.nodeId, db);
      if (input.nodeId !== null && path === null)
        throw invalid(`No plant node ${input.nodeId}`, [{ path: 'nodeId', message: 'unknown node' }]);
      const candidates: Array<{ id: number | null; name: string; spec: PolicySpec }> = input.policy
        ? [{ id: null, name: input.policy.name, spec: input.policy }]
        : (await repo.listPolicies(db))
            .filter((p) => p.enabled)
            .map((p) => ({ id: p.id, name: p.name, spec: p.spec }));
      if (input.policy) await checkPolicy(db, input.policy);
      const channels = new Map((await repo.listChannels(db)).map((c) => [c.id, c]));
      const matched: Array<{ policyId: number | null; name: string }> = [];
      const steps = [];
      for (const p of candidates) {
        const scopePath = p.spec.match.nodeId === null ? null : await deps.nodePath(p.spec.match.nodeId, db);
        if (
          !policyMatches(
            p.spec,
            { kind: input.kind, priority: input.priority, path, at },
            scopePath,
            settings.timezone,
          )
        )
          continue;
        matched.push({ policyId: p.id, name: p.name });
        for (let i = 0; ; i++) {
          const step = stepOf(p.spec, i);
          if (!step || i > 20) break;
          const when = new Date(at.getTime() + step.offsetMs);
          const level = p.spec.levels[step.level]!;
          const { people, notes } = await resolveRecipients(
            db,
            level.recipients,
            { path, at: when, permission: permissionFor(input.kind), locale },
            deps.onDuty,
          );
          const stepNotes = [...notes];
          for (const person of people) {
            const quiet = quietUntil(person.profile.quietHours, input.priority, when, settings.timezone);
            if (quiet)
              stepNotes.push(
                locale === 'zh-CN'
                  ? `${person.name}：免打扰时段，等到 ${quiet.toISOString()} 再发送`
                  : `${person.name}: quiet hours, waits until ${quiet.toISOString()}`,
              );
          }
          steps.push({
            policyId: p.id,
            policyName: p.name,
            level: step.level + 1,
            repeat: step.repeat,
            at: when.toISOString(),
            recipients: people.map((x) => ({ userId: x.userId, name: x.name, via: x.via })),
            channels: level.channelIds.flatMap((cid) => {
              const c = channels.get(cid);
              if (!c) return [];
              const driver = driverFor(c.kind);
              if (!c.enabled)
                stepNotes.push(
                  locale === 'zh-CN' ? `渠道 ${c.name} 已停用` : `channel ${c.name} is disabled`,
                );
              return [
                {
                  channelId: c.id,
                  name: c.name,
                  kind: c.kind,
                  targets: driver.grouped
                    ? [
                        { name: c.name, address: null },
                        ...people.map((x) => ({ name: x.name, address: driver.addressOf(x.profile) })),
                      ]
                    : people.map((x) => ({ name: x.name, address: driver.addressOf(x.profile) })),
                },
              ];
            }),
            notes: stepNotes,
          });
        }
      }
      return { matched, steps };
    },

    // ---- the delivery log
    async deliveries(ctx: RequestContext, q: In<typeof DeliveryQuerySchema>) {
      await guard.requireGlobal(db, ctx, 'notify.read', 'notification deliveries');
      const [me] = ctx.actor?.userId ? await activePeople(db, { ids: [ctx.actor.userId] }) : [];
      const lang = me?.locale === 'en-US' ? 'en' : 'zh';
      const { rows, total } = await repo.listDeliveries(db, q);
      return { items: rows.map((r) => repo.presentDelivery(r, lang)), total };
    },
    async delivery(ctx: RequestContext, id: number) {
      await guard.requireGlobal(db, ctx, 'notify.read', 'notification deliveries');
      const row = await repo.getDelivery(db, id);
      if (!row) throw notFound('Delivery', id);
      return { ...repo.presentDelivery(row), body: row.body, html: row.html };
    },
    async resend(ctx: RequestContext, id: number) {
      const out = await db.transaction(async (tx) => {
        await guard.requireGlobal(tx, ctx, 'notify.manage', 'notification deliveries');
        const row = await repo.getDelivery(tx, id);
        if (!row) throw notFound('Delivery', id);
        if (row.user_id !== null && !driverFor(row.channel_kind).grouped) {
          const { people } = await resolveRecipients(
            tx,
            [{ type: 'user', userId: row.user_id }],
            { path: null, at: clock.now() },
            deps.onDuty,
          );
          const person = people[0];
          const address = person ? driverFor(row.channel_kind).addressOf(person.profile) : null;
          if (!person || address === null)
            throw conflict(
              `${row.user_name ?? `User ${row.user_id}`} still has no address for ${row.channel_name}: add it in their notification settings first`,
            );
          await repo.readdressDelivery(tx, id, address, [
            { userId: person.userId, name: person.name, address, mobile: person.profile.mobile },
          ]);
        }
        if (!(await repo.requeueDelivery(tx, id, clock.now())))
          throw conflict(`Only a failed or dead delivery can be sent again (this one is ${row.status})`);
        await audit.append(tx, ctx, {
          action: 'notify.delivery.resend',
          targetType: 'notify_delivery',
          targetId: id,
          before: { status: row.status, lastError: row.last_error },
          targetLabel: `${row.channel_name} → ${row.user_name ?? row.address ?? ''}`,
        });
        return repo.presentDelivery((await repo.getDelivery(tx, id))!);
      });
      wakeHook?.();
      return out;
    },
    async health(ctx: RequestContext) {
      await guard.requireGlobal(db, ctx, 'notify.read', 'notification health');
      const h = await repo.health(db);
      return {
        outboxPending: h.outbox,
        escalationsPending: h.esc,
        deliveriesPending: h.pending,
        deliveriesDead: h.dead,
        lastTickAt: worker.stats.lastTickAt?.toISOString() ?? null,
        tickFailures: worker.stats.tickFailures,
      };
    },

    // ---- the signed-in person's own
    async myNotifications(ctx: RequestContext, q: In<typeof NotificationQuerySchema>) {
      const userId = own(ctx);
      const rows = await repo.listNotifications(db, userId, q);
      return { items: rows.map(repo.presentNotification), unread: await repo.unreadCount(db, userId) };
    },
    async markRead(ctx: RequestContext, input: In<typeof MarkReadSchema>) {
      const userId = own(ctx);
      await repo.markRead(db, userId, input.ids ?? null, clock.now());
      return { unread: await repo.unreadCount(db, userId) };
    },
    async myProfile(ctx: RequestContext): Promise<NotifyProfile> {
      const userId = own(ctx);
      const { people } = await resolveRecipients(
        db,
        [{ type: 'user', userId }],
        { path: null, at: clock.now() },
        deps.onDuty,
      );
      const person = people[0];
      if (!person) throw notFound('User', userId);
      return person.profile;
    },
    async updateMyProfile(ctx: RequestContext, input: In<typeof UpdateNotifyProfileSchema>) {
      const userId = own(ctx);
      const before = await this.myProfile(ctx);
      await db.transaction(async (tx) => {
        const [current] = await repo.profiles(tx, [userId]);
        if (input.email !== undefined || input.mobile !== undefined || input.locale !== undefined)
          await updateContact(
            tx,
            userId,
            {
              ...(input.email !== undefined ? { email: input.email } : {}),
              ...(input.mobile !== undefined ? { phone: input.mobile } : {}),
              ...(input.locale !== undefined ? { locale: input.locale } : {}),
            },
            clock.now(),
          );
        const pick = <K extends keyof repo.ProfileRow>(k: K, v: repo.ProfileRow[K] | undefined) =>
          v !== undefined ? v : (current?.[k] ?? null);
        await repo.upsertProfile(
          tx,
          {
            user_id: userId,
            wecom_user_id: pick('wecom_user_id', input.wecomUserId),
            dingtalk_user_id: pick('dingtalk_user_id', input.dingtalkUserId),
            feishu_user_id: pick('feishu_user_id', input.feishuUserId),
            quiet_from:
              input.quietHours === undefined
                ? (current?.quiet_from ?? null)
                : (input.quietHours?.from ?? null),
            quiet_to:
              input.quietHours === undefined ? (current?.quiet_to ?? null) : (input.quietHours?.to ?? null),
          },
          clock.now(),
        );
        await audit.append(tx, ctx, {
          action: 'notify.profile.update',
          targetType: 'user',
          targetId: userId,
          before,
          after: input,
        });
      });
      return this.myProfile(ctx);
    },
    /** Deletes ended notifications older than `days` days (the scheduler, hourly). */
    async retention(days: number) {
      if (days <= 0) return { deliveries: 0, events: 0 };
      return repo.prune(db, new Date(clock.now().getTime() - days * 86_400_000));
    },
    /** Acknowledging or opening an alarm reads its notifications. */
    readByAlarm: (alarmKey: string) => repo.markReadByAlarm(db, alarmKey, clock.now()),
  };
}

function own(ctx: RequestContext): number {
  const id = ctx.actor?.userId;
  if (id === null || id === undefined)
    throw new AppError('forbidden', 'Only a signed-in person has notifications');
  return id;
}
