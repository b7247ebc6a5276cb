import type { SignalRole, SimulatedTag } from './plant.js';

/**
 * Faults injected at runtime, per equipment. They are overlays on the normal signals: the
 * physics keeps running underneath, so clearing a fault returns the equipment to where its
 * process would be by now.
 */
export const faultNames = [
  'vibration-rise',
  'gas-leak',
  'sensor-stuck',
  'link-loss',
  'over-temperature',
] as const;
export type FaultName = (typeof faultNames)[number];

export function isFaultName(name: string): name is FaultName {
  return (faultNames as readonly string[]).includes(name);
}

export interface FaultOptions {
  /** How long a ramping fault (vibration-rise, gas-leak, over-temperature) takes to reach its peak. Default 60 s. */
  rampMs?: number;
  /** Limit the fault to one tag of the equipment (e.g. one gas of a detector, one frozen sensor). */
  tag?: string;
}

export const DEFAULT_RAMP_MS = 60_000;

export type TagValue = number | boolean | string;

export interface ActiveFault {
  /** Equipment code, or a Sparkplug edge node id for a gateway link-loss. */
  target: string;
  fault: FaultName;
  startedAt: number;
  rampMs: number;
  tag: string | null;
  /** Ramping faults: how far each affected tag has moved at the end of the ramp. */
  offsets: Record<string, number>;
  /** sensor-stuck: the values the sensors froze at. */
  frozen: Record<string, TagValue>;
}

const ROLES_OF: Partial<Record<FaultName, SignalRole[]>> = {
  'vibration-rise': ['vibration'],
  'over-temperature': ['temperature'],
  'gas-leak': ['gas', 'oxygen'],
};

/** Oxygen displaced by a leaking gas cloud, in %VOL at the peak of the leak. */
const OXYGEN_DISPLACED = 1.2;

/** The tags a fault acts on; empty when the fault makes no sense for this equipment. */
export function tagsAffectedBy(fault: FaultName, tags: SimulatedTag[], onlyTag?: string): SimulatedTag[] {
  const candidates = onlyTag ? tags.filter((t) => t.code.toUpperCase() === onlyTag.toUpperCase()) : tags;
  if (fault === 'link-loss') return candidates;
  // Commands and setpoints are not sensors: they cannot freeze or drift.
  if (fault === 'sensor-stuck') return candidates.filter((t) => !t.writable);
  const roles = ROLES_OF[fault] ?? [];
  const affected = candidates.filter((t) => t.role !== null && roles.includes(t.role));
  // A leak is seen on the gas channels; oxygen only drops alongside one.
  return affected.some((t) => t.role !== 'oxygen') ? affected : [];
}

/**
 * Where a ramping fault takes a tag: past the HH limit by half the distance from the value
 * at injection to HH, so the alarm is crossed well inside the ramp whatever the noise.
 */
export function rampPeak(tag: SimulatedTag, baseline: number): number {
  const limit = tag.alarmLimits?.hh ?? tag.alarmLimits?.h ?? (tag.engHigh ?? baseline * 2) * 0.9;
  const peak = limit + 0.5 * Math.max(0, limit - baseline);
  return tag.engHigh === null ? peak : Math.min(peak, tag.engHigh);
}

/** A new fault on `target`, taking its baselines from the values at injection. */
export function startFault(
  target: string,
  fault: FaultName,
  tags: SimulatedTag[],
  current: Readonly<Record<string, TagValue>>,
  now: number,
  opts: FaultOptions = {},
): ActiveFault {
  const offsets: Record<string, number> = {};
  const frozen: Record<string, TagValue> = {};
  for (const tag of tags) {
    const value = current[tag.code];
    if (value === undefined) continue;
    if (fault === 'sensor-stuck') frozen[tag.code] = value;
    else if (fault !== 'link-loss' && typeof value === 'number') {
      offsets[tag.code] = tag.role === 'oxygen' ? -OXYGEN_DISPLACED : rampPeak(tag, value) - value;
    }
  }
  return {
    target,
    fault,
    startedAt: now,
    rampMs: Math.max(0, opts.rampMs ?? DEFAULT_RAMP_MS),
    tag: opts.tag ?? null,
    offsets,
    frozen,
  };
}

/** 0 at injection, 1 at the end of the ramp. */
export function rampProgress(f: ActiveFault, now: number): number {
  if (f.rampMs === 0) return 1;
  return Math.min(1, Math.max(0, (now - f.startedAt) / f.rampMs));
}

/** Applies the equipment's faults to its freshly computed values (in place). */
export function applyFaults(
  values: Record<string, TagValue>,
  tagsByCode: ReadonlyMap<string, SimulatedTag>,
  faults: readonly ActiveFault[],
  now: number,
): void {
  for (const f of faults) {
    const p = rampProgress(f, now);
    for (const [code, offset] of Object.entries(f.offsets)) {
      const v = values[code];
      const tag = tagsByCode.get(code);
      if (typeof v !== 'number' || !tag) continue;
      values[code] = clampToRange(v + p * offset, tag);
    }
  }
  // A stuck sensor wins over anything else happening to it.
  for (const f of faults) Object.assign(values, f.frozen);
}

/** Instruments saturate at the ends of their range. */
export function clampToRange(value: number, tag: SimulatedTag): number {
  let v = value;
  if (tag.engLow !== null && v < tag.engLow) v = tag.engLow;
  if (tag.engHigh !== null && v > tag.engHigh) v = tag.engHigh;
  return v;
}
