-- The one workflow core (issue 8): every workflow record (hidden danger, inspection task, and the
-- permits to come) keeps its state in its own table; its history and its SLA timers live here.

-- Every transition, oldest first: who moved which record from where to where, when and why.
-- The audit trail gets an entry for each in the same transaction; this table answers
-- "who rectified this hazard" for separation of duties without searching the audit trail.
CREATE TABLE workflow_transition (
  id bigserial PRIMARY KEY,
  record_kind text NOT NULL,
  record_id bigint NOT NULL,
  action text NOT NULL,
  from_state text,
  to_state text NOT NULL,
  actor_id bigint REFERENCES app_user (id),
  actor_name text NOT NULL,
  at timestamptz NOT NULL,
  reason text,
  data jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX workflow_transition_record ON workflow_transition (record_kind, record_id, id);

-- SLA timers as rows (remind before due, overdue, escalate): they survive restarts, and two
-- schedulers never fire the same one (claimed FOR UPDATE SKIP LOCKED, then marked fired).
CREATE TABLE workflow_timer (
  id bigserial PRIMARY KEY,
  record_kind text NOT NULL,
  record_id bigint NOT NULL,
  timer_key text NOT NULL,
  due_at timestamptz NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- pending → fired | cancelled
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'fired', 'cancelled')),
  fired_at timestamptz,
  error text,
  attempts int NOT NULL DEFAULT 0
);
-- one pending timer per record and key: setting it again moves it
CREATE UNIQUE INDEX workflow_timer_pending ON workflow_timer (record_kind, record_id, timer_key)
  WHERE status = 'pending';
CREATE INDEX workflow_timer_due ON workflow_timer (due_at) WHERE status = 'pending';
