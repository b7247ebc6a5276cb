-- 排班 shift roster: for a workshop (plant node), a day and a shift, the team (班组) on duty and the
-- on-call person (值班人员). A shift crossing midnight belongs to the day it starts. Deleting a
-- shift or team that a roster names is refused; a deleted plant node takes its roster with it.
CREATE TABLE shift_roster (
  node_id bigint NOT NULL REFERENCES plant_node (id) ON DELETE CASCADE,
  day date NOT NULL,
  shift_id bigint NOT NULL REFERENCES shift (id),
  team_id bigint NOT NULL REFERENCES team (id),
  on_call_user_id bigint REFERENCES app_user (id),
  PRIMARY KEY (node_id, day, shift_id)
);
-- "who is on duty now" looks up one or two (day, shift) pairs across the nodes of a path
CREATE INDEX shift_roster_day_shift ON shift_roster (day, shift_id);
CREATE INDEX shift_roster_team ON shift_roster (team_id);
