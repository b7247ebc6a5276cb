-- 隐患排查治理 hidden dangers (issue 8): one row per reported hazard; its transitions and SLA
-- timers live in the workflow core (workflow_transition, workflow_timer).
CREATE TABLE hazard (
  id bigserial PRIMARY KEY,
  -- YH-2026-0001, numbered per year
  code text NOT NULL UNIQUE,
  node_id bigint NOT NULL REFERENCES plant_node (id),
  title text NOT NULL,
  description text NOT NULL DEFAULT '',
  place text NOT NULL DEFAULT '',
  source text NOT NULL CHECK (source IN ('inspection', 'adhoc', 'alarm')),
  state text NOT NULL CHECK (state IN ('reported', 'approval', 'rectifying', 'verifying', 'closed', 'rejected')),
  grade text CHECK (grade IN ('general', 'major')),
  type text CHECK (type IN ('equipment', 'behavior', 'management', 'environment')),
  treatment text CHECK (treatment IN ('immediate', 'deadline')),
  cause text NOT NULL DEFAULT '',
  measures text NOT NULL DEFAULT '',
  funds numeric,
  deadline timestamptz,
  department_id bigint REFERENCES department (id),
  responsible_id bigint REFERENCES app_user (id),
  reported_by bigint REFERENCES app_user (id),
  reported_by_name text NOT NULL,
  reported_at timestamptz NOT NULL,
  -- photos named at the report (e.g. the inspection task's), besides those uploaded to the hazard
  photo_ids jsonb NOT NULL DEFAULT '[]'::jsonb,
  rectifying_since timestamptz,
  rectification text NOT NULL DEFAULT '',
  rectified_by bigint REFERENCES app_user (id),
  rectified_at timestamptz,
  verified_by bigint REFERENCES app_user (id),
  closed_at timestamptz,
  -- inspection origin: one hazard per task and item, however often the result is synced
  inspection_task_id bigint,
  inspection_item_key text,
  inspection_item_label text,
  checkpoint_id bigint,
  tag_id bigint,
  reading jsonb,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX hazard_inspection_item ON hazard (inspection_task_id, inspection_item_key)
  WHERE inspection_task_id IS NOT NULL;
CREATE INDEX hazard_node ON hazard (node_id);
CREATE INDEX hazard_state ON hazard (state);
CREATE INDEX hazard_responsible ON hazard (responsible_id);

-- The last number given per year (codes without gaps from concurrent reports).
CREATE TABLE hazard_code_counter (
  year int PRIMARY KEY,
  last int NOT NULL
);
