-- Inspections (issue 8): templates (点检表) with versions, checkpoints (巡检点) with signed QR
-- labels, routes (巡检路线), plans that generate tasks, and the tasks themselves (a workflow
-- record: history and timers in workflow_transition / workflow_timer).

CREATE TABLE inspection_template (
  id bigserial PRIMARY KEY,
  code text NOT NULL UNIQUE,
  node_id bigint NOT NULL REFERENCES plant_node (id),
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  -- the latest version; older ones stay in inspection_template_version for the tasks issued with them
  version int NOT NULL DEFAULT 1,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE inspection_template_version (
  template_id bigint NOT NULL REFERENCES inspection_template (id),
  version int NOT NULL,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  items jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  created_by bigint REFERENCES app_user (id),
  reason text,
  PRIMARY KEY (template_id, version)
);

CREATE TABLE inspection_checkpoint (
  id bigserial PRIMARY KEY,
  code text NOT NULL UNIQUE,
  node_id bigint NOT NULL REFERENCES plant_node (id),
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  lat double precision,
  lng double precision,
  radius_m double precision,
  -- part of the signed QR token: +1 on rotation, so older labels are refused
  token_version int NOT NULL DEFAULT 1,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CHECK ((lat IS NULL) = (lng IS NULL))
);

CREATE TABLE inspection_route (
  id bigserial PRIMARY KEY,
  code text NOT NULL UNIQUE,
  node_id bigint NOT NULL REFERENCES plant_node (id),
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE inspection_route_stop (
  route_id bigint NOT NULL REFERENCES inspection_route (id) ON DELETE CASCADE,
  position int NOT NULL,
  checkpoint_id bigint NOT NULL REFERENCES inspection_checkpoint (id),
  PRIMARY KEY (route_id, position),
  UNIQUE (route_id, checkpoint_id)
);

CREATE TABLE inspection_plan (
  id bigserial PRIMARY KEY,
  code text NOT NULL UNIQUE,
  node_id bigint NOT NULL REFERENCES plant_node (id),
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  template_id bigint NOT NULL REFERENCES inspection_template (id),
  route_id bigint REFERENCES inspection_route (id),
  -- [{checkpointId, templateId|null}]; empty: the route's checkpoints
  stops jsonb NOT NULL DEFAULT '[]'::jsonb,
  schedule jsonb NOT NULL,
  assignee jsonb NOT NULL,
  time_window jsonb NOT NULL,
  require_scan boolean NOT NULL DEFAULT true,
  on_missing_scan text NOT NULL DEFAULT 'refuse' CHECK (on_missing_scan IN ('refuse', 'flag')),
  require_photo_on_abnormal boolean NOT NULL DEFAULT true,
  active boolean NOT NULL DEFAULT true,
  -- occurrences before this instant have been generated (the generator's watermark)
  generated_until timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

-- 管控措施 carried out by the plan (risk register); a measure in use cannot be deleted
CREATE TABLE inspection_plan_measure (
  plan_id bigint NOT NULL REFERENCES inspection_plan (id) ON DELETE CASCADE,
  measure_id bigint NOT NULL REFERENCES risk_measure (id),
  PRIMARY KEY (plan_id, measure_id)
);

CREATE TABLE inspection_task (
  id bigserial PRIMARY KEY,
  plan_id bigint NOT NULL REFERENCES inspection_plan (id),
  occurrence_at timestamptz NOT NULL,
  checkpoint_id bigint NOT NULL REFERENCES inspection_checkpoint (id),
  seq int NOT NULL,
  node_id bigint NOT NULL REFERENCES plant_node (id),
  -- the workshop (area) the task counts for on the board
  workshop_id bigint NOT NULL REFERENCES plant_node (id),
  -- plant-time day of the occurrence and the shift it falls in
  day text NOT NULL,
  shift_id bigint,
  shift_name text,
  template_id bigint NOT NULL,
  template_version int NOT NULL,
  assignee_kind text NOT NULL CHECK (assignee_kind IN ('user', 'post', 'team', 'shift_on_duty')),
  assignee_user_id bigint REFERENCES app_user (id),
  assignee_post_id bigint REFERENCES post (id),
  assignee_team_id bigint REFERENCES team (id),
  assignee_name text NOT NULL,
  state text NOT NULL,
  opens_at timestamptz NOT NULL,
  due_at timestamptz NOT NULL,
  missed_at timestamptz NOT NULL,
  remind_at timestamptz,
  reminded_at timestamptz,
  require_scan boolean NOT NULL,
  on_missing_scan text NOT NULL,
  require_photo_on_abnormal boolean NOT NULL,
  started_at timestamptz,
  started_by bigint REFERENCES app_user (id),
  scan jsonb,
  done_at timestamptz,
  done_by bigint REFERENCES app_user (id),
  done_by_name text,
  -- ok | abnormal | not_checked (未检)
  result text CHECK (result IN ('ok', 'abnormal', 'not_checked')),
  abnormal_count int NOT NULL DEFAULT 0,
  results jsonb NOT NULL DEFAULT '{}'::jsonb,
  flags jsonb NOT NULL DEFAULT '[]'::jsonb,
  comment text NOT NULL DEFAULT '',
  -- the phone's id of the submission that completed the task: the same one again is answered, not stored
  client_submission_id text UNIQUE,
  client_completed_at timestamptz,
  -- bumped by every change a phone must not overwrite (submit, reassign, cancel, missed)
  revision int NOT NULL DEFAULT 0,
  -- withdrawn before it opened because its plan changed: the generator issues the occurrence anew
  superseded boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  FOREIGN KEY (template_id, template_version) REFERENCES inspection_template_version (template_id, version)
);
-- exactly once per occurrence and checkpoint, whoever generates (two schedulers, a restart)
CREATE UNIQUE INDEX inspection_task_occurrence ON inspection_task (plan_id, occurrence_at, checkpoint_id)
  WHERE NOT superseded;
CREATE INDEX inspection_task_day ON inspection_task (day, workshop_id);
CREATE INDEX inspection_task_opens ON inspection_task (opens_at);
CREATE INDEX inspection_task_user ON inspection_task (assignee_user_id, day);
