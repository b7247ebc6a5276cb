-- Connections to equipment: MQTT brokers, OPC UA servers, Modbus slaves. The default MQTT
-- connection (the embedded broker, or MQTT_URL) has no row; tags address it as connector null.

CREATE TABLE connector (
  id bigserial PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('mqtt', 'opcua', 'modbus')),
  enabled boolean NOT NULL DEFAULT true,
  -- The settings of the kind (ConnectorConfigSchema), secrets included; the API never returns them.
  config jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
