-- Alarm texts are made of names and units (rendered per language by the reader): the journal keeps
-- the parts as they were when the entry was written, so a later rename or new limit does not rewrite history.
ALTER TABLE alarm_event ADD COLUMN text jsonb;
