-- 培训 training (issue 10): courses, the post × course matrix, records per person, reminders sent.

-- A course holds its current version; every version is kept in training_course_version.
CREATE TABLE training_course (
  id bigserial PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name_zh text NOT NULL,
  name_en text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('induction', 'special_operation', 'hazardous_work', 'post_procedure',
    'inspection', 'emergency_drill', 'other')),
  validity_months int CHECK (validity_months IS NULL OR validity_months > 0),
  certificate_required boolean NOT NULL DEFAULT false,
  description text NOT NULL DEFAULT '',
  -- what the course prepares for: a refusal, skip, miss or hazard of these suggests it
  permit_types jsonb NOT NULL DEFAULT '[]'::jsonb,
  sop_ids jsonb NOT NULL DEFAULT '[]'::jsonb,
  inspection_plan_ids jsonb NOT NULL DEFAULT '[]'::jsonb,
  hazard_types jsonb NOT NULL DEFAULT '[]'::jsonb,
  active boolean NOT NULL DEFAULT true,
  version int NOT NULL,
  updated_by bigint REFERENCES app_user (id),
  updated_by_name text NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE training_course_version (
  course_id bigint NOT NULL REFERENCES training_course (id),
  version int NOT NULL,
  data jsonb NOT NULL,
  by_id bigint REFERENCES app_user (id),
  by_name text NOT NULL,
  at timestamptz NOT NULL,
  reason text,
  PRIMARY KEY (course_id, version)
);

-- 岗位培训矩阵: the courses a post requires or recommends.
CREATE TABLE training_requirement (
  post_id bigint NOT NULL REFERENCES post (id),
  course_id bigint NOT NULL REFERENCES training_course (id),
  level text NOT NULL CHECK (level IN ('required', 'recommended')),
  PRIMARY KEY (post_id, course_id)
);

-- One completion (or a planned training) of a course by a person.
CREATE TABLE training_record (
  id bigserial PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES app_user (id),
  course_id bigint NOT NULL REFERENCES training_course (id),
  status text NOT NULL CHECK (status IN ('completed', 'planned')),
  completed_on date,
  expires_on date,
  planned_on date,
  score double precision,
  passed boolean,
  certificate_no text NOT NULL DEFAULT '',
  trainer text NOT NULL DEFAULT '',
  note text NOT NULL DEFAULT '',
  -- the need a planned training was made from (reason:subject:course)
  need_key text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CHECK (status <> 'completed' OR completed_on IS NOT NULL),
  CHECK (expires_on IS NULL OR completed_on IS NULL OR expires_on >= completed_on)
);
CREATE INDEX training_record_user ON training_record (user_id, course_id);
CREATE INDEX training_record_expiry ON training_record (expires_on) WHERE status = 'completed';

-- Reminders sent: one row per record and stage, so two schedulers or a restart never send twice.
CREATE TABLE training_reminder (
  record_id bigint NOT NULL REFERENCES training_record (id) ON DELETE CASCADE,
  stage text NOT NULL CHECK (stage IN ('expiring', 'expired')),
  at timestamptz NOT NULL,
  PRIMARY KEY (record_id, stage)
);
