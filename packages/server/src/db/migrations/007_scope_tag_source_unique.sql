-- One tag per device source: two tags bound to the same topic + JSON path, Sparkplug metric,
-- OPC UA node id or Modbus register of one connector would let a tag in one workshop read (and
-- alarm on) another workshop's values. The key normalises what means the same address
-- (`$.a.b` and `a.b`; a missing unit id is unit 1; the default MQTT connection is `-`).
CREATE FUNCTION tag_source_key(s jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE s ->> 'kind'
    WHEN 'mqtt' THEN 'mqtt|' || coalesce(s ->> 'connectorId', '-') || '|' || (s ->> 'topic') || '|' ||
      coalesce(nullif(regexp_replace(coalesce(s ->> 'path', '$'), '^\$\.?', ''), ''), '$')
    WHEN 'sparkplug' THEN 'sparkplug|' || coalesce(s ->> 'connectorId', '-') || '|' || (s ->> 'group') || '|' ||
      (s ->> 'edgeNode') || '|' || coalesce(s ->> 'device', '') || '|' || (s ->> 'metric')
    WHEN 'opcua' THEN 'opcua|' || (s ->> 'connectorId') || '|' || (s ->> 'nodeId')
    WHEN 'modbus' THEN 'modbus|' || (s ->> 'connectorId') || '|' || coalesce(s ->> 'unitId', '1') || '|' ||
      (s ->> 'area') || '|' || (s ->> 'address')
  END
$$;

CREATE UNIQUE INDEX tag_source_unique ON tag (tag_source_key(source)) WHERE source ->> 'kind' <> 'http';
