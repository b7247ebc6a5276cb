-- 合规报表 compliance reports (issue 10). A schedule (定时报表) names a kind, a node, a relative
-- period, a cron in the plant's time zone and its recipients. A run is one generation, on demand or
-- for one (schedule, occurrence): the unique pair makes each occurrence run once, also with two
-- scheduler processes and after a restart. A finished run's files live under <dataDir>/reports with
-- their SHA-256 in report_file.
CREATE TABLE report_schedule (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  kind text NOT NULL,
  node_id bigint REFERENCES plant_node (id) ON DELETE CASCADE,
  period text NOT NULL CHECK (period IN ('yesterday', 'last_week', 'last_month')),
  cron text NOT NULL,
  recipients jsonb NOT NULL DEFAULT '{"userIds":[],"roleIds":[]}',
  enabled boolean NOT NULL DEFAULT true,
  -- the occurrences before this instant are not due (set at creation and at each edit)
  due_from timestamptz NOT NULL,
  created_by bigint REFERENCES app_user (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL,
  deleted_at timestamptz
);

CREATE TABLE report_run (
  id bigserial PRIMARY KEY,
  kind text NOT NULL,
  node_id bigint REFERENCES plant_node (id) ON DELETE SET NULL,
  params jsonb NOT NULL,
  title text NOT NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  progress integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  error text,
  requested_by bigint REFERENCES app_user (id) ON DELETE SET NULL,
  requested_by_name text,
  schedule_id bigint REFERENCES report_schedule (id) ON DELETE SET NULL,
  occurrence timestamptz,
  -- the run's report.ready event is in the outbox (scheduled runs)
  published_at timestamptz,
  created_at timestamptz NOT NULL,
  started_at timestamptz,
  -- touched while a process works on the run; a run whose heartbeat stopped was interrupted
  heartbeat_at timestamptz,
  finished_at timestamptz,
  UNIQUE (schedule_id, occurrence)
);
CREATE INDEX report_run_created ON report_run (created_at DESC);
CREATE INDEX report_run_pending ON report_run (id) WHERE status IN ('queued', 'running');

CREATE TABLE report_file (
  run_id bigint NOT NULL REFERENCES report_run (id) ON DELETE CASCADE,
  format text NOT NULL CHECK (format IN ('pdf', 'xlsx')),
  name text NOT NULL,
  -- relative to the data directory, e.g. reports/2026/03/17-weekly_safety.3f2a9c1b.pdf
  file text NOT NULL UNIQUE,
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  bytes integer NOT NULL CHECK (bytes > 0),
  PRIMARY KEY (run_id, format)
);
