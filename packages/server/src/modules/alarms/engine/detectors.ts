import type { FloodEvent } from './types.js';

/** EEMUA 191 / ISA-18.2 flood: more than `startAbove` activations per window, until fewer than `endBelow`. */
export interface FloodConfig {
  startAbove: number;
  endBelow: number;
  windowMs: number;
}
export const DEFAULT_FLOOD_CONFIG: FloodConfig = { startAbove: 10, endBelow: 5, windowMs: 10 * 60_000 };

export interface FloodState {
  area: string;
  /** Activation times inside the window, oldest first. */
  activations: number[];
  flooding: boolean;
  since: number | null;
  /** Activations since the flood started. */
  total: number;
}

export const createFloodState = (area: string): FloodState => ({
  area,
  activations: [],
  flooding: false,
  since: null,
  total: 0,
});

export interface FloodStep {
  state: FloodState;
  events: FloodEvent[];
}

/** Drops activations that left the window; the flood ends the moment the count falls below `endBelow`. */
export function tickFlood(s: FloodState, now: number, cfg: FloodConfig = DEFAULT_FLOOD_CONFIG): FloodStep {
  const first = s.activations[0];
  if (first === undefined || first > now - cfg.windowMs) return { state: s, events: [] };
  const activations = [...s.activations];
  const events: FloodEvent[] = [];
  let { flooding, since, total } = s;
  while (activations.length && activations[0]! <= now - cfg.windowMs) {
    const leftAt = activations.shift()! + cfg.windowMs;
    if (flooding && activations.length < cfg.endBelow) {
      events.push({
        type: 'flood_end',
        area: s.area,
        at: leftAt,
        count: activations.length,
        total,
        windowMs: cfg.windowMs,
      });
      flooding = false;
      since = null;
      total = 0;
    }
  }
  return { state: { ...s, activations, flooding, since, total }, events };
}

/** Counts one annunciated alarm activation in the area. */
export function recordFloodActivation(
  s: FloodState,
  at: number,
  cfg: FloodConfig = DEFAULT_FLOOD_CONFIG,
): FloodStep {
  const aged = tickFlood(s, at, cfg);
  const activations = [...aged.state.activations, at].sort((x, y) => x - y);
  const count = activations.length;
  if (aged.state.flooding) {
    return { state: { ...aged.state, activations, total: aged.state.total + 1 }, events: aged.events };
  }
  if (count <= cfg.startAbove) return { state: { ...aged.state, activations }, events: aged.events };
  const start: FloodEvent = {
    type: 'flood_start',
    area: s.area,
    at,
    count,
    total: count,
    windowMs: cfg.windowMs,
  };
  return {
    state: { ...aged.state, activations, flooding: true, since: at, total: count },
    events: [...aged.events, start],
  };
}

/**
 * Counts many activations at once, with the same result as recordFloodActivation one by one
 * but in one pass over one copy of the window, so that a burst of thousands stays linear.
 */
export function recordFloodActivations(
  s: FloodState,
  times: number[],
  cfg: FloodConfig = DEFAULT_FLOOD_CONFIG,
): FloodStep {
  if (times.length === 0) return { state: s, events: [] };
  const window = [...s.activations];
  let head = 0;
  let { flooding, since, total } = s;
  const events: FloodEvent[] = [];
  for (const at of times) {
    while (head < window.length && window[head]! <= at - cfg.windowMs) {
      const leftAt = window[head]! + cfg.windowMs;
      head++;
      if (flooding && window.length - head < cfg.endBelow) {
        events.push({
          type: 'flood_end',
          area: s.area,
          at: leftAt,
          count: window.length - head,
          total,
          windowMs: cfg.windowMs,
        });
        flooding = false;
        since = null;
        total = 0;
      }
    }
    if (window.length === head || at >= window[window.length - 1]!) window.push(at);
    else {
      let i = window.length;
      while (i > head && window[i - 1]! > at) i--;
      window.splice(i, 0, at);
    }
    const count = window.length - head;
    if (flooding) total++;
    else if (count > cfg.startAbove) {
      events.push({ type: 'flood_start', area: s.area, at, count, total: count, windowMs: cfg.windowMs });
      flooding = true;
      since = at;
      total = count;
    }
  }
  return { state: { ...s, activations: window.slice(head), flooding, since, total }, events };
}

/** An alarm activated `count` times within `windowMs` chatters, until `quietMs` pass without activation. */
export interface ChatterConfig {
  count: number;
  windowMs: number;
  quietMs: number;
}
export const DEFAULT_CHATTER_CONFIG: ChatterConfig = { count: 3, windowMs: 60_000, quietMs: 60_000 };

export interface ChatterState {
  /** Activation times inside the window, oldest first. */
  activations: number[];
  chattering: boolean;
  lastActivationAt: number | null;
}

export const createChatterState = (): ChatterState => ({
  activations: [],
  chattering: false,
  lastActivationAt: null,
});

export interface ChatterChange {
  chattering: boolean;
  at: number;
  count: number;
}

export interface ChatterStep {
  state: ChatterState;
  changes: ChatterChange[];
}

export function tickChatter(
  s: ChatterState,
  now: number,
  cfg: ChatterConfig = DEFAULT_CHATTER_CONFIG,
): ChatterStep {
  if (!s.chattering || s.lastActivationAt === null) return { state: s, changes: [] };
  const quietAt = s.lastActivationAt + cfg.quietMs;
  if (now < quietAt) return { state: s, changes: [] };
  const activations = s.activations.filter((t) => t > quietAt - cfg.windowMs);
  return {
    state: { ...s, activations, chattering: false },
    changes: [{ chattering: false, at: quietAt, count: activations.length }],
  };
}

/** Counts one activation of the alarm; returns the end of an earlier chatter or the start of a new one. */
export function recordChatterActivation(
  s: ChatterState,
  at: number,
  cfg: ChatterConfig = DEFAULT_CHATTER_CONFIG,
): ChatterStep {
  const quiet = tickChatter(s, at, cfg);
  const activations = [...quiet.state.activations, at].filter((t) => t > at - cfg.windowMs);
  const state: ChatterState = { ...quiet.state, activations, lastActivationAt: at };
  if (state.chattering || activations.length < cfg.count) return { state, changes: quiet.changes };
  return {
    state: { ...state, chattering: true },
    changes: [...quiet.changes, { chattering: true, at, count: activations.length }],
  };
}
