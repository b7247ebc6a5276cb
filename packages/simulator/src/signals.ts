import type { TagValue } from './faults.js';
import type { EquipmentKind } from './plant.js';
import type { Rng } from './rng.js';

/**
 * Signal models: the process physics of each kind of equipment, driven by a seeded random
 * source and the time step only, so a run with the same seed and the same steps is identical.
 */

export const IDLE = 0;
export const RUN = 1;
export const FAULT = 2;
export type RunState = typeof IDLE | typeof RUN | typeof FAULT;

/**
 * Ornstein–Uhlenbeck step (exact for any dt): drifts back to `target` with time constant
 * `tauMs` and wanders with stationary standard deviation `sigma`, like a controlled process value.
 */
export function meanReverting(
  x: number,
  target: number,
  tauMs: number,
  sigma: number,
  dtMs: number,
  rng: Rng,
) {
  const a = Math.exp(-dtMs / tauMs);
  return target + (x - target) * a + sigma * Math.sqrt(1 - a * a) * rng.gaussian();
}

/** First-order lag toward `target` (a flywheel spinning down, a pressure bleeding off). */
export function firstOrder(x: number, target: number, tauMs: number, dtMs: number) {
  return target + (x - target) * Math.exp(-dtMs / tauMs);
}

/** A slow periodic swing (day/night, batch cycles) plus white measurement noise. */
export function noisySine(
  tMs: number,
  o: { mean: number; amplitude: number; periodMs: number; phase?: number; noise: number },
  rng: Rng,
) {
  return (
    o.mean +
    o.amplitude * Math.sin((2 * Math.PI * tMs) / o.periodMs + (o.phase ?? 0)) +
    o.noise * rng.gaussian()
  );
}

/** Whether an event with the given mean time between occurrences happens within dt (Poisson). */
export function happens(dtMs: number, meanMs: number, rng: Rng) {
  if (!Number.isFinite(meanMs)) return false;
  return rng.next() < 1 - Math.exp(-dtMs / meanMs);
}

export interface RunStateTimes {
  /** Mean time running before a planned stop. */
  meanRunMs: number;
  /** Mean time idle before starting again (when permitted). */
  meanIdleMs: number;
  /** Mean time running between faults. */
  meanBetweenFaultsMs: number;
  /** Mean time to repair. */
  meanRepairMs: number;
}

/**
 * RUN/IDLE/FAULT with exponential dwell times. `permitted` false (interlock, open guard,
 * stop command) forces RUN to IDLE at once; a fault stays until repaired.
 */
export function stepRunState(
  state: RunState,
  dtMs: number,
  rng: Rng,
  t: RunStateTimes,
  permitted: boolean,
): RunState {
  switch (state) {
    case FAULT:
      return happens(dtMs, t.meanRepairMs, rng) ? IDLE : FAULT;
    case IDLE:
      return permitted && happens(dtMs, t.meanIdleMs, rng) ? RUN : IDLE;
    case RUN:
      if (!permitted) return IDLE;
      if (happens(dtMs, t.meanBetweenFaultsMs, rng)) return FAULT;
      return happens(dtMs, t.meanRunMs, rng) ? IDLE : RUN;
  }
}

export interface PressStroke {
  /** Position in the current stroke, 0..1. */
  phase: number;
  strokes: number;
}

/** Advances the crank by the stroke rate; returns how many strokes were completed in dt. */
export function advanceStrokes(s: PressStroke, spm: number, dtMs: number): number {
  s.phase += (dtMs / 60_000) * Math.max(0, spm);
  const done = Math.floor(s.phase);
  s.phase -= done;
  s.strokes += done;
  return done;
}

export interface TankLevel {
  /** % of the tank height. */
  level: number;
  valveOpen: boolean;
  auto: boolean;
  fillStop: number;
  fillStart: number;
}

