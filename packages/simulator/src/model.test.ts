import { TagSourceSchema } from '@aegis/shared';
import { describe, expect, it } from 'vitest';
import { createPlantModel } from './model.js';
import { simulatedPlant } from './plant.js';
import { createRng } from './rng.js';
import { advanceStrokes, meanReverting, stepTankLevel, type TankLevel } from './signals.js';

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const plant = simulatedPlant({ opcuaConnectorId: 7, modbusConnectorId: 8 });
const tagOf = (equipment: string, code: string) =>
  plant.tags.find((t) => t.equipmentCode === equipment && t.code === code)!;

/** Runs the model forward in one-second ticks and collects one tag's reported values. */
function run(
  model: ReturnType<typeof createPlantModel>,
  equipment: string,
  tag: string,
  fromMs: number,
  toMs: number,
) {
  const out: Array<{ t: number; v: unknown }> = [];
  for (let t = fromMs + 1000; t <= toMs; t += 1000) {
    model.advance(t);
    out.push({ t, v: model.values(equipment)[tag] });
  }
  return out;
}

describe('the plant description', () => {
  it('has the demo plant equipment codes', () => {
    const codes = plant.equipment.map((e) => e.code);
    for (const code of [
      'PRS-01',
      'PRS-06',
      'HYD-01',
      'CRN-01',
      'TK-101',
      'TK-203',
      'PMP-101',
      'SCR-201',
      'GD-201',
      'GD-210',
    ]) {
      expect(codes).toContain(code);
    }
    expect(codes).toHaveLength(26);
    expect(new Set(codes).size).toBe(26);
  });

  it('gives every tag a source the server schema accepts, with the connector ids passed in', () => {
    for (const tag of plant.tags) {
      expect(TagSourceSchema.parse(tag.source)).toEqual(tag.source);
      if (tag.source.kind === 'opcua') expect(tag.source.connectorId).toBe(7);
      if (tag.source.kind === 'modbus') expect(tag.source.connectorId).toBe(8);
    }
    const kinds = new Set(plant.tags.map((t) => t.source.kind));
    expect([...kinds].sort()).toEqual(['modbus', 'mqtt', 'opcua', 'sparkplug']);
  });

  it('binds presses to MQTT JSON topics with one writable command tag each', () => {
    const press = plant.equipment.find((e) => e.code === 'PRS-04')!;
    expect(press.topic).toBe('aegis/SZ01/STAMP/PRS-04/telemetry');
    expect(tagOf('PRS-04', 'VIB').source).toMatchObject({
      kind: 'mqtt',
      topic: 'aegis/SZ01/STAMP/PRS-04/telemetry',
      path: 'values.vibration',
      timestampPath: 'ts',
    });
    const withCommand = press.tags.filter((t) => t.source.kind === 'mqtt' && t.source.commandTopic);
    expect(withCommand.map((t) => t.code)).toEqual(['RUN_ENABLE']);
  });

  it('gives no two Modbus tags overlapping registers', () => {
    const used = new Set<string>();
    for (const tag of plant.tags) {
      if (tag.source.kind !== 'modbus') continue;
      const words = tag.source.dataType === 'float32' ? 2 : 1;
      for (let i = 0; i < words; i++) {
        const key = `${tag.source.area}:${tag.source.address + i}`;
        expect(used.has(key), key).toBe(false);
        used.add(key);
      }
    }
  });

  it('orders suggested limits LL < L < H < HH inside the engineering range', () => {
    for (const tag of plant.tags) {
      const l = tag.alarmLimits;
      if (!l) continue;
      const ordered = [l.ll, l.l, l.h, l.hh].filter((x): x is number => x !== undefined);
      expect(
        [...ordered].sort((a, b) => a - b),
        `${tag.equipmentCode}.${tag.code}`,
      ).toEqual(ordered);
      for (const x of ordered) {
        if (tag.engLow !== null) expect(x).toBeGreaterThanOrEqual(tag.engLow);
        if (tag.engHigh !== null) expect(x).toBeLessThanOrEqual(tag.engHigh);
      }
    }
  });
});

