import type { Permission } from '@aegis/shared';

/**
 * The one workflow core of Aegis (hidden dangers, inspection tasks, and the permits that come
 * next): a record type is a typed state machine, a transition names the states it leaves from,
 * the state it goes to, the permission it needs at the record's place and an optional guard.
 * This file is pure: (definition, state, action, input) → decision. The service (service.ts)
 * writes the transition, its audit entry and the SLA timers in the caller's transaction.
 */

/** Why a transition is refused: a stable error code and words a person can act on. */
export interface Refusal {
  code: 'transition_refused' | 'separation_of_duties' | 'validation_failed' | 'reason_required';
  message: string;
  details?: Record<string, unknown>;
}

/** One transition as stored (workflow_transition), oldest first in a record's history. */
export interface TransitionRecord {
  id: number;
  recordKind: string;
  recordId: number;
  action: string;
  fromState: string | null;
  toState: string;
  /** null: the system (a timer, the scheduler) */
  actorId: number | null;
  actorName: string;
  at: Date;
  reason: string | null;
  data: Record<string, unknown>;
}

export interface GuardInput<R> {
  record: R;
  /** null when the system moves the record (timers, the scheduler) */
  actorId: number | null;
  now: Date;
  /** the action's own input (validated by the module's schema) */
  data: Record<string, unknown>;
  /** earlier transitions of this record, oldest first: for separation of duties */
  history: readonly TransitionRecord[];
}

export interface TransitionDef<S extends string, R> {
  from: readonly S[];
  /** the next state; a function when it depends on the record or the input (e.g. grade) */
  to: S | ((input: GuardInput<R>) => S);
  /** needed at the record's plant path; 'system' = only the system (timers) may take it */
  permission: Permission | 'system';
  /** a reason (why) must be given, e.g. reopen, reject */
  reasonRequired?: boolean;
  /** a further condition; returns the refusal or null */
  guard?: (input: GuardInput<R>) => Refusal | null;
}

/** An SLA timer to hold while a record is in a state: kept as a row, fired by the scheduler. */
export interface TimerSpec {
  /** unique per record, e.g. 'remind', 'overdue', 'escalate' */
  key: string;
  dueAt: Date;
  payload?: Record<string, unknown>;
}

export interface MachineDef<S extends string, A extends string, R> {
  /** the record kind, also the audit target type: 'hazard', 'inspection_task' */
  kind: string;
  states: readonly S[];
  initial: S;
  terminal: readonly S[];
  transitions: Record<A, TransitionDef<S, R>>;
  /**
   * The timers a record holds in a state; the service cancels the others after each transition.
   * `now` is the moment the record entered the state (a stage waiting too long).
   */
  timers?: (state: S, record: R, now: Date) => TimerSpec[];
}

export type Decision<S extends string> = { ok: true; from: S; to: S } | { ok: false; refusal: Refusal };

/**
 * Whether the action may move the record now. `may` answers whether the actor holds a
 * permission at the record's place (the service asks the access guard).
 */
export function decide<S extends string, A extends string, R>(
  def: MachineDef<S, A, R>,
  state: S,
  action: A,
  input: GuardInput<R>,
  may: (permission: Permission) => boolean,
  reason: string | null,
): Decision<S> {
  const t = def.transitions[action];
  if (!t) return refuse('transition_refused', `Unknown action ${action} for ${def.kind}`, { action });
  if (!t.from.includes(state))
    return refuse('transition_refused', `${def.kind}: ${action} is not possible in state ${state}`, {
      action,
      state,
      allowedFrom: t.from,
    });
  if (t.permission === 'system') {
    if (input.actorId !== null) return refuse('transition_refused', `${action} is taken by the system only`);
  } else if (!may(t.permission)) {
    return refuse('transition_refused', `${action} needs the permission ${t.permission} here`, {
      permission: t.permission,
    });
  }
  if (t.reasonRequired && !reason?.trim())
    return refuse('reason_required', `Give a reason for ${action}`, { action });
  const refused = t.guard?.(input);
  if (refused) return { ok: false, refusal: refused };
  const to = typeof t.to === 'function' ? t.to(input) : t.to;
  return { ok: true, from: state, to };
}

/** The actions an actor could take now (for the UI's buttons); guards included. */
export function availableActions<S extends string, A extends string, R>(
  def: MachineDef<S, A, R>,
  state: S,
  input: GuardInput<R>,
  may: (permission: Permission) => boolean,
): A[] {
  return (Object.keys(def.transitions) as A[]).filter((a) => {
    const t = def.transitions[a];
    if (t.permission === 'system') return false;
    return decide(def, state, a, input, may, t.reasonRequired ? 'x' : null).ok;
  });
}

/** Who took an action last in a record's history (for separation of duties). */
export function lastActorOf(history: readonly TransitionRecord[], ...actions: string[]): number | null {
  for (let i = history.length - 1; i >= 0; i--) {
    const h = history[i]!;
    if (actions.includes(h.action)) return h.actorId;
  }
  return null;
}

/** A guard: the actor must not be the one who took any of these actions before. */
export function notSameAs<R>(actions: string[], what: string) {
  return (input: GuardInput<R>): Refusal | null => {
    if (input.actorId === null) return null;
    const earlier = input.history.filter((h) => actions.includes(h.action) && h.actorId === input.actorId);
    return earlier.length
      ? {
          code: 'separation_of_duties',
          message: `Separation of duties: you did ${earlier[earlier.length - 1]!.action} on this record, so you cannot ${what}`,
          details: { actions },
        }
      : null;
  };
}

function refuse(code: Refusal['code'], message: string, details?: Record<string, unknown>) {
  return { ok: false as const, refusal: { code, message, details } };
}
