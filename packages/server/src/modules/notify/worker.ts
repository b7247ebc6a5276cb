import {
  type Locale,
  NOTIFY_TRIGGER_KINDS,
  type Notification,
  type NotifyEvent,
  type NotifyEventKind,
} from '@aegis/shared';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/index.js';
import { activePeople } from '../users/index.js';
import { driverFor } from './channels/index.js';
import {
  type Attachment,
  type OutboundMessage,
  type SendContext,
  SendError,
  type Target,
} from './channels/types.js';
import { type OnDutyLookup, permissionFor, resolveRecipients } from './recipients.js';
import { renderMessage } from './render.js';
import * as repo from './repo.js';
import {
  backoffMs,
  type PolicySpec,
  policyMatches,
  quietUntil,
  stepOf,
  stopConditionOf,
} from './schedule.js';

export interface WorkerLog {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface WorkerDeps {
  db: Db;
  clock: Clock;
  settings: { timezone: string; publicUrl: string | null; concurrency: number; maxAttempts: number };
  /** A plant node's path (a policy's scope), null when the node is gone. */
  nodePath(nodeId: number, db: Db): Promise<string | null>;
  onDuty: OnDutyLookup;
  /** Opens a channel's sealed secrets. */
  openSecrets(channel: repo.ChannelRow): Record<string, unknown>;
  checkOutbound: SendContext['checkOutbound'];
  /** Files an e-mail of this event carries (a report.ready event's PDF); none when absent. */
  attachmentsFor?(event: repo.EventRow): Promise<Attachment[]>;
  /** Told after in-app notifications are committed (the bells update live). */
  onNotifications(batch: Array<{ userId: number; notification: Notification }>): void;
  log(): WorkerLog;
}

const TRIGGERS = new Set<NotifyEventKind>(NOTIFY_TRIGGER_KINDS);
/**
 * How long a claim holds: longer than the channel can take to answer (its own time-out, 20 s to
 * spare), so a live sender keeps it, and short enough that a message whose sender died goes out
 * again soon. E-mail: connect 15 s + greeting 10 s + 20 s idle per step.
 */
export function leaseMsFor(channel: { kind: string; settings: Record<string, unknown> }) {
  const own = typeof channel.settings.timeoutMs === 'number' ? channel.settings.timeoutMs : null;
  const timeout = own ?? (channel.kind === 'email' ? 70_000 : 10_000);
  return timeout + 20_000;
}

export const toNotifyEvent = (r: repo.EventRow): NotifyEvent => ({
  id: r.id,
  kind: r.kind,
  at: r.at.toISOString(),
  priority: r.priority,
  path: r.path,
  subject: r.subject,
  title: r.payload.title,
  alarmText: (r.payload.alarmText ?? null) as NotifyEvent['alarmText'],
  value: r.payload.value ?? null,
  link: r.payload.link,
});

interface LoadedPolicy {
  row: repo.PolicyRow;
  nodePath: string | null;
  /** The policy's node no longer exists: it matches nothing rather than everything. */
  orphan: boolean;
}

/**
 * The notification worker (scheduler role): outbox → escalations → deliveries → channels. Each
 * stage claims its rows with FOR UPDATE SKIP LOCKED inside a transaction, so a crash repeats
 * nothing that committed and two workers on PostgreSQL never take the same row.
 */
export function createNotifyWorker(deps: WorkerDeps) {
  const { db, clock, settings } = deps;
  const stats = { ticks: 0, tickFailures: 0, lastTickAt: null as Date | null, sent: 0, failed: 0 };
  let running: Promise<void> | null = null;
  let again = false;

  async function loadPolicies(tx: Db): Promise<Map<number, LoadedPolicy>> {
    const out = new Map<number, LoadedPolicy>();
    for (const row of await repo.listPolicies(tx)) {
      const nodeId = row.spec.match.nodeId;
      const nodePath = nodeId === null ? null : await deps.nodePath(nodeId, tx);
      out.set(row.id, { row, nodePath, orphan: nodeId !== null && nodePath === null });
    }
    return out;
  }

  /** Outbox → escalations (and stops), once per event. */
  async function dispatch(): Promise<number> {
    return db.transaction(async (tx) => {
      const events = await repo.claimOutbox(tx, 500);
      if (!events.length) return 0;
      const policies = [...(await loadPolicies(tx)).values()].filter((p) => p.row.enabled && !p.orphan);
      const now = clock.now();
      for (const e of events) {
        const stop = stopConditionOf(e.kind);
        if (stop) {
          await repo.stopEscalations(tx, {
            subject: e.subject,
            policyIds: policies.filter((p) => p.row.spec.stopOn.includes(stop)).map((p) => p.row.id),
            beforeEventId: e.id,
            reason: e.kind,
            now,
          });
        }
        if (!TRIGGERS.has(e.kind)) continue;
        for (const p of policies) {
          if (!policyMatches(p.row.spec, e, p.nodePath, settings.timezone)) continue;
          const first = stepOf(p.row.spec, 0);
          if (!first) continue;
          await repo.insertEscalation(tx, {
            policyId: p.row.id,
            eventId: e.id,
            subject: e.subject,
            dueAt: new Date(e.at.getTime() + first.offsetMs),
            now,
          });
        }
      }
      await repo.markDispatched(
        tx,
        events.map((e) => e.id),
        now,
      );
      return events.length;
    });
  }

  /** Due escalation steps → deliveries, per recipient and channel. */
  async function escalate(): Promise<number> {
    return db.transaction(async (tx) => {
      const now = clock.now();
      // Small batches: on PGlite a transaction holds the event loop until it ends.
      const due = await repo.claimDueEscalations(tx, now, 50);
      if (!due.length) return 0;
      const policies = await loadPolicies(tx);
      const channels = new Map((await repo.listChannels(tx)).map((c) => [c.id, c]));
      const events = new Map(
        (
          await repo.eventsByIds(
            tx,
            due.map((d) => d.event_id),
          )
        ).map((e) => [e.id, e]),
      );
      // A flood of events at one place asks who to tell once per level, not once per event.
      const people = new Map<string, ReturnType<typeof resolveRecipients>>();
      const batch: repo.NewDelivery[] = [];
      for (const esc of due) {
        const policy = policies.get(esc.policy_id);
        const event = events.get(esc.event_id);
        if (!policy || !event || !policy.row.enabled || policy.orphan) {
          await repo.endEscalation(tx, esc.id, 'policy disabled or removed', now);
          continue;
        }
        const spec = policy.row.spec;
        const step = stepOf(spec, esc.step);
        if (!step) {
          await repo.advanceEscalation(tx, esc.id, null, now);
          continue;
        }
        await deliverStep(tx, {
          esc,
          spec,
          policyId: policy.row.id,
          step,
          event,
          channels,
          now,
          people,
          batch,
        });
        const next = stepOf(spec, esc.step + 1);
        await repo.advanceEscalation(
          tx,
          esc.id,
          next ? { step: esc.step + 1, dueAt: new Date(event.at.getTime() + next.offsetMs) } : null,
          now,
        );
        // Subscribers (ERP, ticketing) hear that an alarm went up a level.
        if (step.level > 0 && step.repeat === 0 && event.kind !== 'alarm.escalated') {
          await repo.insertEvents(tx, [
            {
              kind: 'alarm.escalated',
              at: now,
              priority: event.priority,
              path: event.path,
              subject: event.subject,
              payload: {
                ...event.payload,
                title: {
                  zh: `${event.payload.title.zh}（未确认，已升级至第 ${step.level + 1} 级）`,
                  en: `${event.payload.title.en} (not acknowledged, escalated to level ${step.level + 1})`,
                },
              },
            },
          ]);
        }
      }
      await repo.insertDeliveries(tx, batch);
      return due.length;
    });
  }

  async function deliverStep(
    tx: Db,
    s: {
      esc: repo.EscalationRow;
      spec: PolicySpec;
      policyId: number;
      step: NonNullable<ReturnType<typeof stepOf>>;
      event: repo.EventRow;
      channels: Map<number, repo.ChannelRow>;
      now: Date;
      people: Map<string, ReturnType<typeof resolveRecipients>>;
      batch: repo.NewDelivery[];
    },
  ) {
    const level = s.spec.levels[s.step.level]!;
    const permission = permissionFor(s.event.kind);
    const assignee = s.event.payload.assignee;
    // People named by the record differ per event: those events are not shared in the cache.
    const cacheKey = `${s.policyId}:${s.step.level}:${s.event.path}:${permission}${assignee ? `:${s.event.id}` : ''}`;
    let resolving = s.people.get(cacheKey);
    if (!resolving) {
      resolving = resolveRecipients(
        tx,
        level.recipients,
        { path: s.event.path, at: s.now, permission, assignee: assignee ?? {} },
        deps.onDuty,
      );
      s.people.set(cacheKey, resolving);
    }
    const { people, notes } = await resolving;
    if (notes.length)
      deps.log().warn({ policy: s.policyId, event: s.event.id, notes }, 'notification recipients');
    for (const channelId of level.channelIds) {
      const channel = s.channels.get(channelId);
      if (!channel) continue;
      const driver = driverFor(channel.kind);
      const base = {
        eventId: s.event.id,
        escalationId: s.esc.id,
        policyId: s.policyId,
        level: s.step.level,
        repeat: s.step.repeat,
        channelId,
        now: s.now,
      };
      const key = `esc${s.esc.id}:s${s.esc.step}:c${channelId}`;
      if (driver.grouped) {
        const targets: repo.DeliveryTarget[] = people.map((p) => ({
          userId: p.userId,
          name: p.name,
          address: driver.addressOf(p.profile),
          mobile: p.profile.mobile,
        }));
        await planDelivery(
          tx,
          {
            ...base,
            idemKey: key,
            userId: null,
            address: null,
            targets,
            groupKey: `p${s.policyId}:l${s.step.level}:c${channelId}`,
            dueAt: s.now,
          },
          s.spec.groupSeconds,
          s.batch,
        );
        continue;
      }
      for (const p of people) {
        const address = driver.addressOf(p.profile);
        const d: repo.NewDelivery = {
          ...base,
          idemKey: `${key}:u${p.userId}`,
          userId: p.userId,
          address,
          targets: [{ userId: p.userId, name: p.name, address, mobile: p.profile.mobile }],
          groupKey: `p${s.policyId}:l${s.step.level}:c${channelId}:u${p.userId}`,
          dueAt: quietUntil(p.profile.quietHours, s.event.priority, s.now, settings.timezone) ?? s.now,
        };
        if (address === null) {
          // Visible in the delivery log, not silently skipped: the person's profile lacks the address.
          const id = await repo.insertDelivery(tx, d);
          if (id !== null)
            await repo.markFailed(tx, id, {
              status: 'failed',
              error: noAddress(p.name, channel.kind),
              nextAttemptAt: null,
            });
          continue;
        }
        await planDelivery(tx, d, s.spec.groupSeconds, s.batch);
      }
    }
  }

  /**
   * Grouping: a message still waiting in its group takes the event in; after a message went out,
   * the next waits for the end of the group window, so a flood becomes one message with a count.
   */
  async function planDelivery(tx: Db, d: repo.NewDelivery, groupSeconds: number, batch: repo.NewDelivery[]) {
    // Without grouping nothing needs looking up first: the batch goes in with one statement.
    if (groupSeconds === 0) {
      batch.push(d);
      return;
    }
    {
      const leader = await repo.groupLeader(tx, d.groupKey);
      if (leader?.status === 'pending' && (await repo.joinLeader(tx, leader.id, d.eventId))) {
        await repo.insertDelivery(tx, { ...d }, 'merged', leader.id);
        return;
      }
      if (leader) {
        const anchor = (leader.sent_at ?? leader.next_attempt_at ?? leader.created_at).getTime();
        const windowEnd = anchor + groupSeconds * 1000;
        if (windowEnd > d.now.getTime())
          d = { ...d, dueAt: new Date(Math.max(d.dueAt.getTime(), windowEnd)) };
      }
    }
    await repo.insertDelivery(tx, d);
  }

  /** What rendering a message needs: its events, the person's language, the policy's wording. */
  async function contextOf(list: repo.ClaimedDelivery[], from: Db) {
    const policies = new Map((await repo.listPolicies(from)).map((p) => [p.id, p]));
    const eventIds = [...new Set(list.flatMap((d) => d.event_ids))];
    const events = new Map((await repo.eventsByIds(from, eventIds)).map((e) => [e.id, e]));
    const userIds = [...new Set(list.map((d) => d.user_id).filter((x): x is number => x !== null))];
    const locales = new Map((await activePeople(from, { ids: userIds })).map((u) => [u.id, u.locale]));
    return (d: repo.ClaimedDelivery) => ({
      events: d.event_ids.map((id) => events.get(id)).filter((e): e is repo.EventRow => !!e),
      locale: ((d.user_id !== null ? locales.get(d.user_id) : undefined) ?? 'zh-CN') as Locale,
      template: d.policy_id !== null ? (policies.get(d.policy_id)?.spec.template ?? null) : null,
    });
  }

  function render(
    d: repo.ClaimedDelivery,
    ctx: { events: repo.EventRow[]; locale: Locale; template: string | null },
  ) {
    return renderMessage(ctx.events.map(toNotifyEvent), {
      locale: ctx.locale,
      publicUrl: settings.publicUrl,
      timezone: settings.timezone,
      template: ctx.template,
      idempotencyKey: `aegis-${d.idem_key}`,
    });
  }

  /**
   * In-app messages: claimed, marked sent and written into the notification centre in one
   * transaction per batch, so each is delivered exactly once; the bells ring after the commit.
   */
  async function sendInapp(): Promise<number> {
    let rung: repo.NotificationRow[] = [];
    const n = await db.transaction(async (tx) => {
      const now = clock.now();
      const claimed = await repo.claimInapp(tx, now, 500);
      if (!claimed.length) return 0;
      const contextFor = await contextOf(claimed, tx);
      const ready: Parameters<typeof repo.deliverInapp>[1] = [];
      for (const d of claimed) {
        const ctx = contextFor(d);
        const first = ctx.events[0];
        if (!first || d.user_id === null) {
          await repo.markFailed(tx, d.id, {
            status: 'failed',
            error: first ? 'in-app needs a person' : 'the event is gone',
            nextAttemptAt: null,
          });
          continue;
        }
        let message: OutboundMessage;
        try {
          message = render(d, ctx);
        } catch (e) {
          await repo.markFailed(tx, d.id, {
            status: 'failed',
            error: `message could not be rendered: ${(e as Error).message}`,
            nextAttemptAt: null,
          });
          continue;
        }
        ready.push({
          deliveryId: d.id,
          userId: d.user_id,
          eventId: first.id,
          kind: first.kind,
          priority: first.priority,
          title: message.subject,
          subject: message.subject,
          text: message.text,
          // The centre shows the title above the body: the body starts after the headline.
          body: message.text.split('\n').slice(1).join('\n').trim(),
          link: first.payload.link,
          alarmKey: first.kind.startsWith('alarm.') ? first.subject : null,
          count: ctx.events.length,
          latencyMs: now.getTime() - first.at.getTime(),
        });
      }
      rung = await repo.deliverInapp(tx, ready, now);
      return claimed.length;
    });
    stats.sent += rung.length;
    if (rung.length)
      deps.onNotifications(
        rung.map((r) => ({ userId: Number(r.user_id), notification: repo.presentNotification(r) })),
      );
    return n;
  }

  // ---- external channels: one lane per channel, beside the pass, so a slow provider holds up
  // nobody else (not the bells, not the escalations, not the other channels).
  const lanes = new Map<number, Promise<void>>();
  let stopped = false;

  function kickLanes(channelIds: number[]) {
    for (const id of channelIds) {
      if (lanes.has(id) || stopped) continue;
      const lane = runLane(id)
        .catch((err) => {
          stats.tickFailures++;
          deps.log().error({ err, channel: id }, 'notification channel lane failed');
        })
        .finally(() => lanes.delete(id));
      lanes.set(id, lane);
    }
  }

  /** Claims at most `concurrency` messages at a time (each sent right away, well inside its lease). */
  async function runLane(channelId: number) {
    while (!stopped) {
      const now = clock.now();
      const channel = await repo.getChannel(db, channelId);
      if (!channel) return;
      // A rate-limited provider: everything due is taken at once, so what exceeds the limit can be
      // merged into the messages it allows; others: a few at a time, each sent right away.
      const { limits } = driverFor(channel.kind);
      const take = limits.perMinute || limits.perSecond ? 500 : settings.concurrency;
      const claimed = await repo.claimDeliveries(db, now, leaseMsFor(channel), take, channelId);
      if (!claimed.length) return;
      const ready = await applyRateLimit(channel, claimed, now);
      if (!ready.length) return; // deferred to when the provider's window allows more
      const contextFor = await contextOf(ready, db);
      for (let i = 0; i < ready.length; i += settings.concurrency)
        await Promise.all(
          ready.slice(i, i + settings.concurrency).map((d) => sendExternal(d, channel, contextFor(d))),
        );
    }
  }

  /** Over a provider's limit, the queued messages of a channel go out merged into what the limit allows. */
  async function applyRateLimit(channel: repo.ChannelRow, list: repo.ClaimedDelivery[], now: Date) {
    const { limits } = driverFor(channel.kind);
    if (!limits.perMinute && !limits.perSecond) return list;
    let budget = Number.POSITIVE_INFINITY;
    if (limits.perMinute)
      budget = Math.min(
        budget,
        limits.perMinute - (await repo.sentSince(db, channel.id, new Date(now.getTime() - 60_000))),
      );
    if (limits.perSecond)
      budget = Math.min(
        budget,
        limits.perSecond - (await repo.sentSince(db, channel.id, new Date(now.getTime() - 1000))),
      );
    if (budget >= list.length) return list;
    if (budget <= 0) {
      await repo.deferDeliveries(
        db,
        list.map((d) => d.id),
        new Date(now.getTime() + (limits.perSecond ? 1000 : 5000)),
      );
      return [];
    }
    // Split into `budget` messages; each keeps its first delivery and absorbs the rest.
    const chunks: repo.ClaimedDelivery[][] = Array.from({ length: budget }, () => []);
    for (const [i, d] of list.entries()) chunks[i % budget]!.push(d);
    const out: repo.ClaimedDelivery[] = [];
    for (const chunk of chunks) {
      const [lead, ...rest] = chunk;
      if (!lead) continue;
      if (rest.length) {
        const eventIds = [...new Set(chunk.flatMap((d) => d.event_ids))];
        const targets = dedupeTargets(chunk.flatMap((d) => d.targets));
        await db.transaction((tx) =>
          repo.mergeDeliveries(
            tx,
            lead.id,
            rest.map((d) => d.id),
            eventIds,
          ),
        );
        out.push({ ...lead, event_ids: eventIds, targets });
      } else out.push(lead);
    }
    return out;
  }

  /** Sends one claimed message; every outcome is written only while the claim is still this worker's. */
  async function sendExternal(
    d: repo.ClaimedDelivery,
    channel: repo.ChannelRow,
    ctx: { events: repo.EventRow[]; locale: Locale; template: string | null },
  ) {
    const now = () => clock.now();
    const claim = d.attempts;
    const first = ctx.events[0];
    if (!first) {
      await repo.markFailed(
        db,
        d.id,
        { status: 'failed', error: 'the event is gone', nextAttemptAt: null },
        claim,
      );
      return;
    }
    let message: OutboundMessage;
    try {
      message = render(d, ctx);
      if (channel.kind === 'email' && deps.attachmentsFor) {
        const files = (await Promise.all(ctx.events.map((e) => deps.attachmentsFor!(e)))).flat();
        if (files.length) message = { ...message, attachments: files };
      }
    } catch (e) {
      await repo.markFailed(
        db,
        d.id,
        {
          status: 'failed',
          error: `message could not be rendered: ${(e as Error).message}`,
          nextAttemptAt: null,
        },
        claim,
      );
      return;
    }
    const record = {
      subject: message.subject,
      body: message.text,
      html: channel.kind === 'email' ? message.html : null,
    };
    if (!channel.enabled) {
      await repo.markFailed(
        db,
        d.id,
        { status: 'failed', error: `channel ${channel.name} is disabled`, nextAttemptAt: null, ...record },
        claim,
      );
      return;
    }
    const driver = driverFor(channel.kind);
    try {
      const result = await driver.send({
        settings: driver.settings.parse(channel.settings),
        secrets: driver.secrets.parse(deps.openSecrets(channel)),
        message,
        targets: d.targets.map((t): Target => ({ ...t })),
        ctx: { checkOutbound: deps.checkOutbound, now },
      });
      const sentAt = now();
      const mine = await repo.markSent(
        db,
        d.id,
        {
          ...record,
          sentAt,
          latencyMs: sentAt.getTime() - first.at.getTime(),
          providerReply: result.providerReply,
        },
        claim,
      );
      if (mine) stats.sent++;
    } catch (e) {
      stats.failed++;
      const err = e instanceof SendError ? e : new SendError((e as Error).message ?? String(e), true);
      const exhausted = d.attempts >= settings.maxAttempts;
      const status = !err.retryable ? 'failed' : exhausted ? 'dead' : 'pending';
      // A worker whose lease ran out meanwhile changes nothing: the one that took over decides.
      await repo.markFailed(
        db,
        d.id,
        {
          status,
          error: err.message,
          nextAttemptAt:
            status === 'pending' ? new Date(now().getTime() + backoffMs(d.attempts, err.retryAfterMs)) : null,
          ...record,
        },
        claim,
      );
    }
  }

  /** Lets the event loop breathe between batches (PGlite answers without yielding). */
  const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

  async function work() {
    // Until nothing is left that is due now; each stage commits on its own.
    for (let round = 0; round < 50; round++) {
      const n = (await dispatch()) + (await escalate()) + (await sendInapp());
      kickLanes(await repo.channelsWithDueWork(db, clock.now()));
      if (n === 0) break;
      await breathe();
    }
  }

  async function pass(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          stats.ticks++;
          stats.lastTickAt = clock.now();
          await work();
        } while (again);
      } catch (e) {
        stats.tickFailures++;
        deps.log().error({ err: e }, 'notification worker pass failed');
      } finally {
        running = null;
      }
    })();
    return running;
  }

  return {
    stats,
    /** One pass (outbox, escalations, in-app); external channels are started and left to run. */
    pulse: pass,
    /** A pass, then until every channel lane started has finished (tests, shutdown, benchmarks). */
    async tick(): Promise<void> {
      for (let i = 0; i < 20; i++) {
        await pass();
        if (!lanes.size) return;
        await Promise.all([...lanes.values()]);
      }
    },
    /** Stops starting lanes and waits for those running. */
    async stop() {
      stopped = true;
      await Promise.all([...lanes.values()]);
    },
  };
}

function dedupeTargets(targets: repo.DeliveryTarget[]) {
  const seen = new Set<string>();
  return targets.filter((t) => {
    const k = `${t.userId}:${t.address}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The delivery log is read in both languages: the worker's own errors say it in both. */
function noAddress(name: string, kind: string) {
  const [zh, en] =
    kind === 'email'
      ? ['电子邮件地址', 'e-mail address']
      : kind === 'sms'
        ? ['手机号', 'mobile number']
        : [`${kind} 用户 ID`, `${kind} user id`];
  return `${name} 的通知设置中没有${zh}（${name} has no ${en} in their profile）`;
}
