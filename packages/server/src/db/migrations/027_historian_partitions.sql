-- Historian storage: raw values partitioned by time, compressed blocks of settled partitions.
--
-- tag_value becomes a partitioned table: one partition per plant-local day (or week, month),
-- created ahead by the historian (modules/historian). Retention drops whole partitions: constant
-- time, no vacuum debt. Values stamped outside every partition (backfill, a late device) land
-- in the default partition and are moved into their own partition by the next maintenance run.
-- The old table is kept as tag_value_legacy; the historian moves its rows into partitions at
-- start, one partition per transaction, and drops it when empty.
ALTER TABLE tag_value RENAME TO tag_value_legacy;
ALTER INDEX tag_value_pkey RENAME TO tag_value_legacy_pkey;
DROP INDEX tag_value_ts;

CREATE TABLE tag_value (
  tag_id bigint NOT NULL,
  ts timestamptz NOT NULL,
  num double precision,
  txt text,
  quality smallint NOT NULL,
  PRIMARY KEY (tag_id, ts)
) PARTITION BY RANGE (ts);
CREATE TABLE tag_value_default PARTITION OF tag_value DEFAULT;
-- Time-range scans (rollups of a slice of a day, compression of a partition) read only the
-- pages of that range; a BRIN index costs almost nothing to keep on append-only data.
CREATE INDEX tag_value_ts ON tag_value USING brin (ts);

-- Settled raw values, one row per tag and block of time (an hour, cut at partition bounds):
-- timestamps, values, texts and qualities encoded losslessly in `data` (historian/block-codec.ts).
-- Partitioned like tag_value, so retention drops a day of blocks with the day of raw values.
CREATE TABLE tag_block (
  tag_id bigint NOT NULL,
  block_start timestamptz NOT NULL,
  block_end timestamptz NOT NULL,
  n integer NOT NULL CHECK (n > 0),
  first_ts timestamptz NOT NULL,
  last_ts timestamptz NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (tag_id, block_start)
) PARTITION BY RANGE (block_start);

-- The partitions the historian made: their time range and whether they are compressed. Kept
-- by the functions below in the same transaction as the DDL, so it never disagrees with the
-- catalogue.
CREATE TABLE ts_partition (
  name text PRIMARY KEY CHECK (name ~ '^p[0-9]{8}(_[0-9]{4})?$'),
  range_from timestamptz NOT NULL,
  range_to timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Set before the first block is written: from then on, rollups of this range are kept by the
  -- compression (late values are merged into blocks), never recomputed from raw rows alone.
  compress_started_at timestamptz,
  compressed_at timestamptz,
  -- What the last compression wrote: points and bytes of blocks.
  compressed_points bigint,
  compressed_bytes bigint,
  CHECK (range_from < range_to)
);
CREATE UNIQUE INDEX ts_partition_from ON ts_partition (range_from);

-- Partition DDL runs as the owner of the tables (the application role may not create or drop
-- tables); these functions are all the application can do, on names it cannot choose freely.

-- Creates the partition pair for [p_from, p_to), moving rows that wait in the default
-- partition for that range into it (all in the caller's transaction). False when it exists.
CREATE FUNCTION aegis_ts_create_partition(p_name text, p_from timestamptz, p_to timestamptz)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  waiting tag_value[];
BEGIN
  IF p_name !~ '^p[0-9]{8}(_[0-9]{4})?$' THEN
    RAISE EXCEPTION 'invalid partition name %', p_name USING ERRCODE = '22023';
  END IF;
  IF p_from >= p_to THEN
    RAISE EXCEPTION 'empty partition range % .. %', p_from, p_to USING ERRCODE = '22023';
  END IF;
  IF EXISTS (SELECT 1 FROM ts_partition WHERE name = p_name) THEN
    RETURN false;
  END IF;
  -- A new partition may not take a range that still has rows in the default partition.
  WITH moved AS (DELETE FROM tag_value_default WHERE ts >= p_from AND ts < p_to RETURNING *)
  SELECT array_agg(ROW(m.tag_id, m.ts, m.num, m.txt, m.quality)::tag_value) INTO waiting FROM moved m;
  EXECUTE format('CREATE TABLE %I PARTITION OF tag_value FOR VALUES FROM (%L) TO (%L)',
                 'tag_value_' || p_name, p_from, p_to);
  EXECUTE format('CREATE TABLE %I PARTITION OF tag_block FOR VALUES FROM (%L) TO (%L)',
                 'tag_block_' || p_name, p_from, p_to);
  IF waiting IS NOT NULL THEN
    INSERT INTO tag_value SELECT * FROM unnest(waiting) ON CONFLICT DO NOTHING;
  END IF;
  INSERT INTO ts_partition (name, range_from, range_to) VALUES (p_name, p_from, p_to);
  RETURN true;
END $$;

-- Drops a partition pair (retention). False when it did not exist.
CREATE FUNCTION aegis_ts_drop_partition(p_name text)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM ts_partition WHERE name = p_name) THEN
    RETURN false;
  END IF;
  EXECUTE format('DROP TABLE IF EXISTS %I', 'tag_value_' || p_name);
  EXECUTE format('DROP TABLE IF EXISTS %I', 'tag_block_' || p_name);
  DELETE FROM ts_partition WHERE name = p_name;
  RETURN true;
END $$;

-- After compression: gives the emptied raw partition's space back at once (PGlite has no
-- autovacuum), but only if no value arrived meanwhile. True when truncated.
CREATE FUNCTION aegis_ts_truncate_if_empty(p_name text)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  has_rows boolean;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM ts_partition WHERE name = p_name) THEN
    RETURN false;
  END IF;
  EXECUTE format('LOCK TABLE %I IN ACCESS EXCLUSIVE MODE', 'tag_value_' || p_name);
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I)', 'tag_value_' || p_name) INTO has_rows;
  IF has_rows THEN
    RETURN false;
  END IF;
  EXECUTE format('TRUNCATE %I', 'tag_value_' || p_name);
  RETURN true;
END $$;

-- The legacy table, once the historian has moved every row out of it.
CREATE FUNCTION aegis_ts_drop_legacy()
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF to_regclass('tag_value_legacy') IS NULL THEN
    RETURN false;
  END IF;
  IF EXISTS (SELECT 1 FROM tag_value_legacy) THEN
    RETURN false;
  END IF;
  DROP TABLE tag_value_legacy;
  RETURN true;
END $$;

-- Sizes of the partitions (the application role may not read other roles' table sizes everywhere).
CREATE FUNCTION aegis_ts_partition_sizes()
RETURNS TABLE (name text, raw_bytes bigint, block_bytes bigint) LANGUAGE sql SECURITY DEFINER
SET search_path = public AS $$
  SELECT p.name,
         coalesce(pg_total_relation_size(to_regclass('tag_value_' || p.name)), 0),
         coalesce(pg_total_relation_size(to_regclass('tag_block_' || p.name)), 0)
  FROM ts_partition p
$$;
