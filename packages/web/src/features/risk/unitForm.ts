import {
  type CheckCycle,
  type CreateRiskUnit,
  type MeasureKind,
  type RiskLevel,
  type RiskMethod,
  type RiskScoreInput,
  type RiskUnit,
  type RiskUnitKind,
  scoreRisk,
  unitLevel,
} from '@aegis/shared';

// The unit form ↔ the API body (pure, tested): the score inputs of both methods live side by side
// in the form, and only the unit's method goes to the server.

export interface MeasureValues {
  id?: number | undefined;
  kind?: MeasureKind;
  description?: string;
  responsibleUserId?: number | null;
  postId?: number | null;
  cycle?: CheckCycle | null;
}
export interface EventValues {
  id?: number | undefined;
  description?: string;
  consequence?: string;
  l?: number;
  e?: number;
  c?: number;
  likelihood?: number;
  severity?: number;
  measures?: MeasureValues[];
}
export interface UnitValues {
  nodeId?: number | null;
  name?: string;
  kind?: RiskUnitKind;
  departmentId?: number | null;
  responsibleUserId?: number | null;
  method?: RiskMethod;
  overrideLevel?: RiskLevel | null;
  overrideReason?: string | null;
  reason?: string;
  events?: EventValues[];
}

export const newUnitValues = (nodeId?: number): UnitValues => ({
  nodeId: nodeId ?? null,
  kind: 'equipment',
  method: 'lec',
  events: [{ measures: [{ kind: 'engineering' }] }],
});

export function unitToValues(u: RiskUnit): UnitValues {
  return {
    nodeId: u.nodeId,
    name: u.name,
    kind: u.kind,
    departmentId: u.departmentId,
    responsibleUserId: u.responsibleUserId,
    method: u.method,
    overrideLevel: u.overrideLevel,
    overrideReason: u.overrideReason,
    events: u.events.map((e) => ({
      id: e.id,
      description: e.description,
      consequence: e.consequence,
      ...(e.score.method === 'lec'
        ? { l: e.score.l, e: e.score.e, c: e.score.c }
        : { likelihood: e.score.likelihood, severity: e.score.severity }),
      measures: e.measures.map((m) => ({
        id: m.id,
        kind: m.kind,
        description: m.description,
        responsibleUserId: m.responsibleUserId,
        postId: m.postId,
        cycle: m.cycle,
      })),
    })),
  };
}

/** The score of one event row, or null while its inputs are incomplete. */
export function scoreOf(method: RiskMethod | undefined, e: EventValues | undefined): RiskScoreInput | null {
  if (!e) return null;
  if (method === 'lec')
    return e.l !== undefined && e.e !== undefined && e.c !== undefined
      ? { method: 'lec', l: e.l, e: e.e, c: e.c }
      : null;
  if (method === 'matrix')
    return e.likelihood !== undefined && e.severity !== undefined
      ? { method: 'matrix', likelihood: e.likelihood, severity: e.severity }
      : null;
  return null;
}

/** What the form shows while typing: each event's score and level, and the unit's levels. */
export function preview(v: UnitValues) {
  const events = (v.events ?? []).map((e) => {
    const s = scoreOf(v.method, e);
    return s ? scoreRisk(s) : null;
  });
  const levels = events.flatMap((e) => (e ? [e.level] : []));
  const unit = levels.length > 0 ? unitLevel(levels, v.overrideLevel ?? null) : null;
  return { events, unit };
}

export function valuesToBody(v: UnitValues, reason?: string): CreateRiskUnit & { reason?: string } {
  const trimmed = (s: string | null | undefined) => (s ?? '').trim();
  const override = v.overrideLevel ?? null;
  return {
    nodeId: v.nodeId as number,
    name: trimmed(v.name),
    kind: v.kind as RiskUnitKind,
    departmentId: v.departmentId ?? null,
    responsibleUserId: v.responsibleUserId ?? null,
    method: v.method as RiskMethod,
    overrideLevel: override,
    overrideReason: override === null ? null : trimmed(v.overrideReason),
    events: (v.events ?? []).map((e) => ({
      ...(e.id === undefined ? {} : { id: e.id }),
      description: trimmed(e.description),
      consequence: trimmed(e.consequence),
      score: scoreOf(v.method, e) as RiskScoreInput,
      measures: (e.measures ?? []).map((m) => ({
        ...(m.id === undefined ? {} : { id: m.id }),
        kind: m.kind as MeasureKind,
        description: trimmed(m.description),
        responsibleUserId: m.responsibleUserId ?? null,
        postId: m.postId ?? null,
        cycle: m.cycle ?? null,
      })),
    })),
    ...(reason === undefined ? {} : { reason }),
  };
}
