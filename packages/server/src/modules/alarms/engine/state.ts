import type {
  AlarmErrorCode,
  AlarmEvent,
  AlarmEventType,
  AlarmPriority,
  AlarmResult,
  AlarmState,
  AlarmStateName,
  TagValue,
  Transition,
} from './types.js';

/** Longest an operator may shelve an alarm unless configured otherwise. */
export const DEFAULT_MAX_SHELVE_MS = 8 * 3600_000;

export interface AlarmIdentity {
  key: string;
  ruleId: string;
  condition: string;
  tag: string;
  area?: string | null | undefined;
  priority: AlarmPriority;
  message: string;
  onDelayMs: number;
  offDelayMs: number;
}

export const createAlarm = (id: AlarmIdentity): AlarmState => ({
  key: id.key,
  ruleId: id.ruleId,
  condition: id.condition,
  tag: id.tag,
  area: id.area ?? null,
  priority: id.priority,
  message: id.message,
  onDelayMs: id.onDelayMs,
  offDelayMs: id.offDelayMs,
  state: 'normal',
  raw: false,
  rawSince: null,
  rawValue: null,
  active: false,
  activeSince: null,
  value: null,
  ackedAt: null,
  ackedBy: null,
  shelved: null,
  suppressed: false,
  outOfService: null,
  chattering: false,
});

/** Shelved, suppressed by design or out of service: tracked, but not shown to the operator. */
export const isSilenced = (a: AlarmState): boolean =>
  a.shelved !== null || a.suppressed || a.outOfService !== null;

interface EventFields {
  at: number;
  from?: AlarmStateName;
  user?: string | null;
  comment?: string | null;
  value?: TagValue | null;
  annunciated?: boolean;
  detail?: Record<string, unknown>;
}

function event(type: AlarmEventType, before: AlarmState, after: AlarmState, f: EventFields): AlarmEvent {
  return {
    type,
    key: after.key,
    ruleId: after.ruleId,
    tag: after.tag,
    from: f.from ?? before.state,
    to: after.state,
    at: f.at,
    user: f.user ?? null,
    comment: f.comment ?? null,
    value: f.value !== undefined ? f.value : after.value,
    priority: after.priority,
    message: after.message,
    annunciated: f.annunciated ?? !isSilenced(after),
    ...(f.detail ? { detail: f.detail } : {}),
  };
}

const fail = (code: AlarmErrorCode, message: string): AlarmResult => ({
  ok: false,
  error: { code, message },
});

/** Suppressed by design or out of service: the state is held at `normal` (nothing to acknowledge). */
const isHeld = (a: AlarmState): boolean => a.suppressed || a.outOfService !== null;

/**
 * The debounced condition changed. While suppressed or out of service the state stays `normal`;
 * a shelved alarm keeps its true state (it is only not annunciated), so it can be acknowledged.
 */
function setActive(a: AlarmState, active: boolean, at: number, value: TagValue | null): Transition {
  let state: AlarmStateName = 'normal';
  if (!isHeld(a)) {
    if (active) state = a.state === 'ack_active' ? 'ack_active' : 'unack_active';
    else state = a.state === 'unack_active' ? 'rtn_unack' : 'normal';
  }
  const next: AlarmState = {
    ...a,
    active,
    activeSince: active ? at : null,
    value,
    state,
    ...(active ? { ackedAt: null, ackedBy: null } : {}),
  };
  return { alarm: next, events: [event(active ? 'activated' : 'cleared', a, next, { at, value })] };
}

/** On/off delay: a raw condition that has held long enough by `upTo` becomes the alarm's condition. */
function mature(a: AlarmState, upTo: number): Transition {
  if (a.raw === a.active || a.rawSince === null) return { alarm: a, events: [] };
  const dueAt = a.rawSince + (a.raw ? a.onDelayMs : a.offDelayMs);
  if (dueAt > upTo) return { alarm: a, events: [] };
  return setActive(a, a.raw, dueAt, a.rawValue);
}

/** Leaving the last silencing mode shows the true state: an alarm still active needs a new acknowledgement. */
function reannunciate(a: AlarmState): AlarmState {
  if (isHeld(a)) return a;
  return { ...a, state: a.active ? 'unack_active' : 'normal' };
}

function chain(first: Transition, step: (a: AlarmState) => Transition): Transition {
  const second = step(first.alarm);
  return { alarm: second.alarm, events: [...first.events, ...second.events] };
}

/**
 * Brings the alarm up to time `t`: delays that matured and a shelve that expired, in time order,
 * each stamped with the moment it happened. Results do not depend on how often the caller ticks.
 */
function advance(a: AlarmState, t: number): Transition {
  let result: Transition = { alarm: a, events: [] };
  const shelved = a.shelved;
  if (shelved && shelved.until <= t) {
    result = chain(result, (x) => mature(x, shelved.until));
    result = chain(result, (x) => {
      const next = reannunciate({ ...x, shelved: null });
      return {
        alarm: next,
        events: [event('unshelved', x, next, { at: shelved.until, comment: 'shelve time expired' })],
      };
    });
  }
  return chain(result, (x) => mature(x, t));
}

export interface ConditionInput {
  active: boolean;
  at: number;
  value: TagValue | null;
  priority?: AlarmPriority | undefined;
  message?: string | undefined;
  detail?: Record<string, unknown> | undefined;
}

/**
 * The rule's condition went active or inactive at `at`. A repeated identical condition, or one
 * older than the last change, yields no event, so replaying inputs after a restart is harmless.
 */
