-- 作业票存档 (issue 9): when a permit ends (completed, cancelled, expired) its PDF is written once under
-- <dataDir>/permits/YYYY/ and registered here with its SHA-256; GET /api/permits/:id/pdf then serves
-- that file (checked against the hash) instead of a fresh rendering. One row per permit, never changed;
-- it goes only with its permit (cascade, when the permit's retention has passed).
CREATE TABLE permit_archive (
  permit_id bigint PRIMARY KEY REFERENCES permit (id) ON DELETE CASCADE,
  code text NOT NULL,
  -- the state the permit ended in
  state text NOT NULL CHECK (state IN ('completed', 'cancelled', 'expired')),
  -- relative to the data directory, e.g. permits/2026/ZY-DH-20260302-001.3f2a9c1b.pdf
  file text NOT NULL UNIQUE,
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  bytes integer NOT NULL CHECK (bytes > 0),
  archived_at timestamptz NOT NULL
);

CREATE FUNCTION permit_archive_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT 1 FROM permit WHERE id = OLD.permit_id) THEN RETURN OLD; END IF;
    RAISE EXCEPTION 'the archived PDF of permit % is kept with its permit', OLD.code
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RAISE EXCEPTION 'the archived PDF of permit % is never changed', OLD.code
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER permit_archive_guard BEFORE UPDATE OR DELETE ON permit_archive
  FOR EACH ROW EXECUTE FUNCTION permit_archive_guard();