/**
 * Level balance: inflow through the feed valve minus the draw-off. In automatic mode the
 * PLC opens the valve at the fill-start level and closes it at the fill-stop level.
 */
export function stepTankLevel(t: TankLevel, inflowPctPerS: number, drawPctPerS: number, dtMs: number) {
  const dtS = dtMs / 1000;
  t.level = Math.min(100, Math.max(0, t.level + ((t.valveOpen ? inflowPctPerS : 0) - drawPctPerS) * dtS));
  if (t.auto) {
    if (t.level >= t.fillStop) t.valveOpen = false;
    else if (t.level <= t.fillStart) t.valveOpen = true;
  }
}

/** One equipment's process, stepped by the plant model. */
export interface EquipmentPhysics {
  /** Moves the process forward by dt and returns every tag's value by tag code (unrounded). */
  step(dtMs: number, nowMs: number): Record<string, TagValue>;
  /** A write from outside (interlock, operator), already checked against the tag's type and range. */
  write(tagCode: string, value: TagValue): void;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const positive = (x: number) => Math.max(0, x);

export function createPhysics(kind: EquipmentKind, rng: Rng): EquipmentPhysics {
  switch (kind) {
    case 'press':
      return pressPhysics(rng);
    case 'crane':
      return cranePhysics(rng);
    case 'hydraulic-unit':
      return hydraulicPhysics(rng);
    case 'pump':
      return pumpPhysics(rng);
    case 'scrubber':
      return scrubberPhysics(rng);
    case 'tank':
      return tankPhysics(rng);
    case 'gas-detector':
      return gasDetectorPhysics(rng);
  }
}

const PRESS_TIMES: RunStateTimes = {
  meanRunMs: 4 * MIN,
  meanIdleMs: 40_000,
  meanBetweenFaultsMs: 3 * HOUR,
  meanRepairMs: 2 * MIN,
};

function pressPhysics(rng: Rng): EquipmentPhysics {
  const nominalTonnage = 1500 + rng.next() * 300;
  const spmSetpoint = 22 + Math.round(rng.next() * 12);
  let state: RunState = rng.next() < 0.7 ? RUN : IDLE;
  let runEnable = true;
  let guardOk = true;
  let guardBlockedMs = 0;
  let spm = state === RUN ? spmSetpoint : 0;
  const stroke: PressStroke = { phase: rng.next(), strokes: Math.floor(100_000 + rng.next() * 400_000) };
  let tonnage = nominalTonnage;
  let vibration = state === RUN ? 2.8 : 0.4;
  let temperature = 36 + rng.next() * 8;
  return {
    step(dt) {
      // The light curtain is broken while the operator loads blanks, mostly when the press waits.
      if (guardOk) {
        if (happens(dt, state === IDLE ? 12_000 : 20 * MIN, rng)) {
          guardOk = false;
          guardBlockedMs = 1500 + rng.next() * 3000;
        }
      } else {
        guardBlockedMs -= dt;
        if (guardBlockedMs <= 0) guardOk = true;
      }
      state = stepRunState(state, dt, rng, PRESS_TIMES, runEnable && guardOk);
      const running = state === RUN;
      spm = running ? meanReverting(spm, spmSetpoint, 4000, 0.3, dt, rng) : firstOrder(spm, 0, 1500, dt);
      if (!running && spm < 0.5) spm = 0;
      if (advanceStrokes(stroke, spm, dt) > 0) tonnage = nominalTonnage + 30 * rng.gaussian();
      vibration = meanReverting(
        vibration,
        running ? 2.2 + 0.03 * spm : 0.4,
        3000,
        running ? 0.25 : 0.05,
        dt,
        rng,
      );
      temperature = meanReverting(temperature, running ? 46 : 31, 4 * MIN, 0.4, dt, rng);
      return {
        STATE: state,
        VIB: positive(vibration),
        TEMP: temperature + 0.05 * rng.gaussian(),
        SPM: positive(spm),
        TONNAGE: tonnage,
        STROKES: stroke.strokes,
        GUARD_OK: guardOk,
        RUN_ENABLE: runEnable,
      };
    },
    write(tag, value) {
      if (tag === 'RUN_ENABLE') runEnable = value === true;
    },
  };
}

const CRANE_TIMES: RunStateTimes = {
  meanRunMs: 3 * MIN,
  meanIdleMs: 2 * MIN,
  meanBetweenFaultsMs: 8 * HOUR,
  meanRepairMs: 3 * MIN,
};
const CRANE_RATED_T = 16;

function cranePhysics(rng: Rng): EquipmentPhysics {
  let state: RunState = rng.next() < 0.5 ? RUN : IDLE;
  let runEnable = true;
  let hookLoad = 0;
  let phaseLeftMs = 0;
  let motorTemperature = 35 + rng.next() * 10;
  // A lift: mostly medium loads, now and then one close to the rating, rarely an overload attempt.
  const nextLoad = () => {
    const r = rng.next();
    if (r < 0.005) return CRANE_RATED_T * (1.01 + rng.next() * 0.05);
    if (r < 0.05) return CRANE_RATED_T * (0.91 + rng.next() * 0.06);
    return 2 + rng.next() * 10;
  };
  return {
    step(dt) {
      state = stepRunState(state, dt, rng, CRANE_TIMES, runEnable);
      if (state === RUN) {
        phaseLeftMs -= dt;
        if (phaseLeftMs <= 0) {
          // Alternate loaded lifts and empty returns.
          hookLoad = hookLoad > 0 ? 0 : nextLoad();
          phaseLeftMs = hookLoad > 0 ? 30_000 + rng.next() * 50_000 : 20_000 + rng.next() * 20_000;
        }
      } else if (hookLoad > 0 && state === IDLE) {
        hookLoad = 0;
      }
      motorTemperature = meanReverting(
        motorTemperature,
        state === RUN ? 45 + 2.2 * hookLoad : 30,
        5 * MIN,
        0.5,
        dt,
        rng,
      );
      const load = positive(hookLoad + 0.02 * rng.gaussian());
      return {
        STATE: state,
        LOAD: load,
        MOTOR_TEMP: motorTemperature + 0.1 * rng.gaussian(),
        OVERLOAD: load > CRANE_RATED_T,
        RUN_ENABLE: runEnable,
      };
    },
    write(tag, value) {
      if (tag === 'RUN_ENABLE') runEnable = value === true;
    },
  };
}

const HYDRAULIC_TIMES: RunStateTimes = {
  meanRunMs: Number.POSITIVE_INFINITY,
  meanIdleMs: 5_000,
  meanBetweenFaultsMs: 6 * HOUR,
  meanRepairMs: 2 * MIN,
};

function hydraulicPhysics(rng: Rng): EquipmentPhysics {
  let state: RunState = RUN;
  let pumpEnable = true;
  let pressure = 21;
  let oilTemperature = 44 + rng.next() * 4;
  let oilLevel = 72;
  let filterDp = 1.6;
  return {
    step(dt) {
      state = stepRunState(state, dt, rng, HYDRAULIC_TIMES, pumpEnable);
      const running = state === RUN;
      pressure = running
        ? meanReverting(pressure, 21, 1500, 0.25, dt, rng)
        : firstOrder(pressure, 0.3, 3000, dt);
      oilTemperature = meanReverting(oilTemperature, running ? 48 : 30, 7 * MIN, 0.4, dt, rng);
      oilLevel = meanReverting(oilLevel, 72, 2 * MIN, 0.4, dt, rng);
      filterDp = running
        ? meanReverting(filterDp, 1.6, 20_000, 0.06, dt, rng)
        : firstOrder(filterDp, 0.1, 3000, dt);
      return {
        STATE: state,
        OIL_PRESS: positive(pressure),
        OIL_TEMP: oilTemperature + 0.1 * rng.gaussian(),
        OIL_LEVEL: oilLevel + 0.2 * rng.gaussian(),
        FILTER_DP: positive(filterDp),
        PUMP_ENABLE: pumpEnable,
      };
    },
    write(tag, value) {
      if (tag === 'PUMP_ENABLE') pumpEnable = value === true;
    },
  };
}

const PUMP_TIMES: RunStateTimes = {
  meanRunMs: Number.POSITIVE_INFINITY,
  meanIdleMs: 3_000,
  meanBetweenFaultsMs: 12 * HOUR,
  meanRepairMs: 2 * MIN,
};

function pumpPhysics(rng: Rng): EquipmentPhysics {
  let state: RunState = RUN;
  let runCommand = true;
  let speedSetpoint = 80;
  let flow = 40;
  let vibration = 2.2;
  let bearingTemperature = 52 + rng.next() * 6;
  return {
    step(dt) {
      state = stepRunState(state, dt, rng, PUMP_TIMES, runCommand);
      const running = state === RUN;
      flow = running
        ? meanReverting(flow, 0.5 * speedSetpoint, 3000, 0.6, dt, rng)
        : firstOrder(flow, 0, 2000, dt);
      vibration = meanReverting(
        vibration,
        running ? 1.8 + 0.01 * flow : 0.15,
        3000,
        running ? 0.12 : 0.03,
        dt,
        rng,
      );
      bearingTemperature = meanReverting(
        bearingTemperature,
        running ? 52 + 0.1 * flow : 30,
        7 * MIN,
        0.4,
        dt,
        rng,
      );
      const f = positive(flow);
      return {
        STATE: state,
        FLOW: f,
        DISCH_PRESS: positive((running ? 0.25 + 0.009 * f : 0.02) + 0.005 * rng.gaussian()),
        MOTOR_CURRENT: running ? positive(5 + 0.55 * f + 0.3 * rng.gaussian()) : 0,
        VIB: positive(vibration),
        BEARING_TEMP: bearingTemperature + 0.1 * rng.gaussian(),
        RUN_CMD: runCommand,
        SPEED_SP: speedSetpoint,
      };
    },
    write(tag, value) {
      if (tag === 'RUN_CMD') runCommand = value === true;
      if (tag === 'SPEED_SP' && typeof value === 'number') speedSetpoint = value;
    },
  };
}

const SCRUBBER_TIMES: RunStateTimes = {
  meanRunMs: Number.POSITIVE_INFINITY,
  meanIdleMs: 5_000,
  meanBetweenFaultsMs: 24 * HOUR,
  meanRepairMs: 3 * MIN,
};

function scrubberPhysics(rng: Rng): EquipmentPhysics {
  let state: RunState = RUN;
  let fanCommand = true;
  let ph = 9.4 + rng.next() * 0.6;
  let dosing = false;
  let outletH2s = 0.8;
  let sumpLevel = 60;
  let diffPressure = 1.5;
  return {
    step(dt, now) {
      state = stepRunState(state, dt, rng, SCRUBBER_TIMES, fanCommand);
      const running = state === RUN;
      // Absorbed acid gas lowers the pH until the caustic dosing pump brings it back (a sawtooth).
      const dtS = dt / 1000;
      if (dosing) ph += 0.01 * dtS;
      else if (running) ph -= 0.0008 * dtS;
      if (ph < 9.2) dosing = true;
      if (ph > 10) dosing = false;
      outletH2s = meanReverting(outletH2s, running ? 0.8 : 0.2, 30_000, 0.2, dt, rng);
      sumpLevel = meanReverting(
        sumpLevel,
        60 + 3 * Math.sin((2 * Math.PI * now) / (20 * MIN)),
        3 * MIN,
        1.5,
        dt,
        rng,
      );
      diffPressure = running
        ? meanReverting(diffPressure, 1.5, 5000, 0.05, dt, rng)
        : firstOrder(diffPressure, 0.05, 3000, dt);
      return {
        FAN_STATE: state,
        PH: ph + 0.02 * rng.gaussian(),
        OUTLET_H2S: positive(outletH2s),
        SUMP_LEVEL: sumpLevel + 0.3 * rng.gaussian(),
        DIFF_PRESS: positive(diffPressure),
        FAN_CMD: fanCommand,
      };
    },
    write(tag, value) {
      if (tag === 'FAN_CMD') fanCommand = value === true;
    },
  };
}

function tankPhysics(rng: Rng): EquipmentPhysics {
  const tank: TankLevel = {
    level: 35 + rng.next() * 35,
    valveOpen: rng.next() < 0.5,
    auto: true,
    fillStop: 80,
    fillStart: 30,
  };
  const inflow = 0.1 + rng.next() * 0.06;
  const meanDraw = 0.04 + rng.next() * 0.03;
  let draw = meanDraw;
  const temperatureMean = 18 + rng.next() * 12;
  const temperaturePhase = rng.next() * 2 * Math.PI;
  let temperatureWander = 0;
  let pressureWander = 0;
  return {
    step(dt, now) {
      draw = positive(meanReverting(draw, meanDraw, MIN, meanDraw * 0.3, dt, rng));
      stepTankLevel(tank, inflow, tank.level > 0 ? draw : 0, dt);
      temperatureWander = meanReverting(temperatureWander, 0, MIN, 0.3, dt, rng);
      pressureWander = meanReverting(pressureWander, 0, 20_000, 0.15, dt, rng);
      const temperature =
        noisySine(
          now,
          { mean: temperatureMean, amplitude: 3, periodMs: 30 * MIN, phase: temperaturePhase, noise: 0.05 },
          rng,
        ) + temperatureWander;
      // Filling compresses the nitrogen blanket a little.
      const pressure =
        3 + 0.03 * tank.level + (tank.valveOpen ? 0.4 : 0) + pressureWander + 0.03 * rng.gaussian();
      return {
        LEVEL: tank.level,
        TEMP: temperature,
        PRESS: pressure,
        FILL_STOP_SP: tank.fillStop,
        FILL_START_SP: tank.fillStart,
        FEED_VALVE: tank.valveOpen,
        AUTO: tank.auto,
        LSHH: tank.level >= 92,
      };
    },
    write(tag, value) {
      if (tag === 'FEED_VALVE') {
        tank.valveOpen = value === true;
        // A valve commanded from outside takes the tank out of automatic, as a PLC would.
        tank.auto = false;
      }
      if (tag === 'AUTO') tank.auto = value === true;
      if (tag === 'FILL_STOP_SP' && typeof value === 'number') tank.fillStop = value;
      if (tag === 'FILL_START_SP' && typeof value === 'number') tank.fillStart = value;
    },
  };
}

function gasDetectorPhysics(rng: Rng): EquipmentPhysics {
  let h2s = 0.3;
  let ch4 = 0.8;
  let o2 = 20.9;
  let beacon = false;
  let faultLeftMs = 0;
  return {
    step(dt) {
      h2s = meanReverting(h2s, 0.3, 20_000, 0.15, dt, rng);
      ch4 = meanReverting(ch4, 0.8, 30_000, 0.35, dt, rng);
      o2 = meanReverting(o2, 20.9, MIN, 0.04, dt, rng);
      if (faultLeftMs > 0) faultLeftMs -= dt;
      else if (happens(dt, 72 * HOUR, rng)) faultLeftMs = 3 * MIN;
      return {
        H2S: positive(h2s),
        CH4_LEL: positive(ch4),
        O2: o2 + 0.02 * rng.gaussian(),
        FAULT: faultLeftMs > 0,
        BEACON: beacon,
      };
    },
    write(tag, value) {
      if (tag === 'BEACON') beacon = value === true;
    },
  };
}
