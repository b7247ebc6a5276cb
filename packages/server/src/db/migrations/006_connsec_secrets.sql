-- Connector secrets live apart from the settings: the connector row (listed, shown, audited) holds
-- no password; connector_secret is read only to connect. Not encrypted: Aegis has no key store
-- yet, so the database's own access control protects it (see docs/architecture.md).
CREATE TABLE connector_secret (
  connector_id bigint PRIMARY KEY REFERENCES connector (id) ON DELETE CASCADE,
  password text NOT NULL
);
INSERT INTO connector_secret (connector_id, password)
  SELECT id, config->>'password' FROM connector WHERE coalesce(config->>'password', '') <> '';
UPDATE connector SET config = config - 'password' WHERE config ? 'password';
-- Credentials written inside a URL (mqtt://user:pw@host) are split out by the connector service at start.

-- OPC UA server certificates seen by a connector: the first one waits for an administrator's
-- approval (trust on first use with approval); a different one later waits again.
CREATE TABLE connector_certificate (
  connector_id bigint NOT NULL REFERENCES connector (id) ON DELETE CASCADE,
  -- SHA-256 of the DER certificate, upper-case hex pairs joined by colons.
  fingerprint text NOT NULL,
  subject text NOT NULL,
  valid_from timestamptz NOT NULL,
  valid_to timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
  first_seen_at timestamptz NOT NULL,
  decided_at timestamptz,
  decided_by bigint REFERENCES app_user (id),
  PRIMARY KEY (connector_id, fingerprint)
);
