-- 风险分级管控 risk register (issue 8): risk analysis units (风险分析单元) at a plant node, their
-- risk events (风险事件, each scored by LEC or a risk matrix) and control measures (管控措施).
-- A unit's level is the worst of its events, raised (never lowered) by an override with a reason.
CREATE TABLE risk_unit (
  id bigserial PRIMARY KEY,
  node_id bigint NOT NULL REFERENCES plant_node (id),
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('equipment', 'facility', 'operation', 'place')),
  department_id bigint REFERENCES department (id),
  responsible_user_id bigint REFERENCES app_user (id),
  method text NOT NULL CHECK (method IN ('lec', 'matrix')),
  computed_level text NOT NULL CHECK (computed_level IN ('major', 'significant', 'general', 'low')),
  override_level text CHECK (override_level IN ('major', 'significant', 'general', 'low')),
  override_reason text,
  level text NOT NULL CHECK (level IN ('major', 'significant', 'general', 'low')),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CHECK (override_level IS NULL OR override_reason IS NOT NULL)
);
CREATE INDEX risk_unit_node ON risk_unit (node_id);
CREATE INDEX risk_unit_responsible ON risk_unit (responsible_user_id);
-- The demo seed and imports name units per node: one name once per node.
CREATE UNIQUE INDEX risk_unit_node_name ON risk_unit (node_id, name);

CREATE TABLE risk_event (
  id bigserial PRIMARY KEY,
  unit_id bigint NOT NULL REFERENCES risk_unit (id) ON DELETE CASCADE,
  position int NOT NULL,
  description text NOT NULL,
  consequence text NOT NULL DEFAULT '',
  -- the score inputs as entered: {method:'lec', l, e, c} or {method:'matrix', likelihood, severity}
  score_input jsonb NOT NULL,
  score double precision NOT NULL,
  level text NOT NULL CHECK (level IN ('major', 'significant', 'general', 'low'))
);
CREATE INDEX risk_event_unit ON risk_event (unit_id, position);

CREATE TABLE risk_measure (
  id bigserial PRIMARY KEY,
  event_id bigint NOT NULL REFERENCES risk_event (id) ON DELETE CASCADE,
  unit_id bigint NOT NULL REFERENCES risk_unit (id) ON DELETE CASCADE,
  position int NOT NULL,
  kind text NOT NULL CHECK (kind IN ('engineering', 'management', 'training', 'ppe', 'emergency')),
  description text NOT NULL,
  responsible_user_id bigint REFERENCES app_user (id),
  post_id bigint REFERENCES post (id),
  -- how often the measure is checked; inspection plans are made from measures with a cycle
  check_cycle text CHECK (check_cycle IN ('hour', 'shift', 'day', 'week', 'month'))
);
CREATE INDEX risk_measure_event ON risk_measure (event_id, position);
CREATE INDEX risk_measure_unit ON risk_measure (unit_id);
