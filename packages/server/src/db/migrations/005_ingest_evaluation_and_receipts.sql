-- Ingest: evaluation order of current values, and receipts of MQTT messages.

-- The evaluation time of the current value: min(source time, arrival time). The current value
-- follows evaluation order, so a device clock ahead (or one spoofed future stamp) cannot keep
-- later real values out of it until real time catches up.
ALTER TABLE tag_current ADD COLUMN eval_ts timestamptz;
UPDATE tag_current SET eval_ts = ts;
ALTER TABLE tag_current ALTER COLUMN eval_ts SET NOT NULL;

-- The last message stored under each packet id of each device (embedded broker, QoS >= 1),
-- written in the transaction of its values: a redelivery of a message already stored (the
-- acknowledgement was lost, or Aegis restarted in between) is recognised by client, packet id
-- and payload hash, also when its values carry arrival stamps. Old receipts are expired.
CREATE TABLE ingest_receipt (
  source text NOT NULL,
  client_id text NOT NULL,
  packet_id integer NOT NULL,
  hash text NOT NULL,
  connection text NOT NULL,
  at timestamptz NOT NULL,
  PRIMARY KEY (source, client_id, packet_id)
);
