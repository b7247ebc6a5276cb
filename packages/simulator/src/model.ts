import {
  type ActiveFault,
  applyFaults,
  type FaultName,
  type FaultOptions,
  rampProgress,
  startFault,
  type TagValue,
  tagsAffectedBy,
} from './faults.js';
import { type SimulatedEquipment, type SimulatedPlant, type SimulatedTag, simulatedPlant } from './plant.js';
import { createRng, seedFor } from './rng.js';
import { createPhysics, type EquipmentPhysics } from './signals.js';

/**
 * The whole plant in memory: every equipment's physics, the faults injected into it and the
 * latest values. Time only moves when `advance(now)` is called, so tests drive it with a
 * virtual clock; the transports read from it.
 */
export interface PlantModel {
  readonly plant: SimulatedPlant;
  /** The time of the last advance, epoch ms. */
  now(): number;
  /** Moves every equipment forward to `nowMs` (in steps of at most one second). */
  advance(nowMs: number): void;
  /** The latest values of an equipment's tags by tag code, faults applied and rounded as the instrument reports. */
  values(equipmentCode: string): Readonly<Record<string, TagValue>>;
  /** false while the equipment, or the Sparkplug edge node it hangs off, has a link-loss fault. */
  online(equipmentCode: string): boolean;
  /** A write from outside (interlock, operator); the new value reads back at once. */
  write(equipmentCode: string, tagCode: string, value: unknown): WriteResult;
  /** Starts a fault on an equipment (or a link-loss on a Sparkplug edge node); throws when it does not apply. */
  injectFault(target: string, fault: FaultName, opts?: FaultOptions): ActiveFault;
  /** Clears every fault of the target; returns how many were active. */
  clearFault(target: string): number;
  faults(): FaultStatus[];
}

export type WriteResult =
  | { ok: true; value: TagValue }
  | {
      ok: false;
      code: 'unknown-equipment' | 'unknown-tag' | 'read-only' | 'bad-value' | 'out-of-range' | 'link-loss';
      message: string;
    };

export interface FaultStatus {
  target: string;
  fault: FaultName;
  tag: string | null;
  startedAt: number;
  rampMs: number;
  /** 0..1 through the ramp (1 for faults without one). */
  progress: number;
}

export interface PlantModelOptions {
  /** Same seed and same advance times → same values. Default 1. */
  seed?: number;
  /** Epoch ms of the first values. Default Date.now(). */
  startMs?: number;
  /** Defaults to the demo plant (connector ids do not matter to the simulation). */
  plant?: SimulatedPlant;
}

interface EquipmentState {
  equipment: SimulatedEquipment;
  physics: EquipmentPhysics;
  tagsByCode: Map<string, SimulatedTag>;
  /** Straight from the physics. */
  raw: Record<string, TagValue>;
  /** What the instruments report: raw with faults applied, rounded. */
  values: Record<string, TagValue>;
}

const MAX_STEP_MS = 1000;
/** After a long pause (laptop asleep) the plant resumes instead of replaying hours of steps. */
const MAX_CATCH_UP_MS = 60_000;

