-- Photo evidence (issue 8): one row per stored photo of an inspection task or a hidden-danger
-- report. The file itself lives under <dataDir>/evidence/, named by its sha256 and never
-- changed; the row keeps what the checks found (flags) and the reviewer's decision.
CREATE TABLE evidence_photo (
  id bigserial PRIMARY KEY,
  owner_kind text NOT NULL,
  owner_id bigint NOT NULL,
  -- what reuse is compared within (e.g. the inspection plan): set by the owner module
  scope_key text NOT NULL,
  -- the owner's plant path when stored (for registers; reads ask the owner module)
  path text,
  -- the phone's id: a photo synced twice is stored once
  client_id text UNIQUE,
  file_name text NOT NULL,
  mime text NOT NULL,
  bytes bigint NOT NULL,
  width int NOT NULL,
  height int NOT NULL,
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  -- 64-bit difference hash (16 hex digits) for near-duplicate detection
  dhash text NOT NULL CHECK (dhash ~ '^[0-9a-f]{16}$'),
  taken_at timestamptz,
  uploaded_at timestamptz NOT NULL,
  uploaded_by bigint REFERENCES app_user (id),
  uploaded_by_name text NOT NULL,
  flags jsonb NOT NULL DEFAULT '[]'::jsonb,
  review_decision text CHECK (review_decision IN ('accepted', 'rejected')),
  review_by bigint REFERENCES app_user (id),
  review_by_name text,
  review_at timestamptz,
  review_reason text
);
CREATE INDEX evidence_photo_owner ON evidence_photo (owner_kind, owner_id, id);
CREATE INDEX evidence_photo_scope ON evidence_photo (scope_key, uploaded_at);
