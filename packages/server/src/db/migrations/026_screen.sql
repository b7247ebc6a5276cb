-- Control-room big screens (大屏): layouts as JSON, kiosk tokens and their sessions, and the day an
-- administrator records as the last recordable incident of a node (安全运行天数).

CREATE TABLE screen (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  node_id bigint NOT NULL REFERENCES plant_node (id),
  layout jsonb NOT NULL,
  version int NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  updated_by text,
  deleted_at timestamptz
);
CREATE INDEX screen_node ON screen (node_id);

-- Every saved layout, for the history (who, when, why).
CREATE TABLE screen_version (
  screen_id bigint NOT NULL REFERENCES screen (id),
  version int NOT NULL,
  name text NOT NULL,
  node_id bigint NOT NULL,
  layout jsonb NOT NULL,
  saved_at timestamptz NOT NULL,
  saved_by text,
  reason text NOT NULL,
  PRIMARY KEY (screen_id, version)
);

-- The secret is kept only as its SHA-256; it is shown once, at creation.
CREATE TABLE screen_kiosk_token (
  id bigserial PRIMARY KEY,
  screen_id bigint NOT NULL REFERENCES screen (id),
  name text NOT NULL,
  prefix text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  created_by text,
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX screen_kiosk_token_screen ON screen_kiosk_token (screen_id);

-- A kiosk's browser session (cookie), valid only while its token is.
CREATE TABLE screen_kiosk_session (
  id bigserial PRIMARY KEY,
  token_id bigint NOT NULL REFERENCES screen_kiosk_token (id),
  session_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL
);
CREATE INDEX screen_kiosk_session_token ON screen_kiosk_session (token_id);

-- The last recordable incident of a node as recorded by hand (e.g. before Aegis, or an injury
-- without an emergency run); the newer of this and the last real emergency run counts.
CREATE TABLE screen_safe_since (
  node_id bigint PRIMARY KEY REFERENCES plant_node (id),
  since date NOT NULL,
  reason text NOT NULL,
  recorded_at timestamptz NOT NULL,
  recorded_by text
);
