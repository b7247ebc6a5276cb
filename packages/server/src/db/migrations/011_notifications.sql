-- 通知 Notifications: one service every module sends its reminders and escalations through.

-- The outbox: modules insert events in the transaction of the change that caused them, so a crash
-- can neither lose a notification nor send one for a change that rolled back. The worker turns
-- each event into escalations once (dispatched_at) and keeps it for the delivery log.
CREATE TABLE notify_event (
  id bigserial PRIMARY KEY,
  kind text NOT NULL,
  at timestamptz NOT NULL,
  priority text CHECK (priority IN ('critical', 'high', 'medium', 'low')),
  path text,
  -- What escalations stop on: the alarm key, 'connector:<id>', 'flood:<areaId>'.
  subject text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  dispatched_at timestamptz
);
CREATE INDEX notify_event_outbox ON notify_event (id) WHERE dispatched_at IS NULL;
CREATE INDEX notify_event_at ON notify_event (at);

CREATE TABLE notify_channel (
  id bigserial PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('inapp', 'email', 'wecom', 'dingtalk', 'feishu', 'webhook', 'sms')),
  enabled boolean NOT NULL DEFAULT true,
  settings jsonb NOT NULL DEFAULT '{}',
  -- Sealed (AES-256-GCM) JSON of the secret values; the names alone are listed.
  secrets_sealed text,
  secret_names text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE notify_policy (
  id bigserial PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  -- match, levels, repeat, stopOn, groupSeconds, template (PolicyInputSchema)
  spec jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

-- Escalation timers are rows, not setTimeouts: they survive a restart, and two workers on
-- PostgreSQL take each due one once (FOR UPDATE SKIP LOCKED).
-- step: index into the policy's schedule (its levels, then the repeats of the last level).
CREATE TABLE notify_escalation (
  id bigserial PRIMARY KEY,
  policy_id bigint NOT NULL REFERENCES notify_policy (id) ON DELETE CASCADE,
  event_id bigint NOT NULL REFERENCES notify_event (id),
  subject text NOT NULL,
  step integer NOT NULL DEFAULT 0,
  due_at timestamptz NOT NULL,
  state text NOT NULL CHECK (state IN ('pending', 'done', 'stopped')),
  stopped_reason text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (policy_id, event_id)
);
CREATE INDEX notify_escalation_due ON notify_escalation (due_at) WHERE state = 'pending';
CREATE INDEX notify_escalation_subject ON notify_escalation (subject) WHERE state = 'pending';

-- The send queue and the delivery log in one: a row per message to one recipient on one channel
-- (robots and webhooks: one row per group message). idem_key makes a step deliver once per
-- recipient and channel, also across restarts and concurrent workers.
CREATE TABLE notify_delivery (
  id bigserial PRIMARY KEY,
  idem_key text NOT NULL UNIQUE,
  event_id bigint NOT NULL REFERENCES notify_event (id),
  -- Every event this message stands for (grouping and rate-limit merging add to it).
  event_ids bigint[] NOT NULL,
  escalation_id bigint REFERENCES notify_escalation (id) ON DELETE SET NULL,
  policy_id bigint REFERENCES notify_policy (id) ON DELETE SET NULL,
  level integer NOT NULL DEFAULT 0,
  repeat integer NOT NULL DEFAULT 0,
  channel_id bigint NOT NULL REFERENCES notify_channel (id) ON DELETE CASCADE,
  user_id bigint REFERENCES app_user (id) ON DELETE SET NULL,
  -- Robots: the people @-mentioned; JSON [{userId, name, address, mobile}].
  targets jsonb NOT NULL DEFAULT '[]',
  address text,
  group_key text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dead', 'merged')),
  merged_into bigint REFERENCES notify_delivery (id) ON DELETE SET NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  lease_until timestamptz,
  last_error text,
  provider_reply text,
  subject text,
  body text,
  html text,
  created_at timestamptz NOT NULL,
  sent_at timestamptz,
  latency_ms double precision
);
CREATE INDEX notify_delivery_due ON notify_delivery (next_attempt_at) WHERE status IN ('pending', 'sending');
CREATE INDEX notify_delivery_group ON notify_delivery (group_key, id);
CREATE INDEX notify_delivery_created ON notify_delivery (created_at);
CREATE INDEX notify_delivery_channel_sent ON notify_delivery (channel_id, sent_at) WHERE status = 'sent';

-- The in-app notification centre; written in the transaction that marks its delivery sent.
CREATE TABLE notification (
  id bigserial PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
  delivery_id bigint NOT NULL UNIQUE REFERENCES notify_delivery (id) ON DELETE CASCADE,
  event_id bigint NOT NULL REFERENCES notify_event (id),
  kind text NOT NULL,
  priority text,
  title text NOT NULL,
  body text NOT NULL,
  link text NOT NULL,
  alarm_key text,
  count integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL,
  read_at timestamptz
);
CREATE INDEX notification_user ON notification (user_id, id DESC);
CREATE INDEX notification_unread ON notification (user_id) WHERE read_at IS NULL;

-- A person's own chat ids and quiet hours (e-mail, mobile and language live on app_user).
CREATE TABLE notify_profile (
  user_id bigint PRIMARY KEY REFERENCES app_user (id) ON DELETE CASCADE,
  wecom_user_id text,
  dingtalk_user_id text,
  feishu_user_id text,
  quiet_from text CHECK (quiet_from ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  quiet_to text CHECK (quiet_to ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  updated_at timestamptz NOT NULL
);
