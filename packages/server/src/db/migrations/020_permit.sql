-- 特殊作业安全作业票 hazardous-work permits (GB 30871-2022, issue 9). A permit's state lives here,
-- its history and timers in the workflow core, its signatures in e_signature (019).

-- Rules per type and grade (editable with permit.manage, audited). Defaults from GB 30871-2022:
-- 动火 特级/一级 8 h, 二级 72 h (§5.3); 受限空间 24 h (the standard: 作业票有效期不应超过24 h);
-- 高处 7 d (§9); 临时用电 15 d, at most 30 d with an extension (§10); 吊装 24 h (one lift per permit is
-- the usual practice; the standard sets none); 盲板抽堵, 动土, 断路: 72 h — the standard sets no
-- maximum for these, 72 h is the plant's choice and editable.
CREATE TABLE permit_rule (
  type text NOT NULL,
  grade text NOT NULL,
  max_validity_hours double precision NOT NULL CHECK (max_validity_hours > 0),
  hard_max_validity_hours double precision,
  needs_gas_analysis boolean NOT NULL,
  analysis_max_age_min int NOT NULL DEFAULT 30,
  retest_after_interruption_min int,
  continuous_monitoring boolean NOT NULL DEFAULT false,
  live_record_every_min int NOT NULL DEFAULT 120,
  approvals text[] NOT NULL,
  retention_days int NOT NULL DEFAULT 365,
  source text NOT NULL DEFAULT '',
  PRIMARY KEY (type, grade)
);
INSERT INTO permit_rule (type, grade, max_validity_hours, hard_max_validity_hours, needs_gas_analysis,
  retest_after_interruption_min, continuous_monitoring, approvals, source) VALUES
  ('hot_work', 'special', 8, NULL, true, 30, true, '{unit,safety_department,plant_leadership}', 'GB 30871-2022 5.2, 5.3'),
  ('hot_work', 'first', 8, NULL, true, 30, false, '{unit,safety_department}', 'GB 30871-2022 5.2, 5.3'),
  ('hot_work', 'second', 72, NULL, true, 60, false, '{unit}', 'GB 30871-2022 5.2, 5.3'),
  ('confined_space', 'none', 24, NULL, true, 60, true, '{unit}', 'GB 30871-2022 6'),
  ('blind_plate', 'none', 72, NULL, false, NULL, false, '{unit}', 'GB 30871-2022 7 (no maximum set: plant choice)'),
  ('height', 'I', 168, NULL, false, NULL, false, '{unit}', 'GB 30871-2022 8'),
  ('height', 'II', 168, NULL, false, NULL, false, '{unit}', 'GB 30871-2022 8'),
  ('height', 'III', 168, NULL, false, NULL, false, '{unit,safety_department}', 'GB 30871-2022 8'),
  ('height', 'IV', 168, NULL, false, NULL, false, '{unit,safety_department}', 'GB 30871-2022 8'),
  ('lifting', 'first', 24, NULL, false, NULL, false, '{unit,chief_engineer}', 'GB 30871-2022 9'),
  ('lifting', 'second', 24, NULL, false, NULL, false, '{unit,safety_department}', 'GB 30871-2022 9'),
  ('lifting', 'third', 24, NULL, false, NULL, false, '{unit}', 'GB 30871-2022 9'),
  ('temporary_power', 'none', 360, 720, false, NULL, false, '{unit}', 'GB 30871-2022 10'),
  ('excavation', 'none', 72, NULL, false, NULL, false, '{unit}', 'GB 30871-2022 11 (no maximum set: plant choice)'),
  ('road_closure', 'none', 72, NULL, false, NULL, false, '{unit}', 'GB 30871-2022 12 (no maximum set: plant choice)');

