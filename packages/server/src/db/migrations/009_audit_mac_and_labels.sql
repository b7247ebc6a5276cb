-- mac: HMAC of the entry's hash with a key kept outside the database (data directory), so an
-- entry inserted by the database role instead of by Aegis is recognised (NULL on older entries).
-- actor_display_name, target_label: names captured when the entry is written, for people to read
-- ("张三", "GD-207.H2S 硫化氢"), covered by the hash when present.
ALTER TABLE audit_log
  ADD COLUMN mac text,
  ADD COLUMN actor_display_name text,
  ADD COLUMN target_label text;
