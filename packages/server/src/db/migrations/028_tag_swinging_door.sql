-- Historian compression on ingest, per tag (issue 11): swinging-door trending as in OSIsoft PI.
-- 'swinging_door' stores a numeric tag's good values only where the straight line between
-- stored values would otherwise miss a raw value by more than storage_deviation (engineering
-- units); the storage deadband then acts as PI's exception deviation before the door. The live
-- view and the alarm engine still see every raw value (modules/ingest/pipeline.ts).
ALTER TABLE tag
  ADD COLUMN storage_compression text NOT NULL DEFAULT 'none'
    CHECK (storage_compression IN ('none', 'swinging_door')),
  ADD COLUMN storage_deviation double precision CHECK (storage_deviation >= 0);

-- Compression needs its deviation, and applies to numbers only (texts, booleans and states are
-- stored on change, as before).
ALTER TABLE tag ADD CONSTRAINT tag_swinging_door_settings
  CHECK (storage_compression = 'none' OR (storage_deviation IS NOT NULL AND type = 'number'));
