import type { AlarmPriority, ChannelKind, NotifyEventKind } from '@aegis/shared';
import type { Db } from '../../db/index.js';
import type { PolicySpec } from './schedule.js';

// The notification tables: outbox, channels, policies, escalations, deliveries, in-app
// notifications and personal settings. Only this file touches them.

export interface EventPayload {
  title: { zh: string; en: string };
  alarmText: unknown;
  value: number | boolean | string | null;
  link: string;
  /** Who the record names as responsible now (recipient type 'assignee'): people, a post or a team. */
  assignee?: EventAssignee;
}
export interface EventAssignee {
  userIds?: number[];
  postId?: number | null;
  teamId?: number | null;
}
export interface EventInput {
  kind: NotifyEventKind;
  at: Date;
  priority: AlarmPriority | null;
  path: string | null;
  subject: string;
  payload: EventPayload;
}
export interface EventRow {
  id: number;
  kind: NotifyEventKind;
  at: Date;
  priority: AlarmPriority | null;
  path: string | null;
  subject: string;
  payload: EventPayload;
}

/** The outbox: one statement for any number of events, in the caller's transaction. */
export async function insertEvents(db: Db, events: EventInput[]) {
  if (!events.length) return;
  await db.query(
    `INSERT INTO notify_event (kind, at, priority, path, subject, payload)
     SELECT x.kind, x.at, x.priority, x.path, x.subject, x.payload
     FROM jsonb_to_recordset($1::jsonb) AS x(kind text, at timestamptz, priority text, path text, subject text, payload jsonb)`,
    [JSON.stringify(events.map((e) => ({ ...e, at: e.at.toISOString() })))],
  );
}

