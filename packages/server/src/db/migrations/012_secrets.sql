-- Secrets at rest (modules/secrets): sealed with AES-256-GCM under the master key, which lives
-- outside the database (AEGIS_MASTER_KEY or <dataDir>/master.key). One row proves at start that
-- the key is the one this database's secrets were sealed with: a known text sealed with it, and
-- the key's id (first 8 bytes of its SHA-256, hex) for the message when it is not.
CREATE TABLE secret_key_check (
  id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  key_id text NOT NULL,
  sealed text NOT NULL,
  created_at timestamptz NOT NULL
);

-- Connector passwords are stored sealed from now on; rows written before are sealed by the
-- connector service at its next start (one transaction), so none stays in clear.
ALTER TABLE connector_secret ADD COLUMN sealed boolean NOT NULL DEFAULT false;