-- Gases the analyses are judged against. Toxic limits: GBZ 2.1-2019 (MAC, or PC-STEL where there is
-- no MAC) in mg/m³, with the ppm equivalent at 20 °C, 101.3 kPa: ppm = mg/m³ × 24.04 / M.
CREATE TABLE permit_gas (
  code text PRIMARY KEY,
  name_zh text NOT NULL,
  name_en text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('flammable', 'oxygen', 'toxic')),
  lel_percent_vol double precision,
  limit_value double precision,
  limit_unit text,
  limit_ppm double precision,
  molar_mass double precision,
  note text NOT NULL DEFAULT ''
);
INSERT INTO permit_gas (code, name_zh, name_en, kind, lel_percent_vol, limit_value, limit_unit, limit_ppm, molar_mass, note) VALUES
  ('CH4', '甲烷', 'Methane', 'flammable', 5.0, NULL, NULL, NULL, 16.04, ''),
  ('H2', '氢气', 'Hydrogen', 'flammable', 4.0, NULL, NULL, NULL, 2.016, ''),
  ('C3H8', '丙烷', 'Propane', 'flammable', 2.1, NULL, NULL, NULL, 44.1, ''),
  ('C4H10', '丁烷', 'Butane', 'flammable', 1.8, NULL, NULL, NULL, 58.12, ''),
  ('C2H2', '乙炔', 'Acetylene', 'flammable', 2.5, NULL, NULL, NULL, 26.04, ''),
  ('C2H4', '乙烯', 'Ethylene', 'flammable', 2.7, NULL, NULL, NULL, 28.05, ''),
  ('O2', '氧气', 'Oxygen', 'oxygen', NULL, NULL, NULL, NULL, 32.0, '19.5–21 %vol; 21–23.5 only in a declared oxygen-enriched space'),
  ('H2S', '硫化氢', 'Hydrogen sulphide', 'toxic', 4.0, 10, 'mg/m3', 7.05, 34.08, 'GBZ 2.1 MAC 10 mg/m³ ≈ 7.05 ppm'),
  ('CO', '一氧化碳', 'Carbon monoxide', 'toxic', 12.5, 30, 'mg/m3', 25.7, 28.01, 'GBZ 2.1 PC-STEL 30 mg/m³ ≈ 25.7 ppm (also flammable, LEL 12.5 %vol; judged as toxic, the tighter limit)'),
  ('NH3', '氨', 'Ammonia', 'toxic', 15.0, 30, 'mg/m3', 42.3, 17.03, 'GBZ 2.1 PC-STEL 30 mg/m³ ≈ 42.3 ppm'),
  ('CL2', '氯气', 'Chlorine', 'toxic', NULL, 1, 'mg/m3', 0.34, 70.9, 'GBZ 2.1 MAC 1 mg/m³ ≈ 0.34 ppm');

-- Holidays (plant-local dates): a permit whose window touches one is raised one grade.
CREATE TABLE permit_holiday (
  day date PRIMARY KEY,
  name text NOT NULL
);

CREATE TABLE permit (
  id bigserial PRIMARY KEY,
  -- ZY-DH-20260302-001
  code text NOT NULL UNIQUE,
  type text NOT NULL CHECK (type IN ('hot_work', 'confined_space', 'blind_plate', 'height', 'lifting',
    'temporary_power', 'excavation', 'road_closure')),
  state text NOT NULL CHECK (state IN ('draft', 'awaiting_analysis', 'awaiting_approval', 'active',
    'suspended', 'completed', 'cancelled', 'expired')),
  -- content (frozen at submit: see permit_guard_change)
  requested_grade text NOT NULL,
  effective_grade text NOT NULL,
  raise_reasons jsonb NOT NULL DEFAULT '[]'::jsonb,
  title text NOT NULL,
  node_id bigint NOT NULL REFERENCES plant_node (id),
  area_id bigint REFERENCES plant_node (id),
  equipment_ids jsonb NOT NULL DEFAULT '[]'::jsonb,
  valid_from timestamptz NOT NULL,
  valid_to timestamptz NOT NULL,
  applicant_unit text NOT NULL,
  applicant_id bigint NOT NULL REFERENCES app_user (id),
  person_in_charge_id bigint NOT NULL REFERENCES app_user (id),
  analyst_id bigint REFERENCES app_user (id),
  watcher_id bigint NOT NULL REFERENCES app_user (id),
  briefer_id bigint NOT NULL REFERENCES app_user (id),
  acceptor_id bigint NOT NULL REFERENCES app_user (id),
  workers jsonb NOT NULL DEFAULT '[]'::jsonb,
  risk_identification jsonb NOT NULL DEFAULT '[]'::jsonb,
  measures jsonb NOT NULL DEFAULT '[]'::jsonb,
  wind_level int NOT NULL DEFAULT 0,
  fields jsonb NOT NULL,
  linked_permit_ids jsonb NOT NULL DEFAULT '[]'::jsonb,
  -- bound live gas tags [{tagId, gas}]
  gas_tags jsonb NOT NULL DEFAULT '[]'::jsonb,
  supersedes_id bigint REFERENCES permit (id),
  -- the course of the permit (not content)
  submitted_at timestamptz,
  work_started_at timestamptz,
  suspended_at timestamptz,
  suspend_cause text,
  suspend_detail text,
  ended_at timestamptz,
  cancel_reason text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CHECK (valid_to > valid_from)
);
CREATE INDEX permit_state ON permit (state);
CREATE INDEX permit_node ON permit (node_id);