export function createPlantModel(opts: PlantModelOptions = {}): PlantModel {
  const plant = opts.plant ?? simulatedPlant({ opcuaConnectorId: 1, modbusConnectorId: 1 });
  const seed = opts.seed ?? 1;
  let now = opts.startMs ?? Date.now();
  const edgeNodeIds = new Set(plant.edgeNodes.map((n) => n.id));
  const states = new Map<string, EquipmentState>();
  const faultsByTarget = new Map<string, ActiveFault[]>();

  for (const equipment of plant.equipment) {
    const physics = createPhysics(equipment.kind, createRng(seedFor(seed, equipment.code)));
    const raw = physics.step(0, now);
    const state: EquipmentState = {
      equipment,
      physics,
      tagsByCode: new Map(equipment.tags.map((t) => [t.code, t])),
      raw,
      values: {},
    };
    report(state);
    states.set(equipment.code, state);
  }

  function report(s: EquipmentState) {
    const values = { ...s.raw };
    applyFaults(values, s.tagsByCode, faultsByTarget.get(s.equipment.code) ?? [], now);
    for (const [code, v] of Object.entries(values)) {
      const tag = s.tagsByCode.get(code);
      if (typeof v === 'number' && tag) values[code] = round(v, tag.decimals);
    }
    s.values = values;
  }

  function stateOf(code: string): EquipmentState | undefined {
    return states.get(code) ?? states.get(code.toUpperCase());
  }

  function findTag(s: EquipmentState, tagCode: string): SimulatedTag | undefined {
    const code = tagCode.toUpperCase();
    // Accept the server's full `EQUIPMENT.TAG` code too.
    const prefix = `${s.equipment.code}.`;
    return s.tagsByCode.get(code.startsWith(prefix) ? code.slice(prefix.length) : code);
  }

  function online(code: string): boolean {
    const hasLinkLoss = (target: string) =>
      (faultsByTarget.get(target) ?? []).some((f) => f.fault === 'link-loss');
    if (hasLinkLoss(code)) return false;
    const edgeNode = stateOf(code)?.equipment.edgeNode;
    return edgeNode ? !hasLinkLoss(edgeNode) : true;
  }

  return {
    plant,
    now: () => now,
    advance(nowMs) {
      if (nowMs <= now) return;
      let t = Math.max(now, nowMs - MAX_CATCH_UP_MS);
      while (t < nowMs) {
        const dt = Math.min(MAX_STEP_MS, nowMs - t);
        t += dt;
        for (const s of states.values()) s.raw = s.physics.step(dt, t);
      }
      now = nowMs;
      for (const s of states.values()) report(s);
    },
    values(code) {
      const s = stateOf(code);
      if (!s) throw new Error(`Unknown equipment ${code}`);
      return s.values;
    },
    online,
    write(equipmentCode, tagCode, value) {
      const s = stateOf(equipmentCode);
      if (!s) return { ok: false, code: 'unknown-equipment', message: `Unknown equipment ${equipmentCode}` };
      const tag = findTag(s, tagCode);
      if (!tag)
        return { ok: false, code: 'unknown-tag', message: `${s.equipment.code} has no tag ${tagCode}` };
      if (!tag.writable) {
        return { ok: false, code: 'read-only', message: `${s.equipment.code}.${tag.code} is read-only` };
      }
      if (!online(s.equipment.code)) {
        return { ok: false, code: 'link-loss', message: `${s.equipment.code} does not answer (link lost)` };
      }
      const coerced = coerceValue(tag, value);
      if (coerced === undefined) {
        return {
          ok: false,
          code: 'bad-value',
          message: `${JSON.stringify(value)} is not a ${tag.type} for ${s.equipment.code}.${tag.code}`,
        };
      }
      if (
        typeof coerced === 'number' &&
        ((tag.engLow !== null && coerced < tag.engLow) || (tag.engHigh !== null && coerced > tag.engHigh))
      ) {
        return {
          ok: false,
          code: 'out-of-range',
          message: `${coerced} is outside ${tag.engLow}..${tag.engHigh} for ${s.equipment.code}.${tag.code}`,
        };
      }
      s.physics.write(tag.code, coerced);
      // A zero step shows the write's side effects (a valve commanded leaves automatic) at once.
      s.raw = s.physics.step(0, now);
      report(s);
      return { ok: true, value: coerced };
    },
    injectFault(target, fault, faultOpts = {}) {
      let created: ActiveFault;
      if (edgeNodeIds.has(target)) {
        if (fault !== 'link-loss') throw new Error(`Only link-loss can be injected into edge node ${target}`);
        created = startFault(target, fault, [], {}, now, faultOpts);
      } else {
        const s = stateOf(target);
        if (!s) throw new Error(`Unknown equipment ${target}`);
        const tag = faultOpts.tag ? findTag(s, faultOpts.tag)?.code : undefined;
        if (faultOpts.tag && !tag) throw new Error(`${s.equipment.code} has no tag ${faultOpts.tag}`);
        const tags = tagsAffectedBy(fault, s.equipment.tags, tag);
        if (tags.length === 0) {
          throw new Error(
            `${fault} does not apply to ${s.equipment.code}${tag ? `.${tag}` : ''} (applies: ${s.equipment.faults.join(', ')})`,
          );
        }
        created = startFault(s.equipment.code, fault, tags, s.values, now, { ...faultOpts, tag });
      }
      const others = (faultsByTarget.get(created.target) ?? []).filter((f) => f.fault !== fault);
      faultsByTarget.set(created.target, [...others, created]);
      return created;
    },
    clearFault(target) {
      const s = stateOf(target);
      const key = s?.equipment.code ?? target;
      if (!s && !edgeNodeIds.has(target)) throw new Error(`Unknown equipment ${target}`);
      const cleared = faultsByTarget.get(key)?.length ?? 0;
      faultsByTarget.delete(key);
      if (s) report(s);
      return cleared;
    },
    faults() {
      return [...faultsByTarget.values()].flat().map((f) => ({
        target: f.target,
        fault: f.fault,
        tag: f.tag,
        startedAt: f.startedAt,
        rampMs: f.rampMs,
        progress:
          f.fault === 'vibration-rise' || f.fault === 'gas-leak' || f.fault === 'over-temperature'
            ? rampProgress(f, now)
            : 1,
      }));
    },
  };
}

function round(v: number, decimals: number): number {
  const f = 10 ** decimals;
  const r = Math.round(v * f) / f;
  return r === 0 ? 0 : r;
}

const TRUE_TEXT = new Set(['true', '1', 'on']);
const FALSE_TEXT = new Set(['false', '0', 'off']);

/** The value as the tag's type, or undefined when it cannot be one. */
export function coerceValue(tag: SimulatedTag, value: unknown): TagValue | undefined {
  switch (tag.type) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 0 || value === 1) return value === 1;
      if (typeof value === 'string') {
        const text = value.trim().toLowerCase();
        if (TRUE_TEXT.has(text)) return true;
        if (FALSE_TEXT.has(text)) return false;
      }
      return undefined;
    case 'number': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
    }
    case 'state': {
      const n = typeof value === 'string' ? Number(value) : value;
      return typeof n === 'number' && Number.isInteger(n) && tag.states?.[String(n)] !== undefined
        ? n
        : undefined;
    }
    case 'string':
      return typeof value === 'string' ? value : undefined;
  }
}