describe('signal models', () => {
  it('keeps a mean-reverting signal around its setpoint with the given spread', () => {
    const rng = createRng(42);
    let x = 50;
    const xs: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      x = meanReverting(x, 50, 5000, 2, 1000, rng);
      xs.push(x);
    }
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    expect(mean).toBeGreaterThan(49.5);
    expect(mean).toBeLessThan(50.5);
    expect(sd).toBeGreaterThan(1.7);
    expect(sd).toBeLessThan(2.3);
  });

  it('counts one stroke per 60/spm seconds', () => {
    const s = { phase: 0, strokes: 0 };
    for (let i = 0; i < 60; i++) advanceStrokes(s, 30, 1000);
    expect(s.strokes).toBe(30);
  });

  it('fills a tank in automatic mode up to the stop level and then drains it', () => {
    const tank: TankLevel = { level: 50, valveOpen: true, auto: true, fillStop: 80, fillStart: 30 };
    let peak = 0;
    for (let i = 0; i < 600; i++) {
      stepTankLevel(tank, 0.2, 0.05, 1000);
      peak = Math.max(peak, tank.level);
    }
    expect(peak).toBeGreaterThanOrEqual(80);
    expect(peak).toBeLessThan(80.5);
    expect(tank.valveOpen).toBe(false);
  });

  it('replays exactly with the same seed and differs with another', () => {
    const a = createPlantModel({ seed: 7, startMs: T0 });
    const b = createPlantModel({ seed: 7, startMs: T0 });
    const c = createPlantModel({ seed: 8, startMs: T0 });
    const ra = run(a, 'PRS-02', 'VIB', T0, T0 + 30_000);
    expect(run(b, 'PRS-02', 'VIB', T0, T0 + 30_000)).toEqual(ra);
    expect(run(c, 'PRS-02', 'VIB', T0, T0 + 30_000)).not.toEqual(ra);
  });

  it('keeps gas readings near zero and oxygen near 20.9 %VOL without faults', () => {
    const model = createPlantModel({ seed: 3, startMs: T0 });
    for (const { v } of run(model, 'GD-203', 'H2S', T0, T0 + 10 * 60_000)) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(tagOf('GD-203', 'H2S').alarmLimits!.h!);
    }
    expect(model.values('GD-203').O2).toBeGreaterThan(20.5);
    expect(model.values('GD-203').O2).toBeLessThan(21.3);
  });

  it('runs presses through RUN, IDLE and strokes over half an hour', () => {
    const model = createPlantModel({ seed: 11, startMs: T0 });
    const states = new Set(run(model, 'PRS-01', 'STATE', T0, T0 + 30 * 60_000).map((p) => p.v));
    expect(states.has(0)).toBe(true);
    expect(states.has(1)).toBe(true);
  });
});