-- 作业票一经签发不得涂改: after submit the content never changes, and a permit in a terminal state not
-- at all (corrections are new permits, linked by supersedes_id). Deletion: drafts, or terminal
-- permits that ended more than retention_days ago. The clock is the application's (aegis.now, set
-- per transaction) so tests with a moved clock see the same rule; without it, now().
CREATE FUNCTION permit_now() RETURNS timestamptz LANGUAGE plpgsql STABLE AS $$
DECLARE s text := current_setting('aegis.now', true);
BEGIN
  IF s IS NULL OR s = '' THEN RETURN now(); END IF;
  RETURN s::timestamptz;
END $$;

CREATE FUNCTION permit_guard_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE keep int;
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.state = 'draft' THEN RETURN OLD; END IF;
    IF OLD.state IN ('completed', 'cancelled', 'expired') AND OLD.ended_at IS NOT NULL THEN
      SELECT retention_days INTO keep FROM permit_rule WHERE type = OLD.type AND grade = OLD.effective_grade;
      IF OLD.ended_at < permit_now() - make_interval(days => coalesce(keep, 365)) THEN RETURN OLD; END IF;
    END IF;
    RAISE EXCEPTION 'permit % is kept: only drafts, or ended permits past their retention, can be deleted', OLD.code
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.state IN ('completed', 'cancelled', 'expired') THEN
    RAISE EXCEPTION 'permit % has ended (%): it cannot be changed', OLD.code, OLD.state
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.state <> 'draft' AND (
    NEW.code, NEW.type, NEW.requested_grade, NEW.effective_grade, NEW.raise_reasons, NEW.title, NEW.node_id,
    NEW.area_id, NEW.equipment_ids, NEW.valid_from, NEW.valid_to, NEW.applicant_unit, NEW.applicant_id,
    NEW.person_in_charge_id, NEW.analyst_id, NEW.watcher_id, NEW.briefer_id, NEW.acceptor_id, NEW.workers,
    NEW.risk_identification, NEW.measures, NEW.wind_level, NEW.fields, NEW.linked_permit_ids, NEW.gas_tags,
    NEW.supersedes_id, NEW.submitted_at, NEW.created_at
  ) IS DISTINCT FROM (
    OLD.code, OLD.type, OLD.requested_grade, OLD.effective_grade, OLD.raise_reasons, OLD.title, OLD.node_id,
    OLD.area_id, OLD.equipment_ids, OLD.valid_from, OLD.valid_to, OLD.applicant_unit, OLD.applicant_id,
    OLD.person_in_charge_id, OLD.analyst_id, OLD.watcher_id, OLD.briefer_id, OLD.acceptor_id, OLD.workers,
    OLD.risk_identification, OLD.measures, OLD.wind_level, OLD.fields, OLD.linked_permit_ids, OLD.gas_tags,
    OLD.supersedes_id, OLD.submitted_at, OLD.created_at
  ) THEN
    RAISE EXCEPTION 'permit % was submitted: its content cannot be changed (revise it: a new permit)', OLD.code
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER permit_guard BEFORE UPDATE OR DELETE ON permit
  FOR EACH ROW EXECUTE FUNCTION permit_guard_change();

