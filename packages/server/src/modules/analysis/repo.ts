import type { AnalysisMeasure } from '@aegis/shared';
import type { Db } from '../../db/index.js';
import { type Scope, scopeParams } from '../access/policy.js';
import type { RosterSlot } from './model.js';

// The analysis owns no table: it reads, never writes, the records other modules keep (the alarm
// journal and interlock commands, hazards, inspection tasks, the roster), aggregated here in one
// place so each measure's definition is one query. Times come back as epoch milliseconds.

export interface EventRow {
  at: number;
  node_id: number;
}
export interface NodeRow {
  id: number;
  path: string;
  level: string;
  name_zh: string;
  name_en: string;
}

const IN_SCOPE = '($1::boolean OR n.path LIKE ANY($2::text[]))';
const EPOCH_MS = (col: string) => `(extract(epoch FROM ${col}) * 1000)::float8`;

/** Per measure: the events in [start, end) at nodes in scope, with the node they happened at. */
const EVENT_SQL: Record<AnalysisMeasure, string> = {
  // 设备故障: annunciated activations of high/critical alarms + interlock commands (at the alarm's equipment)
  faults: `
    SELECT ${EPOCH_MS('e.at')} AS at, e.equipment_id AS node_id
      FROM alarm_event e JOIN plant_node n ON n.id = e.equipment_id
     WHERE e.type = 'activated' AND e.annunciated AND e.priority IN ('high', 'critical')
       AND e.at >= $3 AND e.at < $4 AND ${IN_SCOPE}
    UNION ALL
    SELECT ${EPOCH_MS('c.at')} AS at, t.equipment_id AS node_id
      FROM interlock_command c JOIN alarm_rule r ON r.id = c.rule_id JOIN tag t ON t.id = r.tag_id
      JOIN plant_node n ON n.id = t.equipment_id
     WHERE c.at >= $3 AND c.at < $4 AND ${IN_SCOPE}`,
  alarms: `
    SELECT ${EPOCH_MS('e.at')} AS at, e.equipment_id AS node_id
      FROM alarm_event e JOIN plant_node n ON n.id = e.equipment_id
     WHERE e.type = 'activated' AND e.annunciated AND e.at >= $3 AND e.at < $4 AND ${IN_SCOPE}`,
  hazards: `
    SELECT ${EPOCH_MS('h.reported_at')} AS at, h.node_id
      FROM hazard h JOIN plant_node n ON n.id = h.node_id
     WHERE h.state <> 'rejected' AND h.reported_at >= $3 AND h.reported_at < $4 AND ${IN_SCOPE}`,
  missed_inspections: `
    SELECT ${EPOCH_MS('k.due_at')} AS at, k.node_id
      FROM inspection_task k JOIN plant_node n ON n.id = k.node_id
     WHERE NOT k.superseded AND k.state IN ('missed', 'done_late', 'overdue')
       AND k.due_at >= $3 AND k.due_at < $4 AND ${IN_SCOPE}`,
};

export async function events(db: Db, measure: AnalysisMeasure, scope: Scope, start: Date, end: Date) {
  const [all, patterns] = scopeParams(scope);
  return db.query<EventRow>(EVENT_SQL[measure], [all, patterns, start, end]);
}

/** The plant nodes in scope (names and paths of event places; the equipment of the equipment dimension). */
export async function nodes(db: Db, scope: Scope) {
  const [all, patterns] = scopeParams(scope);
  return db.query<NodeRow>(
    `SELECT n.id, n.path, n.level, n.name_zh, n.name_en FROM plant_node n WHERE ${IN_SCOPE} ORDER BY n.path`,
    [all, patterns],
  );
}

/**
 * 排班 roster entries of the days from..to at nodes that can answer for a place in scope: nodes in
 * scope and their ancestors (a workshop's roster answers for its lines and equipment).
 */
export async function roster(db: Db, scope: Scope, from: string, to: string): Promise<RosterSlot[]> {
  const [all, patterns] = scopeParams(scope);
  const paths = scope.all ? [] : scope.paths;
  const rows = await db.query<{
    path: string;
    day: string;
    shift_id: number;
    team_id: number;
    team_name: string;
  }>(
    `SELECT n.path, r.day::text AS day, r.shift_id, r.team_id, t.name AS team_name
       FROM shift_roster r JOIN plant_node n ON n.id = r.node_id JOIN team t ON t.id = r.team_id
      WHERE r.day BETWEEN $3::date AND $4::date
        AND (${IN_SCOPE} OR EXISTS (SELECT 1 FROM unnest($5::text[]) AS p(path) WHERE starts_with(p.path, n.path)))`,
    [all, patterns, from, to, paths],
  );
  return rows.map((r) => ({
    path: r.path,
    day: r.day,
    shiftId: Number(r.shift_id),
    teamId: Number(r.team_id),
    teamName: r.team_name,
  }));
}
