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
import { type OutboundMessage, type SendContext, SendError, type Target } from './channels/types.js';
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
  /** Told after an in-app notification is committed (the bell updates live). */
  onNotification(userId: number, notification: Notification): void;
  log(): WorkerLog;
}

const TRIGGERS = new Set<NotifyEventKind>(NOTIFY_TRIGGER_KINDS);
const LEASE_MS = 60_000;

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
      const due = await repo.claimDueEscalations(tx, now, 200);
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
        await deliverStep(tx, { esc, spec, policyId: policy.row.id, step, event, channels, now });
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
    },
  ) {
    const level = s.spec.levels[s.step.level]!;
    const { people, notes } = await resolveRecipients(
      tx,
      level.recipients,
      { path: s.event.path, at: s.now, permission: permissionFor(s.event.kind) },
      deps.onDuty,
    );
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
        await planDelivery(tx, d, s.spec.groupSeconds);
      }
    }
  }

  /**
   * Grouping: a message still waiting in its group takes the event in; after a message went out,
   * the next waits for the end of the group window, so a flood becomes one message with a count.
   */
  async function planDelivery(tx: Db, d: repo.NewDelivery, groupSeconds: number) {
    if (groupSeconds > 0) {
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

  /** Due deliveries → channels, with retries, rate limits (merged, never dropped) and dead letters. */
  async function send(): Promise<number> {
    const now = clock.now();
    const claimed = await repo.claimDeliveries(db, now, LEASE_MS, 200);
    if (!claimed.length) return 0;
    const channels = new Map((await repo.listChannels(db)).map((c) => [c.id, c]));
    const policies = new Map((await repo.listPolicies(db)).map((p) => [p.id, p]));
    const eventIds = [...new Set(claimed.flatMap((d) => d.event_ids))];
    const events = new Map((await repo.eventsByIds(db, eventIds)).map((e) => [e.id, e]));
    const userIds = [...new Set(claimed.map((d) => d.user_id).filter((x): x is number => x !== null))];
    const locales = new Map((await activePeople(db, { ids: userIds })).map((u) => [u.id, u.locale]));
    const byChannel = new Map<number, repo.ClaimedDelivery[]>();
    for (const d of claimed) byChannel.set(d.channel_id, [...(byChannel.get(d.channel_id) ?? []), d]);

    const lanes: Array<Promise<void>> = [];
    for (const [channelId, list] of byChannel) {
      const jobs: Array<() => Promise<void>> = [];
      const channel = channels.get(channelId);
      if (!channel) continue;
      const ready = await applyRateLimit(channel, list, now);
      for (const d of ready)
        jobs.push(() =>
          sendOne(d, channel, {
            events: d.event_ids.map((id) => events.get(id)).filter((e): e is repo.EventRow => !!e),
            locale: (d.user_id !== null ? locales.get(d.user_id) : undefined) ?? 'zh-CN',
            template: d.policy_id !== null ? (policies.get(d.policy_id)?.spec.template ?? null) : null,
          }),
        );
      lanes.push(runLimited(jobs, settings.concurrency));
    }
    // Channels send side by side, each with its own concurrency.
    await Promise.all(lanes);
    return claimed.length;
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

  async function sendOne(
    d: repo.ClaimedDelivery,
    channel: repo.ChannelRow,
    ctx: { events: repo.EventRow[]; locale: Locale; template: string | null },
  ) {
    const now = () => clock.now();
    const first = ctx.events[0];
    if (!first) {
      await repo.markFailed(db, d.id, { status: 'failed', error: 'the event is gone', nextAttemptAt: null });
      return;
    }
    let message: OutboundMessage;
    try {
      message = renderMessage(ctx.events.map(toNotifyEvent), {
        locale: ctx.locale,
        publicUrl: settings.publicUrl,
        timezone: settings.timezone,
        template: ctx.template,
        idempotencyKey: `aegis-${d.idem_key}`,
      });
    } catch (e) {
      await repo.markFailed(db, d.id, {
        status: 'failed',
        error: `message could not be rendered: ${(e as Error).message}`,
        nextAttemptAt: null,
      });
      return;
    }
    const record = {
      subject: message.subject,
      body: message.text,
      html: channel.kind === 'email' ? message.html : null,
    };
    if (channel.kind === 'inapp') {
      if (d.user_id === null) {
        await repo.markFailed(db, d.id, {
          status: 'failed',
          error: 'in-app needs a person',
          nextAttemptAt: null,
        });
        return;
      }
      const sentAt = now();
      // The notification and "sent" commit together: in-app delivery is exactly once.
      const row = await db.transaction(async (tx) => {
        await repo.markSent(tx, d.id, {
          ...record,
          sentAt,
          latencyMs: sentAt.getTime() - first.at.getTime(),
          providerReply: null,
        });
        return repo.insertNotification(tx, {
          userId: d.user_id!,
          deliveryId: d.id,
          eventId: first.id,
          kind: first.kind,
          priority: first.priority,
          title: message.subject,
          // The centre shows the title above the body: the body starts after the headline.
          body: message.text.split('\n').slice(1).join('\n').trim(),
          link: first.payload.link,
          alarmKey: first.kind.startsWith('alarm.') ? first.subject : null,
          count: ctx.events.length,
          now: sentAt,
        });
      });
      stats.sent++;
      if (row) deps.onNotification(d.user_id, repo.presentNotification(row));
      return;
    }
    if (!channel.enabled) {
      await repo.markFailed(db, d.id, {
        status: 'failed',
        error: `channel ${channel.name} is disabled`,
        nextAttemptAt: null,
        ...record,
      });
      return;
    }
    const driver = driverFor(channel.kind);
    try {
      const settingsParsed = driver.settings.parse(channel.settings);
      const secrets = driver.secrets.parse(deps.openSecrets(channel));
      const targets: Target[] = d.targets.map((t) => ({ ...t }));
      const result = await driver.send({
        settings: settingsParsed,
        secrets,
        message,
        targets,
        ctx: { checkOutbound: deps.checkOutbound, now },
      });
      const sentAt = now();
      await repo.markSent(db, d.id, {
        ...record,
        sentAt,
        latencyMs: sentAt.getTime() - first.at.getTime(),
        providerReply: result.providerReply,
      });
      stats.sent++;
    } catch (e) {
      stats.failed++;
      const err = e instanceof SendError ? e : new SendError((e as Error).message ?? String(e), true);
      const exhausted = d.attempts >= settings.maxAttempts;
      const status = !err.retryable ? 'failed' : exhausted ? 'dead' : 'pending';
      await repo.markFailed(db, d.id, {
        status,
        error: err.message,
        nextAttemptAt:
          status === 'pending' ? new Date(now().getTime() + backoffMs(d.attempts, err.retryAfterMs)) : null,
        ...record,
      });
    }
  }

  async function work() {
    // Until nothing is left that is due now; each stage commits on its own.
    for (let round = 0; round < 50; round++) {
      const n = (await dispatch()) + (await escalate()) + (await send());
      if (n === 0) break;
    }
  }

  return {
    stats,
    /** One pass of the worker; concurrent calls share it (and one more pass follows). */
    async tick(): Promise<void> {
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

async function runLimited(jobs: Array<() => Promise<void>>, concurrency: number) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, jobs.length) }, async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      await job();
    }
  });
  await Promise.all(lanes);
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
