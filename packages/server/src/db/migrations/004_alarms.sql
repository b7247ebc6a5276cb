-- Alarm rules, the engine's persisted runtime, the alarm list projection, the journal, interlocks.

CREATE TABLE alarm_rule (
  id bigserial PRIMARY KEY,
  tag_id bigint NOT NULL REFERENCES tag (id),
  enabled boolean NOT NULL DEFAULT true,
  -- The rule as the engine takes it (AlarmRuleSchema); id, tag and area are set by the server.
  definition jsonb NOT NULL,
  interlock jsonb,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX alarm_rule_tag ON alarm_rule (tag_id);

-- The engine's state per rule (evaluation state, its alarms, chattering), written with every
-- transition in the same transaction as the journal entries, so a restart resumes exactly.
CREATE TABLE alarm_runtime (
  rule_id bigint PRIMARY KEY REFERENCES alarm_rule (id) ON DELETE CASCADE,
  runtime jsonb NOT NULL,
  updated_at timestamptz NOT NULL
);

-- One row per alarm (rule condition) for listing and filtering; derived from alarm_runtime.
CREATE TABLE alarm (
  key text PRIMARY KEY,
  rule_id bigint NOT NULL REFERENCES alarm_rule (id) ON DELETE CASCADE,
  tag_id bigint NOT NULL,
  equipment_id bigint NOT NULL,
  area_id bigint,
  node_path text NOT NULL,
  state text NOT NULL,
  priority text NOT NULL,
  active boolean NOT NULL,
  shelved boolean NOT NULL,
  suppressed boolean NOT NULL,
  out_of_service boolean NOT NULL,
  chattering boolean NOT NULL,
  view jsonb NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX alarm_state ON alarm (state) WHERE state <> 'normal';
CREATE INDEX alarm_path ON alarm (node_path text_pattern_ops);

-- The alarm journal: every transition with user, time, comment or reason.
CREATE TABLE alarm_event (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  key text NOT NULL,
  rule_id bigint NOT NULL,
  tag_id bigint NOT NULL,
  equipment_id bigint NOT NULL,
  node_path text NOT NULL,
  type text NOT NULL,
  from_state text NOT NULL,
  to_state text NOT NULL,
  user_name text,
  comment text,
  value jsonb,
  priority text NOT NULL,
  message text NOT NULL,
  annunciated boolean NOT NULL,
  detail jsonb
);
CREATE INDEX alarm_event_at ON alarm_event (at);
CREATE INDEX alarm_event_key ON alarm_event (key, at);
CREATE INDEX alarm_event_path ON alarm_event (node_path text_pattern_ops);

-- Alarm floods per area (ISA-18.2: more than 10 alarms in 10 minutes).
CREATE TABLE alarm_flood (
  area_id bigint PRIMARY KEY,
  state jsonb NOT NULL,
  updated_at timestamptz NOT NULL
);

-- Interlock writes commanded by alarms, and whether the equipment confirmed them.
CREATE TABLE interlock_command (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  rule_id bigint NOT NULL REFERENCES alarm_rule (id) ON DELETE CASCADE,
  alarm_key text NOT NULL,
  tag_id bigint NOT NULL,
  value jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('sent', 'confirmed', 'failed', 'unconfirmed')),
  detail text,
  confirmed_at timestamptz
);
CREATE INDEX interlock_command_at ON interlock_command (at);
