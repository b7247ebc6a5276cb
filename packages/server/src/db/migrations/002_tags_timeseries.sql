-- Tags (process variables of equipment), raw time series, current values, rollups, retention.

CREATE TABLE tag (
  id bigserial PRIMARY KEY,
  equipment_id bigint NOT NULL REFERENCES plant_node (id),
  code text NOT NULL,
  name_zh text NOT NULL,
  name_en text NOT NULL,
  unit text NOT NULL DEFAULT '',
  type text NOT NULL CHECK (type IN ('number', 'boolean', 'state', 'string')),
  eng_low double precision,
  eng_high double precision,
  states jsonb,
  source jsonb NOT NULL,
  storage_deadband double precision NOT NULL DEFAULT 0 CHECK (storage_deadband >= 0),
  storage_heartbeat_ms integer NOT NULL DEFAULT 60000 CHECK (storage_heartbeat_ms >= 0),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CHECK (eng_low IS NULL OR eng_high IS NULL OR eng_low < eng_high)
);
CREATE UNIQUE INDEX tag_equipment_code ON tag (equipment_id, code);

-- Raw values. The primary key (tag, source time) makes a replayed point a no-op
-- (INSERT … ON CONFLICT DO NOTHING), so an MQTT redelivery after a crash is stored once.
-- Numbers, booleans (0/1) and numeric states go to num; strings and text states to txt.
-- quality: 0 good, 1 uncertain, 2 bad. No foreign key: it would cost every insert a lookup.
CREATE TABLE tag_value (
  tag_id bigint NOT NULL,
  ts timestamptz NOT NULL,
  num double precision,
  txt text,
  quality smallint NOT NULL,
  PRIMARY KEY (tag_id, ts)
);
CREATE INDEX tag_value_ts ON tag_value USING brin (ts);

-- The latest value of each tag (written with every stored batch; no foreign key, so that a
-- tag deleted mid-batch cannot fail the batch of every other tag).
CREATE TABLE tag_current (
  tag_id bigint PRIMARY KEY,
  ts timestamptz NOT NULL,
  num double precision,
  txt text,
  quality smallint NOT NULL
);

-- Rollups of numeric values per minute and per hour: count, sum (for a correct average of
-- averages), min, max, last; bad-quality values are left out.
CREATE TABLE tag_rollup_1m (
  tag_id bigint NOT NULL,
  bucket timestamptz NOT NULL,
  n integer NOT NULL,
  sum double precision NOT NULL,
  min double precision NOT NULL,
  max double precision NOT NULL,
  last double precision NOT NULL,
  PRIMARY KEY (tag_id, bucket)
);
CREATE TABLE tag_rollup_1h (
  tag_id bigint NOT NULL,
  bucket timestamptz NOT NULL,
  n integer NOT NULL,
  sum double precision NOT NULL,
  min double precision NOT NULL,
  max double precision NOT NULL,
  last double precision NOT NULL,
  PRIMARY KEY (tag_id, bucket)
);

-- Housekeeping state (rollup watermarks, last retention run).
CREATE TABLE timeseries_state (
  name text PRIMARY KEY,
  at timestamptz NOT NULL
);
