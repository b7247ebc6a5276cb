-- 操作规程 operating procedures (SOP) on equipment items, their runs, and 上锁挂牌 lockout/tagout (issue 9).

-- A procedure holds its current version; every version is kept in sop_version (runs name theirs).
CREATE TABLE sop (
  id bigserial PRIMARY KEY,
  code text NOT NULL UNIQUE,
  node_id bigint NOT NULL REFERENCES plant_node (id),
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  version int NOT NULL,
  active boolean NOT NULL DEFAULT true,
  steps jsonb NOT NULL,
  updated_by bigint REFERENCES app_user (id),
  updated_by_name text NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX sop_node ON sop (node_id);

CREATE TABLE sop_version (
  sop_id bigint NOT NULL REFERENCES sop (id),
  version int NOT NULL,
  name text NOT NULL,
  description text NOT NULL,
  steps jsonb NOT NULL,
  by_id bigint REFERENCES app_user (id),
  by_name text NOT NULL,
  at timestamptz NOT NULL,
  reason text,
  PRIMARY KEY (sop_id, version)
);

-- A run executes one version; its steps are a copy of that version's (the procedure may change meanwhile).
CREATE TABLE sop_run (
  id bigserial PRIMARY KEY,
  sop_id bigint NOT NULL REFERENCES sop (id),
  sop_version int NOT NULL,
  node_id bigint NOT NULL REFERENCES plant_node (id),
  state text NOT NULL CHECK (state IN ('in_progress', 'done', 'aborted')),
  steps jsonb NOT NULL,
  started_by bigint REFERENCES app_user (id),
  started_by_name text NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  abort_reason text,
  updated_at timestamptz NOT NULL
);
CREATE INDEX sop_run_sop ON sop_run (sop_id, id);
CREATE INDEX sop_run_node ON sop_run (node_id);

-- One row per step of a run (1-based idx): what was done, read, rectified or skipped, by whom.
CREATE TABLE sop_run_step (
  run_id bigint NOT NULL REFERENCES sop_run (id),
  idx int NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'done', 'failed', 'rectified', 'skipped')),
  value double precision,
  value_source text CHECK (value_source IN ('manual', 'live')),
  note text NOT NULL DEFAULT '',
  photo_ids jsonb NOT NULL DEFAULT '[]'::jsonb,
  done_by bigint REFERENCES app_user (id),
  done_by_name text,
  done_at timestamptz,
  rect_note text,
  rect_value double precision,
  rect_by bigint REFERENCES app_user (id),
  rect_by_name text,
  rect_at timestamptz,
  skip_reason text,
  PRIMARY KEY (run_id, idx)
);
-- Skipped steps are counted per person for training needs (issue 10).
CREATE INDEX sop_run_step_skipped ON sop_run_step (done_by) WHERE status = 'skipped';

CREATE TABLE lockout (
  id bigserial PRIMARY KEY,
  -- LOTO-2026-001, numbered per year
  code text NOT NULL UNIQUE,
  node_id bigint NOT NULL REFERENCES plant_node (id),
  reason text NOT NULL,
  state text NOT NULL CHECK (state IN ('draft', 'applying', 'locked', 'releasing', 'released', 'cancelled')),
  -- the equipment's status before the first lock, given back at the last release
  previous_status text,
  created_by bigint REFERENCES app_user (id),
  created_by_name text NOT NULL,
  created_at timestamptz NOT NULL,
  released_at timestamptz,
  cancel_reason text,
  updated_at timestamptz NOT NULL
);
CREATE INDEX lockout_node ON lockout (node_id);
CREATE INDEX lockout_open ON lockout (state) WHERE state IN ('applying', 'locked', 'releasing');

CREATE TABLE lockout_code_counter (
  year int PRIMARY KEY,
  last int NOT NULL
);

-- An isolation point and its one lock: applied, verified by another person, released.
CREATE TABLE lockout_point (
  id bigserial PRIMARY KEY,
  lockout_id bigint NOT NULL REFERENCES lockout (id),
  ord int NOT NULL,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('electrical', 'mechanical', 'pressure', 'chemical', 'thermal', 'other')),
  command_tag_id bigint REFERENCES tag (id),
  safe_value jsonb,
  lock_no text,
  tag_no text,
  applied_by bigint REFERENCES app_user (id),
  applied_by_name text,
  applied_at timestamptz,
  verified_by bigint REFERENCES app_user (id),
  verified_by_name text,
  verified_at timestamptz,
  verify_note text,
  released_by bigint REFERENCES app_user (id),
  released_by_name text,
  released_at timestamptz,
  release_reason text,
  -- the e-signatures of the three acts (e_signature ids), to rebuild what each one signed
  apply_sig bigint,
  verify_sig bigint,
  release_sig bigint
);
CREATE INDEX lockout_point_lockout ON lockout_point (lockout_id, ord);
CREATE INDEX lockout_point_tag ON lockout_point (command_tag_id) WHERE command_tag_id IS NOT NULL;