-- Approval levels, fixed at submit (the rule's levels plus those a conflict adds), filled in order.
CREATE TABLE permit_approval (
  id bigserial PRIMARY KEY,
  permit_id bigint NOT NULL REFERENCES permit (id) ON DELETE CASCADE,
  seq int NOT NULL,
  level text NOT NULL CHECK (level IN ('unit', 'safety_department', 'plant_leadership', 'chief_engineer')),
  added_for text,
  approver_id bigint REFERENCES app_user (id),
  approved_at timestamptz,
  opinion text NOT NULL DEFAULT '',
  signature_id bigint,
  UNIQUE (permit_id, seq)
);

-- Gas analyses (manual samples and the 2-hourly live records) with their readings: append-only.
CREATE TABLE permit_analysis (
  id bigserial PRIMARY KEY,
  permit_id bigint NOT NULL REFERENCES permit (id) ON DELETE CASCADE,
  source text NOT NULL CHECK (source IN ('manual', 'live')),
  taken_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL,
  sample_point text NOT NULL,
  analyst_id bigint REFERENCES app_user (id),
  verdict text NOT NULL CHECK (verdict IN ('pass', 'fail')),
  signature_id bigint
);
CREATE INDEX permit_analysis_permit ON permit_analysis (permit_id, id);

CREATE TABLE permit_reading (
  id bigserial PRIMARY KEY,
  analysis_id bigint NOT NULL REFERENCES permit_analysis (id) ON DELETE CASCADE,
  gas text NOT NULL,
  value double precision NOT NULL,
  unit text NOT NULL,
  percent_vol double precision,
  limit_text text NOT NULL,
  verdict text NOT NULL CHECK (verdict IN ('pass', 'fail')),
  reason_zh text NOT NULL,
  reason_en text NOT NULL,
  tag_id bigint
);
CREATE INDEX permit_reading_analysis ON permit_reading (analysis_id, id);

-- Confirmations of the "applies" measures (who, when, under which signature): append-only.
CREATE TABLE permit_measure_confirmation (
  id bigserial PRIMARY KEY,
  permit_id bigint NOT NULL REFERENCES permit (id) ON DELETE CASCADE,
  code text NOT NULL,
  confirmed_by bigint NOT NULL REFERENCES app_user (id),
  confirmed_at timestamptz NOT NULL,
  signature_id bigint,
  UNIQUE (permit_id, code)
);

-- Facts recorded for a permit are never changed; they go only with their permit (cascade, when the
-- permit itself may be deleted). An approval row is filled once.
CREATE FUNCTION permit_fact_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE pid bigint;
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF TG_TABLE_NAME = 'permit_reading' THEN
      SELECT permit_id INTO pid FROM permit_analysis WHERE id = OLD.analysis_id;
      IF pid IS NULL THEN RETURN OLD; END IF;
    ELSE
      pid := OLD.permit_id;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM permit WHERE id = pid) THEN RETURN OLD; END IF;
    RAISE EXCEPTION '% rows are kept with their permit', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF TG_TABLE_NAME = 'permit_approval' THEN
    IF OLD.approver_id IS NULL AND (NEW.permit_id, NEW.seq, NEW.level, NEW.added_for)
       IS NOT DISTINCT FROM (OLD.permit_id, OLD.seq, OLD.level, OLD.added_for) THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION '% rows are never changed', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER permit_approval_guard BEFORE UPDATE OR DELETE ON permit_approval
  FOR EACH ROW EXECUTE FUNCTION permit_fact_guard();
CREATE TRIGGER permit_analysis_guard BEFORE UPDATE OR DELETE ON permit_analysis
  FOR EACH ROW EXECUTE FUNCTION permit_fact_guard();
CREATE TRIGGER permit_reading_guard BEFORE UPDATE OR DELETE ON permit_reading
  FOR EACH ROW EXECUTE FUNCTION permit_fact_guard();
CREATE TRIGGER permit_measure_confirmation_guard BEFORE UPDATE OR DELETE ON permit_measure_confirmation
  FOR EACH ROW EXECUTE FUNCTION permit_fact_guard();