export function applyCondition(a: AlarmState, c: ConditionInput): Transition {
  if (a.rawSince !== null && c.at < a.rawSince) return { alarm: a, events: [] };
  const advanced = advance(a, c.at);
  if (advanced.alarm.raw === c.active) return advanced;
  return chain(advanced, (x) => {
    const next: AlarmState = {
      ...x,
      raw: c.active,
      rawSince: c.at,
      rawValue: c.value,
      priority: c.priority ?? x.priority,
      message: c.message ?? x.message,
    };
    const matured = mature(next, c.at);
    if (c.detail) for (const e of matured.events) e.detail = c.detail;
    return matured;
  });
}

/** Time passes: on/off delays mature and shelves expire. */
export const tickAlarm = (a: AlarmState, now: number): Transition => advance(a, now);

export function acknowledge(
  a: AlarmState,
  by: { user: string; comment?: string | undefined },
  now: number,
): AlarmResult {
  const { alarm, events } = advance(a, now);
  if (alarm.state === 'normal')
    return fail('nothing_to_acknowledge', `Alarm ${a.key} is not alarming; there is nothing to acknowledge`);
  if (alarm.state === 'ack_active')
    return fail('already_acknowledged', `Alarm ${a.key} is already acknowledged`);
  const next: AlarmState = {
    ...alarm,
    state: alarm.state === 'unack_active' ? 'ack_active' : 'normal',
    ackedAt: now,
    ackedBy: by.user,
  };
  const comment = by.comment?.trim() || null;
  return {
    ok: true,
    alarm: next,
    events: [...events, event('acknowledged', alarm, next, { at: now, user: by.user, comment })],
  };
}

export interface ShelveRequest {
  user: string;
  until: number;
  reason: string;
}

/** Shelving hides the alarm for a limited time; shelving again replaces the end time. */
export function shelve(
  a: AlarmState,
  req: ShelveRequest,
  now: number,
  maxShelveMs = DEFAULT_MAX_SHELVE_MS,
): AlarmResult {
  const reason = req.reason.trim();
  if (!reason) return fail('reason_required', 'A reason is required to shelve an alarm');
  if (req.until <= now) return fail('shelve_until_in_past', 'The shelve end time must be in the future');
  if (req.until - now > maxShelveMs) {
    return fail(
      'shelve_too_long',
      `An alarm may be shelved for at most ${Math.round(maxShelveMs / 60_000)} minutes`,
    );
  }
  const { alarm, events } = advance(a, now);
  // The state is kept: a shelved alarm that is still active can still be acknowledged.
  const next: AlarmState = { ...alarm, shelved: { by: req.user, at: now, until: req.until, reason } };
  return {
    ok: true,
    alarm: next,
    events: [
      ...events,
      event('shelved', alarm, next, {
        at: now,
        user: req.user,
        comment: reason,
        detail: { until: req.until },
      }),
    ],
  };
}

export function unshelve(
  a: AlarmState,
  by: { user: string; comment?: string | undefined },
  now: number,
): AlarmResult {
  const { alarm, events } = advance(a, now);
  if (!alarm.shelved) return fail('not_shelved', `Alarm ${a.key} is not shelved`);
  const next = reannunciate({ ...alarm, shelved: null });
  const comment = by.comment?.trim() || null;
  return {
    ok: true,
    alarm: next,
    events: [...events, event('unshelved', alarm, next, { at: now, user: by.user, comment })],
  };
}

/** Suppression by design follows the equipment status (maintenance, out of service), told by the caller. */
export function setSuppression(a: AlarmState, suppressed: boolean, now: number): Transition {
  const advanced = advance(a, now);
  if (advanced.alarm.suppressed === suppressed) return advanced;
  return chain(advanced, (x) => {
    const next = suppressed
      ? { ...x, suppressed, state: 'normal' as const }
      : reannunciate({ ...x, suppressed });
    return { alarm: next, events: [event(suppressed ? 'suppressed' : 'unsuppressed', x, next, { at: now })] };
  });
}

export interface OutOfServiceRequest {
  outOfService: boolean;
  user: string;
  reason?: string | undefined;
}

/** Removing an alarm from service needs a reason; returning it is idempotent. */
export function setOutOfService(a: AlarmState, req: OutOfServiceRequest, now: number): AlarmResult {
  const reason = req.reason?.trim() ?? '';
  if (req.outOfService && !reason)
    return fail('reason_required', 'A reason is required to remove an alarm from service');
  const { alarm, events } = advance(a, now);
  if ((alarm.outOfService !== null) === req.outOfService) return { ok: true, alarm, events };
  const next = req.outOfService
    ? { ...alarm, outOfService: { by: req.user, at: now, reason }, state: 'normal' as const }
    : reannunciate({ ...alarm, outOfService: null });
  const type = req.outOfService ? 'removed_from_service' : 'returned_to_service';
  return {
    ok: true,
    alarm: next,
    events: [...events, event(type, alarm, next, { at: now, user: req.user, comment: reason || null })],
  };
}

export function comment(a: AlarmState, by: { user: string; text: string }, now: number): AlarmResult {
  const text = by.text.trim();
  if (!text) return fail('comment_required', 'A comment cannot be empty');
  return {
    ok: true,
    alarm: a,
    events: [event('commented', a, a, { at: now, user: by.user, comment: text })],
  };
}

/** The chattering detector's verdict, kept on the alarm so the operator sees it beside the state. */
export function setChattering(a: AlarmState, chattering: boolean, at: number, count: number): Transition {
  if (a.chattering === chattering) return { alarm: a, events: [] };
  const next = { ...a, chattering };
  const type = chattering ? 'chattering_start' : 'chattering_end';
  return { alarm: next, events: [event(type, a, next, { at, detail: { count } })] };
}
