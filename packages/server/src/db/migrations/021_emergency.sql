-- 应急预案 emergency plans (issue 9): a plan per scenario at a plant node, versioned; a run is one
-- activation (real or drill, 演练) with a copy of the plan's steps, each assigned and timed. The
-- run's transitions live in the workflow core (workflow_transition), its step timers in workflow_timer.
CREATE TABLE emergency_plan (
  id bigserial PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  node_id bigint NOT NULL REFERENCES plant_node (id),
  scenario text NOT NULL CHECK (scenario IN ('gas_leak', 'fire', 'spill', 'injury', 'power_loss', 'other')),
  level text NOT NULL CHECK (level IN ('I', 'II', 'III', 'IV')),
  description text NOT NULL DEFAULT '',
  version int NOT NULL,
  contacts jsonb NOT NULL DEFAULT '[]'::jsonb,
  steps jsonb NOT NULL,
  triggers jsonb NOT NULL DEFAULT '[]'::jsonb,
  active boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL,
  updated_by text NOT NULL
);
CREATE INDEX emergency_plan_node ON emergency_plan (node_id);

-- Every version of a plan as it was saved; a run names the version it copied.
CREATE TABLE emergency_plan_version (
  plan_id bigint NOT NULL REFERENCES emergency_plan (id),
  version int NOT NULL,
  snapshot jsonb NOT NULL,
  changed_at timestamptz NOT NULL,
  changed_by text NOT NULL,
  reason text,
  PRIMARY KEY (plan_id, version)
);

CREATE TABLE emergency_run (
  id bigserial PRIMARY KEY,
  -- YJ-2026-0001 (real) / YL-2026-0001 (drill), numbered per year and mode
  code text NOT NULL UNIQUE,
  plan_id bigint NOT NULL REFERENCES emergency_plan (id),
  plan_version int NOT NULL,
  plan_code text NOT NULL,
  plan_name text NOT NULL,
  scenario text NOT NULL,
  level text NOT NULL,
  node_id bigint NOT NULL REFERENCES plant_node (id),
  mode text NOT NULL CHECK (mode IN ('real', 'drill')),
  state text NOT NULL CHECK (state IN ('active', 'closed')),
  contacts jsonb NOT NULL DEFAULT '[]'::jsonb,
  started_at timestamptz NOT NULL,
  started_by bigint REFERENCES app_user (id),
  started_by_name text,
  -- {"kind":"manual"} or {"kind":"alarm","alarmKey":…,"tag":…,"priority":…,"message":…}
  trigger jsonb NOT NULL,
  reason text,
  closed_at timestamptz,
  closed_by bigint REFERENCES app_user (id),
  closed_by_name text,
  summary text
);
-- Once: a plan has at most one open run per mode, however many alarms fire (and whoever presses).
CREATE UNIQUE INDEX emergency_run_open ON emergency_run (plan_id, mode) WHERE state = 'active';
CREATE INDEX emergency_run_state ON emergency_run (state, started_at);

CREATE TABLE emergency_run_step (
  run_id bigint NOT NULL REFERENCES emergency_run (id),
  seq int NOT NULL,
  title text NOT NULL,
  instructions text NOT NULL DEFAULT '',
  assignee jsonb NOT NULL,
  assignee_label jsonb NOT NULL,
  -- the people the assignee resolved to at activation: [{"id":…,"name":…}]
  assigned_to jsonb NOT NULL DEFAULT '[]'::jsonb,
  time_limit_min int NOT NULL,
  requires_photo boolean NOT NULL DEFAULT false,
  due_at timestamptz NOT NULL,
  state text NOT NULL CHECK (state IN ('pending', 'done', 'skipped')),
  done_at timestamptz,
  done_by bigint REFERENCES app_user (id),
  done_by_name text,
  note text NOT NULL DEFAULT '',
  skip_reason text,
  photo_ids jsonb NOT NULL DEFAULT '[]'::jsonb,
  overdue_notified_at timestamptz,
  PRIMARY KEY (run_id, seq)
);

CREATE TABLE emergency_run_counter (
  year int NOT NULL,
  mode text NOT NULL,
  last int NOT NULL,
  PRIMARY KEY (year, mode)
);