describe('faults', () => {
  it('drives a gas leak past the suggested HH limit within the ramp time', () => {
    const model = createPlantModel({ seed: 5, startMs: T0 });
    const hh = tagOf('GD-204', 'H2S').alarmLimits!.hh!;
    model.advance(T0 + 10_000);
    expect(model.values('GD-204').H2S).toBeLessThan(hh);
    model.injectFault('GD-204', 'gas-leak', { rampMs: 30_000 });
    const trace = run(model, 'GD-204', 'H2S', T0 + 10_000, T0 + 40_000);
    const crossing = trace.find((p) => (p.v as number) >= hh);
    expect(crossing).toBeDefined();
    expect(crossing!.t - (T0 + 10_000)).toBeLessThanOrEqual(30_000);
    // It climbs rather than jumps: the first seconds of the ramp are still below H.
    expect(trace[0]!.v as number).toBeLessThan(tagOf('GD-204', 'H2S').alarmLimits!.h!);
    // Methane climbs too, oxygen is displaced.
    expect(model.values('GD-204').CH4_LEL).toBeGreaterThan(tagOf('GD-204', 'CH4_LEL').alarmLimits!.hh!);
    expect(model.values('GD-204').O2).toBeLessThan(20.5);
    // Other detectors see nothing.
    expect(model.values('GD-205').H2S).toBeLessThan(hh / 4);
  });

  it('ramps vibration and temperature past HH and returns them on clear', () => {
    const model = createPlantModel({ seed: 9, startMs: T0 });
    model.injectFault('PMP-101', 'vibration-rise', { rampMs: 20_000 });
    model.injectFault('PMP-101', 'over-temperature', { rampMs: 20_000 });
    run(model, 'PMP-101', 'VIB', T0, T0 + 21_000);
    expect(model.values('PMP-101').VIB).toBeGreaterThan(tagOf('PMP-101', 'VIB').alarmLimits!.hh!);
    expect(model.values('PMP-101').BEARING_TEMP).toBeGreaterThan(
      tagOf('PMP-101', 'BEARING_TEMP').alarmLimits!.hh!,
    );
    expect(model.clearFault('PMP-101')).toBe(2);
    expect(model.values('PMP-101').VIB).toBeLessThan(tagOf('PMP-101', 'VIB').alarmLimits!.h!);
    expect(model.faults()).toEqual([]);
  });

  it('freezes a stuck sensor while the process moves on', () => {
    const model = createPlantModel({ seed: 2, startMs: T0 });
    model.advance(T0 + 5000);
    const frozen = model.values('TK-102').LEVEL;
    model.injectFault('TK-102', 'sensor-stuck', { tag: 'LEVEL' });
    const trace = run(model, 'TK-102', 'LEVEL', T0 + 5000, T0 + 125_000);
    expect(new Set(trace.map((p) => p.v))).toEqual(new Set([frozen]));
    // Only the chosen tag froze: the temperature still moves.
    const temps = run(model, 'TK-102', 'TEMP', T0 + 125_000, T0 + 185_000).map((p) => p.v);
    expect(new Set(temps).size).toBeGreaterThan(1);
    model.clearFault('TK-102');
    model.advance(T0 + 186_000);
    expect(model.values('TK-102').LEVEL).not.toBe(frozen);
  });

  it('takes equipment off line with link-loss, and a whole gateway with an edge node link-loss', () => {
    const model = createPlantModel({ seed: 2, startMs: T0 });
    model.injectFault('PRS-03', 'link-loss');
    expect(model.online('PRS-03')).toBe(false);
    expect(model.online('PRS-02')).toBe(true);
    expect(model.write('PRS-03', 'RUN_ENABLE', false)).toMatchObject({ ok: false, code: 'link-loss' });
    model.injectFault('GAS-GW02', 'link-loss');
    expect(model.online('GD-207')).toBe(false);
    expect(model.online('GD-202')).toBe(true);
    model.clearFault('GAS-GW02');
    expect(model.online('GD-207')).toBe(true);
  });

  it('refuses faults that make no sense for the equipment', () => {
    const model = createPlantModel({ seed: 2, startMs: T0 });
    expect(() => model.injectFault('TK-101', 'gas-leak')).toThrow(/does not apply/);
    expect(() => model.injectFault('GD-201', 'vibration-rise')).toThrow(/does not apply/);
    expect(() => model.injectFault('NOPE-1', 'link-loss')).toThrow(/Unknown equipment/);
    expect(() => model.injectFault('GAS-GW01', 'gas-leak')).toThrow(/Only link-loss/);
  });
});

describe('writes', () => {
  it('stops a press on RUN_ENABLE false and reads the command back at once', () => {
    const model = createPlantModel({ seed: 4, startMs: T0 });
    expect(model.write('PRS-01', 'RUN_ENABLE', false)).toEqual({ ok: true, value: false });
    expect(model.values('PRS-01').RUN_ENABLE).toBe(false);
    const states = run(model, 'PRS-01', 'STATE', T0, T0 + 5 * 60_000).map((p) => p.v);
    expect(states.every((s) => s !== 1)).toBe(true);
    expect(model.values('PRS-01').SPM).toBe(0);
  });

  it('closes a tank feed valve, leaving automatic mode so the level falls', () => {
    const model = createPlantModel({ seed: 4, startMs: T0 });
    expect(model.write('TK-201', 'FEED_VALVE', 0)).toEqual({ ok: true, value: false });
    expect(model.values('TK-201').AUTO).toBe(false);
    const before = model.values('TK-201').LEVEL as number;
    run(model, 'TK-201', 'LEVEL', T0, T0 + 5 * 60_000);
    expect(model.values('TK-201').LEVEL as number).toBeLessThan(before);
    expect(model.values('TK-201').FEED_VALVE).toBe(false);
  });

  it('refuses read-only tags, wrong types and values outside the range', () => {
    const model = createPlantModel({ seed: 4, startMs: T0 });
    expect(model.write('PRS-01', 'VIB', 1)).toMatchObject({ ok: false, code: 'read-only' });
    expect(model.write('PRS-01', 'RUN_ENABLE', 'maybe')).toMatchObject({ ok: false, code: 'bad-value' });
    expect(model.write('PMP-101', 'SPEED_SP', 120)).toMatchObject({ ok: false, code: 'out-of-range' });
    expect(model.write('PMP-101', 'PMP-101.SPEED_SP', 60)).toEqual({ ok: true, value: 60 });
  });
});
