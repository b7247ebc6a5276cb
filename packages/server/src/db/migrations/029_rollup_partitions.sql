-- Minute rollups partitioned by UTC month: at plant scale they are millions of rows a day (one
-- per tag and minute), kept for months; retention now drops a whole month (constant time, no
-- vacuum debt) instead of deleting rows. Hour rollups stay one table (60 times fewer rows).
--
-- The rows of an existing installation are not moved: the old table becomes a partition covering
-- everything up to the end of its newest month (attaching reads it once, writes nothing), and
-- retention deletes its rows as before until it is empty and dropped. Month partitions follow
-- it, created ahead by the historian; rollups outside every partition (a backfill of old history)
-- wait in the default partition until the historian gives their month a partition.
ALTER TABLE tag_rollup_1m RENAME TO tag_rollup_1m_legacy;
ALTER INDEX tag_rollup_1m_pkey RENAME TO tag_rollup_1m_legacy_pkey;

CREATE TABLE tag_rollup_1m (
  tag_id bigint NOT NULL,
  bucket timestamptz NOT NULL,
  n integer NOT NULL,
  sum double precision NOT NULL,
  min double precision NOT NULL,
  max double precision NOT NULL,
  last double precision NOT NULL,
  PRIMARY KEY (tag_id, bucket)
) PARTITION BY RANGE (bucket);
CREATE TABLE tag_rollup_1m_default PARTITION OF tag_rollup_1m DEFAULT;

DO $$
DECLARE
  upper_bound timestamptz;
BEGIN
  SELECT (date_trunc('month', max(bucket) AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC'
    INTO upper_bound FROM tag_rollup_1m_legacy;
  IF upper_bound IS NULL THEN
    DROP TABLE tag_rollup_1m_legacy;
  ELSE
    EXECUTE format('ALTER TABLE tag_rollup_1m ATTACH PARTITION tag_rollup_1m_legacy FOR VALUES FROM (MINVALUE) TO (%L)',
                   upper_bound);
  END IF;
END $$;

-- Creates the partition of the UTC month starting at p_month, moving rollups that wait in the
-- default partition for that month into it. False when it exists or the old table covers it.
CREATE FUNCTION aegis_rollup_create_partition(p_month timestamptz)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  p_name text := 'tag_rollup_1m_p' || to_char(p_month AT TIME ZONE 'UTC', 'YYYYMM');
  p_to timestamptz := ((p_month AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC';
  waiting tag_rollup_1m[];
BEGIN
  IF p_month <> date_trunc('month', p_month AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' THEN
    RAISE EXCEPTION 'not the start of a UTC month: %', p_month USING ERRCODE = '22023';
  END IF;
  IF to_regclass(p_name) IS NOT NULL THEN
    RETURN false;
  END IF;
  BEGIN
    -- A new partition may not take a range that still has rows in the default partition.
    WITH moved AS (DELETE FROM tag_rollup_1m_default WHERE bucket >= p_month AND bucket < p_to RETURNING *)
    SELECT array_agg(ROW(m.tag_id, m.bucket, m.n, m.sum, m.min, m.max, m.last)::tag_rollup_1m)
      INTO waiting FROM moved m;
    EXECUTE format('CREATE TABLE %I PARTITION OF tag_rollup_1m FOR VALUES FROM (%L) TO (%L)',
                   p_name, p_month, p_to);
    IF waiting IS NOT NULL THEN
      INSERT INTO tag_rollup_1m SELECT * FROM unnest(waiting);
    END IF;
  EXCEPTION WHEN invalid_object_definition THEN
    -- The old table's range holds that month (its rows stay where they were).
    RETURN false;
  END;
  RETURN true;
END $$;

-- Drops the partition of the UTC month starting at p_month (retention). False when none.
CREATE FUNCTION aegis_rollup_drop_partition(p_month timestamptz)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  p_name text := 'tag_rollup_1m_p' || to_char(p_month AT TIME ZONE 'UTC', 'YYYYMM');
BEGIN
  IF to_regclass(p_name) IS NULL THEN
    RETURN false;
  END IF;
  EXECUTE format('DROP TABLE %I', p_name);
  RETURN true;
END $$;

-- The old table, once retention has deleted its last row.
CREATE FUNCTION aegis_rollup_drop_legacy()
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF to_regclass('tag_rollup_1m_legacy') IS NULL THEN
    RETURN false;
  END IF;
  IF EXISTS (SELECT 1 FROM tag_rollup_1m_legacy) THEN
    RETURN false;
  END IF;
  DROP TABLE tag_rollup_1m_legacy;
  RETURN true;
END $$;
