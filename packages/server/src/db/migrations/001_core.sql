-- Core: audit trail, plant model (ISA-95), organisation, users, authentication, roles.

-- Audit trail: append-only and hash-chained. seq is assigned by the writer (no sequence),
-- so a deleted row leaves a gap that verification finds.
CREATE TABLE audit_log (
  seq bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  actor_id bigint,
  actor_name text NOT NULL,
  action text NOT NULL,
  target_type text,
  target_id text,
  node_id bigint,
  outcome text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
  reason text,
  before jsonb,
  after jsonb,
  request_id text,
  ip text,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id);
CREATE INDEX audit_log_actor ON audit_log (actor_name);

-- The chain head, kept apart from the log so that a cut tail is detectable.
CREATE TABLE audit_head (
  id integer PRIMARY KEY CHECK (id = 1),
  seq bigint NOT NULL,
  hash text NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, 'genesis');

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();

-- Plant model: enterprise → site → area (workshop) → line → equipment.
-- path is the materialised chain of ids ('/1/4/9/'), so a scope is a path prefix.
CREATE TABLE plant_node (
  id bigserial PRIMARY KEY,
  parent_id bigint REFERENCES plant_node (id),
  level text NOT NULL CHECK (level IN ('enterprise', 'site', 'area', 'line', 'equipment')),
  code text NOT NULL,
  name_zh text NOT NULL,
  name_en text NOT NULL,
  status text NOT NULL DEFAULT 'in_service' CHECK (status IN ('in_service', 'maintenance', 'out_of_service')),
  description text NOT NULL DEFAULT '',
  path text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX plant_node_sibling_code ON plant_node (coalesce(parent_id, 0), code);
CREATE UNIQUE INDEX plant_node_equipment_code ON plant_node (code) WHERE level = 'equipment';
CREATE INDEX plant_node_path ON plant_node (path text_pattern_ops);
CREATE INDEX plant_node_parent ON plant_node (parent_id);

-- Organisation.
CREATE TABLE department (
  id bigserial PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  node_id bigint REFERENCES plant_node (id),
  parent_id bigint REFERENCES department (id)
);

-- 岗位 posts.
CREATE TABLE post (
  id bigserial PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  description text NOT NULL DEFAULT ''
);

CREATE TABLE shift (
  id bigserial PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  start_time text NOT NULL CHECK (start_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  end_time text NOT NULL CHECK (end_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$')
);

CREATE TABLE app_user (
  id bigserial PRIMARY KEY,
  username text NOT NULL,
  employee_no text,
  display_name text NOT NULL,
  phone text,
  email text,
  post_id bigint REFERENCES post (id),
  team_id bigint,
  department_id bigint REFERENCES department (id),
  home_node_id bigint REFERENCES plant_node (id),
  kind text NOT NULL DEFAULT 'person' CHECK (kind IN ('person', 'machine')),
  active boolean NOT NULL DEFAULT true,
  locale text NOT NULL DEFAULT 'zh-CN',
  password_hash text,
  password_changed_at timestamptz,
  must_change_password boolean NOT NULL DEFAULT false,
  failed_attempts integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  last_login_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX app_user_username ON app_user (lower(username));
CREATE UNIQUE INDEX app_user_employee_no ON app_user (employee_no) WHERE employee_no IS NOT NULL;

-- 班组 teams, each working in one workshop (plant node).
CREATE TABLE team (
  id bigserial PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  department_id bigint REFERENCES department (id),
  node_id bigint NOT NULL REFERENCES plant_node (id),
  leader_id bigint REFERENCES app_user (id)
);
ALTER TABLE app_user ADD CONSTRAINT app_user_team_fk FOREIGN KEY (team_id) REFERENCES team (id);

-- Authentication: server-side sessions (cookie holds a random token; only its hash is stored).
CREATE TABLE auth_session (
  id bigserial PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES app_user (id),
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  ip text,
  user_agent text
);
CREATE INDEX auth_session_user ON auth_session (user_id);

-- Bearer tokens for machines (integration accounts); only the hash is stored.
CREATE TABLE api_token (
  id bigserial PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES app_user (id),
  name text NOT NULL,
  prefix text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz
);

-- Roles group permissions; a user holds a role at a plant node (NULL: everywhere).
CREATE TABLE role (
  id bigserial PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name_zh text NOT NULL,
  name_en text NOT NULL,
  builtin boolean NOT NULL DEFAULT false,
  permissions text[] NOT NULL DEFAULT '{}'
);

CREATE TABLE role_assignment (
  id bigserial PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
  role_id bigint NOT NULL REFERENCES role (id),
  node_id bigint REFERENCES plant_node (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE NULLS NOT DISTINCT (user_id, role_id, node_id)
);
CREATE INDEX role_assignment_user ON role_assignment (user_id);