export async function claimOutbox(tx: Db, limit: number) {
  return tx.query<EventRow>(
    `SELECT id, kind, at, priority, path, subject, payload FROM notify_event
     WHERE dispatched_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
}

export async function markDispatched(tx: Db, ids: number[], now: Date) {
  await tx.query('UPDATE notify_event SET dispatched_at = $2 WHERE id = ANY($1::bigint[])', [ids, now]);
}

export async function eventsByIds(db: Db, ids: number[]) {
  return db.query<EventRow>(
    'SELECT id, kind, at, priority, path, subject, payload FROM notify_event WHERE id = ANY($1::bigint[]) ORDER BY id',
    [ids],
  );
}

export async function insertEscalation(
  tx: Db,
  e: { policyId: number; eventId: number; subject: string; dueAt: Date; now: Date },
) {
  await tx.query(
    `INSERT INTO notify_escalation (policy_id, event_id, subject, step, due_at, state, created_at, updated_at)
     VALUES ($1, $2, $3, 0, $4, 'pending', $5, $5) ON CONFLICT (policy_id, event_id) DO NOTHING`,
    [e.policyId, e.eventId, e.subject, e.dueAt, e.now],
  );
}

/** Stops the pending escalations of a subject started before the stopping event, under these policies. */
export async function stopEscalations(
  tx: Db,
  s: { subject: string; policyIds: number[]; beforeEventId: number; reason: string; now: Date },
) {
  if (!s.policyIds.length) return 0;
  const rows = await tx.query(
    `UPDATE notify_escalation SET state = 'stopped', stopped_reason = $4, updated_at = $5
     WHERE subject = $1 AND state = 'pending' AND policy_id = ANY($2::bigint[]) AND event_id < $3
     RETURNING id`,
    [s.subject, s.policyIds, s.beforeEventId, s.reason, s.now],
  );
  return rows.length;
}

export interface EscalationRow {
  id: number;
  policy_id: number;
  event_id: number;
  subject: string;
  step: number;
  due_at: Date;
}
export async function claimDueEscalations(tx: Db, now: Date, limit: number) {
  return tx.query<EscalationRow>(
    `SELECT id, policy_id, event_id, subject, step, due_at FROM notify_escalation
     WHERE state = 'pending' AND due_at <= $1 ORDER BY due_at, id LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
}

export async function advanceEscalation(
  tx: Db,
  id: number,
  next: { step: number; dueAt: Date } | null,
  now: Date,
) {
  if (next)
    await tx.query('UPDATE notify_escalation SET step = $2, due_at = $3, updated_at = $4 WHERE id = $1', [
      id,
      next.step,
      next.dueAt,
      now,
    ]);
  else
    await tx.query(`UPDATE notify_escalation SET state = 'done', updated_at = $2 WHERE id = $1`, [id, now]);
}

export async function endEscalation(tx: Db, id: number, reason: string, now: Date) {
  await tx.query(
    `UPDATE notify_escalation SET state = 'stopped', stopped_reason = $2, updated_at = $3 WHERE id = $1`,
    [id, reason, now],
  );
}

export interface DeliveryTarget {
  userId: number | null;
  name: string;
  address: string | null;
  mobile: string | null;
}
export interface NewDelivery {
  idemKey: string;
  eventId: number;
  escalationId: number | null;
  policyId: number | null;
  level: number;
  repeat: number;
  channelId: number;
  userId: number | null;
  address: string | null;
  targets: DeliveryTarget[];
  groupKey: string;
  dueAt: Date;
  now: Date;
}

/** The newest message of a group that others may still join or wait behind. */
export async function groupLeader(tx: Db, groupKey: string) {
  const [row] = await tx.query<{
    id: number;
    status: string;
    next_attempt_at: Date | null;
    sent_at: Date | null;
    created_at: Date;
  }>(
    `SELECT id, status, next_attempt_at, sent_at, created_at FROM notify_delivery
     WHERE group_key = $1 AND status <> 'merged' ORDER BY id DESC LIMIT 1 FOR UPDATE`,
    [groupKey],
  );
  return row ?? null;
}

/** Adds an event to a message still waiting in its group window; false when it has left meanwhile. */
export async function joinLeader(tx: Db, leaderId: number, eventId: number) {
  const rows = await tx.query(
    `UPDATE notify_delivery SET event_ids = array_append(event_ids, $2::bigint)
     WHERE id = $1 AND status = 'pending' AND NOT ($2::bigint = ANY(event_ids)) RETURNING id`,
    [leaderId, eventId],
  );
  return rows.length > 0;
}

export async function insertDelivery(
  tx: Db,
  d: NewDelivery,
  status: 'pending' | 'merged' = 'pending',
  mergedInto: number | null = null,
) {
  const rows = await tx.query<{ id: number }>(
    `INSERT INTO notify_delivery (idem_key, event_id, event_ids, escalation_id, policy_id, level, repeat,
       channel_id, user_id, address, targets, group_key, status, next_attempt_at, created_at, merged_into)
     VALUES ($1, $2, ARRAY[$2::bigint], $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
     ON CONFLICT (idem_key) DO NOTHING RETURNING id`,
    [
      d.idemKey,
      d.eventId,
      d.escalationId,
      d.policyId,
      d.level,
      d.repeat,
      d.channelId,
      d.userId,
      d.address,
      JSON.stringify(d.targets),
      d.groupKey,
      status,
      status === 'pending' ? d.dueAt : null,
      d.now,
      mergedInto,
    ],
  );
  return rows[0]?.id ?? null;
}

/** Many new messages in one statement (no grouping to plan); a step already planned adds nothing. */
export async function insertDeliveries(tx: Db, list: NewDelivery[]) {
  if (!list.length) return;
  await tx.query(
    `INSERT INTO notify_delivery (idem_key, event_id, event_ids, escalation_id, policy_id, level, repeat,
       channel_id, user_id, address, targets, group_key, status, next_attempt_at, created_at)
     SELECT x.idem_key, x.event_id, ARRAY[x.event_id], x.escalation_id, x.policy_id, x.level, x.repeat,
       x.channel_id, x.user_id, x.address, x.targets, x.group_key, 'pending', x.due_at, x.now
     FROM jsonb_to_recordset($1::jsonb) AS x(idem_key text, event_id bigint, escalation_id bigint,
       policy_id bigint, level int, repeat int, channel_id bigint, user_id bigint, address text,
       targets jsonb, group_key text, due_at timestamptz, now timestamptz)
     ON CONFLICT (idem_key) DO NOTHING`,
    [
      JSON.stringify(
        list.map((d) => ({
          idem_key: d.idemKey,
          event_id: d.eventId,
          escalation_id: d.escalationId,
          policy_id: d.policyId,
          level: d.level,
          repeat: d.repeat,
          channel_id: d.channelId,
          user_id: d.userId,
          address: d.address,
          targets: d.targets,
          group_key: d.groupKey,
          due_at: d.dueAt.toISOString(),
          now: d.now.toISOString(),
        })),
      ),
    ],
  );
}

export interface ClaimedDelivery {
  id: number;
  idem_key: string;
  event_id: number;
  event_ids: number[];
  policy_id: number | null;
  level: number;
  repeat: number;
  channel_id: number;
  user_id: number | null;
  address: string | null;
  targets: DeliveryTarget[];
  group_key: string;
  attempts: number;
  created_at: Date;
}

/**
 * Takes due messages for sending: marked 'sending' with a lease and committed before anything is
 * sent, so two workers never take the same one; a worker that dies mid-send leaves its lease to
 * run out, and the message is sent again with the same idempotency key.
 */
export async function claimDeliveries(db: Db, now: Date, leaseMs: number, limit: number, channelId: number) {
  const rows = await db.query<ClaimedDelivery>(
    `UPDATE notify_delivery d SET status = 'sending', attempts = d.attempts + 1, lease_until = $2
     WHERE d.id IN (
       SELECT id FROM notify_delivery
       WHERE channel_id = $4
         AND ((status = 'pending' AND next_attempt_at <= $1) OR (status = 'sending' AND lease_until < $1))
       ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
     RETURNING d.id, d.idem_key, d.event_id, d.event_ids, d.policy_id, d.level, d.repeat, d.channel_id,
       d.user_id, d.address, d.targets, d.group_key, d.attempts, d.created_at`,
    [now, new Date(now.getTime() + leaseMs), limit, channelId],
  );
  // node-postgres hands bigint[] over as strings (PGlite as numbers).
  return rows.map((r) => ({ ...r, event_ids: r.event_ids.map(Number) }));
}

/** In-app messages due now, locked for the caller's transaction (they are written in it, no lease). */
export async function claimInapp(tx: Db, now: Date, limit: number) {
  const rows = await tx.query<ClaimedDelivery>(
    `SELECT d.id, d.idem_key, d.event_id, d.event_ids, d.policy_id, d.level, d.repeat, d.channel_id,
       d.user_id, d.address, d.targets, d.group_key, d.attempts, d.created_at
     FROM notify_delivery d JOIN notify_channel c ON c.id = d.channel_id
     WHERE c.kind = 'inapp' AND d.status = 'pending' AND d.next_attempt_at <= $1
     ORDER BY d.next_attempt_at, d.id LIMIT $2 FOR UPDATE OF d SKIP LOCKED`,
    [now, limit],
  );
  return rows.map((r) => ({ ...r, event_ids: r.event_ids.map(Number) }));
}

/** External channels with messages due (or whose sender's lease ran out). */
export async function channelsWithDueWork(db: Db, now: Date) {
  const rows = await db.query<{ channel_id: number }>(
    `SELECT DISTINCT d.channel_id FROM notify_delivery d JOIN notify_channel c ON c.id = d.channel_id
     WHERE c.kind <> 'inapp'
       AND ((d.status = 'pending' AND d.next_attempt_at <= $1) OR (d.status = 'sending' AND d.lease_until < $1))`,
    [now],
  );
  return rows.map((r) => Number(r.channel_id));
}

/** Unread counts of these people, in one statement. */
export async function unreadCounts(db: Db, userIds: number[]) {
  const rows = await db.query<{ user_id: number; n: number }>(
    `SELECT user_id, count(*)::int AS n FROM notification
     WHERE user_id = ANY($1::bigint[]) AND read_at IS NULL GROUP BY user_id`,
    [userIds],
  );
  return new Map(rows.map((r) => [Number(r.user_id), r.n]));
}

/** Puts messages back in the queue untouched (over a rate limit): no attempt counted. */
export async function deferDeliveries(db: Db, ids: number[], until: Date) {
  await db.query(
    `UPDATE notify_delivery SET status = 'pending', attempts = attempts - 1, next_attempt_at = $2, lease_until = NULL
     WHERE id = ANY($1::bigint[]) AND status = 'sending'`,
    [ids, until],
  );
}

/** Several queued messages went out as one (rate limit): the others point at it. */
export async function mergeDeliveries(tx: Db, leaderId: number, others: number[], eventIds: number[]) {
  await tx.query(
    `UPDATE notify_delivery SET status = 'merged', merged_into = $1, lease_until = NULL
     WHERE id = ANY($2::bigint[])`,
    [leaderId, others],
  );
  await tx.query('UPDATE notify_delivery SET event_ids = $2::bigint[] WHERE id = $1', [leaderId, eventIds]);
}

/**
 * Marks a message sent. `claim` (the attempt number this worker claimed it with) fences a worker
 * whose lease ran out: when another worker took the message over meanwhile, nothing changes and
 * false comes back. Without `claim` (in-app, inside the claiming transaction) it always applies.
 */
export async function markSent(
  tx: Db,
  id: number,
  r: {
    sentAt: Date;
    latencyMs: number;
    subject: string;
    body: string;
    html: string | null;
    providerReply: string | null;
  },
  claim: number | null = null,
) {
  const rows = await tx.query(
    `UPDATE notify_delivery SET status = 'sent', sent_at = $2, latency_ms = $3, subject = $4, body = $5,
       html = $6, provider_reply = $7, last_error = NULL, lease_until = NULL, next_attempt_at = NULL
     WHERE id = $1 AND ($8::int IS NULL OR (status = 'sending' AND attempts = $8)) RETURNING id`,
    [id, r.sentAt, r.latencyMs, r.subject, r.body, r.html, r.providerReply, claim],
  );
  return rows.length > 0;
}

export async function markFailed(
  db: Db,
  id: number,
  r: {
    status: 'pending' | 'failed' | 'dead';
    error: string;
    nextAttemptAt: Date | null;
    subject?: string;
    body?: string;
  },
  claim: number | null = null,
) {
  const rows = await db.query(
    `UPDATE notify_delivery SET status = $2, last_error = $3, next_attempt_at = $4, lease_until = NULL,
       subject = coalesce($5, subject), body = coalesce($6, body)
     WHERE id = $1 AND ($7::int IS NULL OR (status = 'sending' AND attempts = $7)) RETURNING id`,
    [id, r.status, r.error.slice(0, 2000), r.nextAttemptAt, r.subject ?? null, r.body ?? null, claim],
  );
  return rows.length > 0;
}

/** Provider messages of a channel sent since a moment (its rate limit counts these). */
export async function sentSince(db: Db, channelId: number, since: Date) {
  const [row] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM notify_delivery WHERE channel_id = $1 AND status = 'sent' AND sent_at > $2`,
    [channelId, since],
  );
  return row?.n ?? 0;
}

// ---- in-app notifications

/** In-app messages of one batch: all marked sent and written into the centre with two statements. */
export async function deliverInapp(
  tx: Db,
  rows: Array<{
    deliveryId: number;
    userId: number;
    eventId: number;
    kind: string;
    priority: string | null;
    title: string;
    subject: string;
    text: string;
    body: string;
    link: string;
    alarmKey: string | null;
    count: number;
    latencyMs: number;
  }>,
  now: Date,
) {
  if (!rows.length) return [];
  const json = JSON.stringify(rows);
  await tx.query(
    `UPDATE notify_delivery d SET status = 'sent', sent_at = $2, latency_ms = x."latencyMs", subject = x.subject,
       body = x.text, last_error = NULL, lease_until = NULL, next_attempt_at = NULL
     FROM jsonb_to_recordset($1::jsonb) AS x("deliveryId" bigint, "latencyMs" double precision, subject text, text text)
     WHERE d.id = x."deliveryId"`,
    [json, now],
  );
  return tx.query<NotificationRow>(
    `INSERT INTO notification (user_id, delivery_id, event_id, kind, priority, title, body, link, alarm_key, count, created_at)
     SELECT x."userId", x."deliveryId", x."eventId", x.kind, x.priority, x.title, x.body, x.link, x."alarmKey", x.count, $2
     FROM jsonb_to_recordset($1::jsonb) AS x("userId" bigint, "deliveryId" bigint, "eventId" bigint, kind text,
       priority text, title text, body text, link text, "alarmKey" text, count int)
     ON CONFLICT (delivery_id) DO NOTHING RETURNING *`,
    [json, now],
  );
}

export async function insertNotification(
  tx: Db,
  n: {
    userId: number;
    deliveryId: number;
    eventId: number;
    kind: string;
    priority: string | null;
    title: string;
    body: string;
    link: string;
    alarmKey: string | null;
    count: number;
    now: Date;
  },
) {
  const [row] = await tx.query<NotificationRow>(
    `INSERT INTO notification (user_id, delivery_id, event_id, kind, priority, title, body, link, alarm_key, count, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (delivery_id) DO NOTHING RETURNING *`,
    [
      n.userId,
      n.deliveryId,
      n.eventId,
      n.kind,
      n.priority,
      n.title,
      n.body,
      n.link,
      n.alarmKey,
      n.count,
      n.now,
    ],
  );
  return row ?? null;
}

export interface NotificationRow {
  id: number;
  user_id: number;
  event_id: number;
  kind: NotifyEventKind;
  priority: AlarmPriority | null;
  title: string;
  body: string;
  link: string;
  alarm_key: string | null;
  count: number;
  created_at: Date;
  read_at: Date | null;
}
export const presentNotification = (r: NotificationRow) => ({
  id: r.id,
  eventId: r.event_id,
  kind: r.kind,
  priority: r.priority,
  title: r.title,
  body: r.body,
  link: r.link,
  alarmKey: r.alarm_key,
  count: r.count,
  createdAt: r.created_at.toISOString(),
  readAt: r.read_at?.toISOString() ?? null,
});

export async function listNotifications(
  db: Db,
  userId: number,
  q: { unreadOnly: boolean; limit: number; before?: number | undefined },
) {
  return db.query<NotificationRow>(
    `SELECT * FROM notification WHERE user_id = $1 AND ($2::boolean = false OR read_at IS NULL)
       AND ($3::bigint IS NULL OR id < $3) ORDER BY id DESC LIMIT $4`,
    [userId, q.unreadOnly, q.before ?? null, q.limit],
  );
}

export async function unreadCount(db: Db, userId: number) {
  const [row] = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM notification WHERE user_id = $1 AND read_at IS NULL',
    [userId],
  );
  return row?.n ?? 0;
}

export async function markRead(db: Db, userId: number, ids: number[] | null, now: Date) {
  await db.query(
    `UPDATE notification SET read_at = $3 WHERE user_id = $1 AND read_at IS NULL
       AND ($2::bigint[] IS NULL OR id = ANY($2::bigint[]))`,
    [userId, ids, now],
  );
}

/** Opening or acknowledging an alarm reads its notifications too. */
export async function markReadByAlarm(db: Db, alarmKey: string, now: Date) {
  await db.query('UPDATE notification SET read_at = $2 WHERE alarm_key = $1 AND read_at IS NULL', [
    alarmKey,
    now,
  ]);
}

// ---- personal settings

export interface ProfileRow {
  user_id: number;
  wecom_user_id: string | null;
  dingtalk_user_id: string | null;
  feishu_user_id: string | null;
  quiet_from: string | null;
  quiet_to: string | null;
}
export async function profiles(db: Db, userIds: number[]) {
  return db.query<ProfileRow>('SELECT * FROM notify_profile WHERE user_id = ANY($1::bigint[])', [userIds]);
}
export async function upsertProfile(db: Db, p: ProfileRow, now: Date) {
  await db.query(
    `INSERT INTO notify_profile (user_id, wecom_user_id, dingtalk_user_id, feishu_user_id, quiet_from, quiet_to, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (user_id) DO UPDATE SET wecom_user_id = $2, dingtalk_user_id = $3, feishu_user_id = $4,
       quiet_from = $5, quiet_to = $6, updated_at = $7`,
    [p.user_id, p.wecom_user_id, p.dingtalk_user_id, p.feishu_user_id, p.quiet_from, p.quiet_to, now],
  );
}

// ---- channels and policies

export interface ChannelRow {
  id: number;
  code: string;
  name: string;
  kind: ChannelKind;
  enabled: boolean;
  settings: Record<string, unknown>;
  secrets_sealed: string | null;
  secret_names: string[];
  created_at: Date;
  updated_at: Date;
}
export async function listChannels(db: Db) {
  return db.query<ChannelRow>('SELECT * FROM notify_channel ORDER BY id');
}
export async function getChannel(db: Db, id: number) {
  const [row] = await db.query<ChannelRow>('SELECT * FROM notify_channel WHERE id = $1', [id]);
  return row ?? null;
}
export async function insertChannel(
  db: Db,
  c: Omit<ChannelRow, 'id' | 'created_at' | 'updated_at'>,
  now: Date,
) {
  const [row] = await db.query<ChannelRow>(
    `INSERT INTO notify_channel (code, name, kind, enabled, settings, secrets_sealed, secret_names, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING *`,
    [c.code, c.name, c.kind, c.enabled, JSON.stringify(c.settings), c.secrets_sealed, c.secret_names, now],
  );
  return row!;
}
export async function updateChannel(
  db: Db,
  id: number,
  c: Pick<ChannelRow, 'name' | 'enabled' | 'settings' | 'secrets_sealed' | 'secret_names'>,
  now: Date,
) {
  const [row] = await db.query<ChannelRow>(
    `UPDATE notify_channel SET name = $2, enabled = $3, settings = $4, secrets_sealed = $5, secret_names = $6,
       updated_at = $7 WHERE id = $1 RETURNING *`,
    [id, c.name, c.enabled, JSON.stringify(c.settings), c.secrets_sealed, c.secret_names, now],
  );
  return row!;
}
export async function deleteChannel(db: Db, id: number) {
  await db.query('DELETE FROM notify_channel WHERE id = $1', [id]);
}

export interface PolicyRow {
  id: number;
  code: string;
  name: string;
  enabled: boolean;
  spec: PolicySpec;
  created_at: Date;
  updated_at: Date;
}
export async function listPolicies(db: Db) {
  return db.query<PolicyRow>('SELECT * FROM notify_policy ORDER BY id');
}
export async function getPolicy(db: Db, id: number) {
  const [row] = await db.query<PolicyRow>('SELECT * FROM notify_policy WHERE id = $1', [id]);
  return row ?? null;
}
export async function insertPolicy(
  db: Db,
  p: { code: string; name: string; enabled: boolean; spec: PolicySpec },
  now: Date,
) {
  const [row] = await db.query<PolicyRow>(
    `INSERT INTO notify_policy (code, name, enabled, spec, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING *`,
    [p.code, p.name, p.enabled, JSON.stringify(p.spec), now],
  );
  return row!;
}
export async function updatePolicy(
  db: Db,
  id: number,
  p: { code: string; name: string; enabled: boolean; spec: PolicySpec },
  now: Date,
) {
  const [row] = await db.query<PolicyRow>(
    `UPDATE notify_policy SET code = $2, name = $3, enabled = $4, spec = $5, updated_at = $6 WHERE id = $1 RETURNING *`,
    [id, p.code, p.name, p.enabled, JSON.stringify(p.spec), now],
  );
  return row!;
}
export async function deletePolicy(db: Db, id: number) {
  await db.query('DELETE FROM notify_policy WHERE id = $1', [id]);
}
/** Policies whose levels send through a channel (a channel in use is not deleted). */
export async function policiesUsingChannel(db: Db, channelId: number) {
  return db.query<{ id: number; name: string }>(
    `SELECT id, name FROM notify_policy p
     WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(p.spec->'levels') l
                   WHERE l->'channelIds' @> to_jsonb($1::bigint))`,
    [channelId],
  );
}

// ---- the delivery log

interface DeliveryLogRow {
  id: number;
  event_id: number;
  kind: NotifyEventKind;
  payload: EventPayload;
  event_at: Date;
  policy_id: number | null;
  policy_name: string | null;
  level: number;
  repeat: number;
  channel_id: number;
  channel_name: string;
  channel_kind: ChannelKind;
  user_id: number | null;
  user_name: string | null;
  address: string | null;
  targets: DeliveryTarget[];
  status: 'pending' | 'sending' | 'sent' | 'failed' | 'dead' | 'merged';
  attempts: number;
  last_error: string | null;
  event_ids: number[];
  created_at: Date;
  next_attempt_at: Date | null;
  sent_at: Date | null;
  latency_ms: number | null;
  subject: string | null;
  body: string | null;
  html: string | null;
}
const LOG_SELECT = `SELECT d.id, d.event_id, e.kind, e.payload, e.at AS event_at, d.policy_id, p.name AS policy_name,
    d.level, d.repeat, d.channel_id, c.name AS channel_name, c.kind AS channel_kind, d.user_id,
    u.display_name AS user_name, d.address, d.targets, d.status, d.attempts, d.last_error, d.event_ids,
    d.created_at, d.next_attempt_at, d.sent_at, d.latency_ms, d.subject, d.body, d.html
  FROM notify_delivery d JOIN notify_event e ON e.id = d.event_id JOIN notify_channel c ON c.id = d.channel_id
  LEFT JOIN notify_policy p ON p.id = d.policy_id LEFT JOIN app_user u ON u.id = d.user_id`;

export const presentDelivery = (r: DeliveryLogRow, locale: 'zh' | 'en' = 'zh') => ({
  id: r.id,
  eventId: r.event_id,
  eventKind: r.kind,
  eventTitle: r.payload.title[locale],
  policyId: r.policy_id,
  policyName: r.policy_name,
  level: r.level + 1,
  repeat: r.repeat,
  channelId: r.channel_id,
  channelName: r.channel_name,
  channelKind: r.channel_kind,
  userId: r.user_id,
  userName: r.user_name ?? (r.targets.length ? r.targets.map((t) => t.name).join(', ') : null),
  address: r.address,
  status: r.status,
  attempts: r.attempts,
  lastError: r.last_error,
  count: r.event_ids.length,
  createdAt: r.created_at.toISOString(),
  nextAttemptAt: r.next_attempt_at?.toISOString() ?? null,
  sentAt: r.sent_at?.toISOString() ?? null,
  latencyMs: r.latency_ms,
  subject: r.subject,
});

export async function listDeliveries(
  db: Db,
  q: {
    status?: string | undefined;
    channelId?: number | undefined;
    userId?: number | undefined;
    kind?: string | undefined;
    from?: string | undefined;
    to?: string | undefined;
    limit: number;
    offset: number;
  },
) {
  const where = `WHERE ($1::text IS NULL OR d.status = $1) AND ($2::bigint IS NULL OR d.channel_id = $2)
    AND ($3::bigint IS NULL OR d.user_id = $3) AND ($4::text IS NULL OR e.kind = $4)
    AND ($5::timestamptz IS NULL OR d.created_at >= $5) AND ($6::timestamptz IS NULL OR d.created_at < $6)`;
  const params = [
    q.status ?? null,
    q.channelId ?? null,
    q.userId ?? null,
    q.kind ?? null,
    q.from ?? null,
    q.to ?? null,
  ];
  const rows = await db.query<DeliveryLogRow>(
    `${LOG_SELECT} ${where} ORDER BY d.id DESC LIMIT $7 OFFSET $8`,
    [...params, q.limit, q.offset],
  );
  const [count] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM notify_delivery d JOIN notify_event e ON e.id = d.event_id ${where}`,
    params,
  );
  return { rows, total: count?.n ?? 0 };
}

export async function getDelivery(db: Db, id: number) {
  const [row] = await db.query<DeliveryLogRow>(`${LOG_SELECT} WHERE d.id = $1`, [id]);
  return row ?? null;
}

/** A resend goes to the person's address as it is now (they may have added it since). */
export async function readdressDelivery(
  db: Db,
  id: number,
  address: string | null,
  targets: DeliveryTarget[],
) {
  await db.query('UPDATE notify_delivery SET address = $2, targets = $3 WHERE id = $1', [
    id,
    address,
    JSON.stringify(targets),
  ]);
}

export async function requeueDelivery(db: Db, id: number, now: Date) {
  const rows = await db.query(
    `UPDATE notify_delivery SET status = 'pending', next_attempt_at = $2, last_error = NULL, lease_until = NULL
     WHERE id = $1 AND status IN ('failed', 'dead') RETURNING id`,
    [id, now],
  );
  return rows.length > 0;
}

export async function health(db: Db) {
  const [row] = await db.query<{ outbox: number; esc: number; pending: number; dead: number }>(
    `SELECT (SELECT count(*)::int FROM notify_event WHERE dispatched_at IS NULL) AS outbox,
            (SELECT count(*)::int FROM notify_escalation WHERE state = 'pending') AS esc,
            (SELECT count(*)::int FROM notify_delivery WHERE status IN ('pending', 'sending')) AS pending,
            (SELECT count(*)::int FROM notify_delivery WHERE status IN ('dead', 'failed')) AS dead`,
  );
  return row!;
}

/**
 * Retention: what has ended before `before` goes — messages no longer waiting (their in-app
 * notifications with them), ended escalations, and events nothing refers to any more.
 */
export async function prune(db: Db, before: Date) {
  return db.transaction(async (tx) => {
    const deliveries = await tx.query(
      `DELETE FROM notify_delivery d WHERE d.created_at < $1 AND d.status IN ('sent', 'failed', 'dead', 'merged')
         AND NOT EXISTS (SELECT 1 FROM notify_delivery m WHERE m.merged_into = d.id AND m.created_at >= $1)
       RETURNING id`,
      [before],
    );
    await tx.query(`DELETE FROM notify_escalation WHERE state <> 'pending' AND updated_at < $1`, [before]);
    const events = await tx.query(
      `DELETE FROM notify_event e WHERE e.at < $1 AND e.dispatched_at IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM notify_delivery d WHERE d.event_id = e.id)
         AND NOT EXISTS (SELECT 1 FROM notify_escalation x WHERE x.event_id = e.id)
         AND NOT EXISTS (SELECT 1 FROM notification n WHERE n.event_id = e.id)
       RETURNING id`,
      [before],
    );
    return { deliveries: deliveries.length, events: events.length };
  });
}
