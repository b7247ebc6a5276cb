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

-- An installation that already has two tags on one address is told which, instead of failing on
-- the index with a bare unique violation: unbind or delete one of each pair, then start again.
DO $$
DECLARE clashes text;
BEGIN
  SELECT string_agg(codes, '; ') INTO clashes FROM (
    SELECT string_agg(t.code || ' (#' || t.id || ')', ' = ' ORDER BY t.id) AS codes
    FROM tag t WHERE t.source ->> 'kind' <> 'http'
    GROUP BY tag_source_key(t.source) HAVING count(*) > 1) d;
  IF clashes IS NOT NULL THEN
    RAISE EXCEPTION 'tags share one device source (one tag per source from now on): %', clashes
      USING HINT = 'unbind or delete one tag of each group, then start Aegis again';
  END IF;
END $$;

CREATE UNIQUE INDEX tag_source_unique ON tag (tag_source_key(source)) WHERE source ->> 'kind' <> 'http';
