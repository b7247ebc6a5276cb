-- Electronic signatures (21 CFR Part 11, issue 9): one row per signature of a record (a work permit,
-- an SOP run, a lockout, an emergency run). The row names the signer (id, printed name, username),
-- the meaning (apply, approve, …), the server time, the SHA-256 of the signed content and a MAC over
-- all of these and the record it belongs to, so a row copied to another record, or edited, fails
-- verification. Rows are never changed or removed: the triggers below refuse it.
CREATE TABLE e_signature (
  id bigserial PRIMARY KEY,
  record_kind text NOT NULL CHECK (record_kind ~ '^[a-z][a-z0-9_]*$'),
  record_id bigint NOT NULL,
  meaning text NOT NULL,
  signer_id bigint NOT NULL REFERENCES app_user (id),
  printed_name text NOT NULL,
  username text NOT NULL,
  signed_at timestamptz NOT NULL,
  content_hash text NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
  auth_method text NOT NULL CHECK (auth_method IN ('password', 'password+otp')),
  mac text NOT NULL,
  -- the signature drawn on the phone (PNG), when there was one
  image bytea,
  image_sha256 text CHECK (image_sha256 ~ '^[0-9a-f]{64}$'),
  -- the plant node of the record when signed (for audit filters); not a reference, nodes move
  node_id bigint,
  CHECK ((image IS NULL) = (image_sha256 IS NULL))
);
CREATE INDEX e_signature_record ON e_signature (record_kind, record_id, id);
CREATE INDEX e_signature_signer ON e_signature (signer_id, signed_at);

CREATE FUNCTION e_signature_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'electronic signatures are never changed or removed: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER e_signature_no_change BEFORE UPDATE OR DELETE ON e_signature
  FOR EACH ROW EXECUTE FUNCTION e_signature_refuse_change();
CREATE TRIGGER e_signature_no_truncate BEFORE TRUNCATE ON e_signature
  FOR EACH STATEMENT EXECUTE FUNCTION e_signature_refuse_change();
