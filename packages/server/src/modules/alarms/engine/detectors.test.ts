import { describe, expect, it } from 'vitest';
import {
  type ChatterState,
  createChatterState,
  createFloodState,
  type FloodState,
  recordChatterActivation,
  recordFloodActivation,
  recordFloodActivations,
  tickChatter,
  tickFlood,
} from './detectors.js';
import type { FloodEvent } from './types.js';

const MIN = 60_000;

function activate(state: FloodState, times: number[]): { state: FloodState; events: FloodEvent[] } {
  return times.reduce(
    (acc, t) => {
      const step = recordFloodActivation(acc.state, t);
      return { state: step.state, events: [...acc.events, ...step.events] };
    },
    { state, events: [] as FloodEvent[] },
  );
}

describe('alarm flood detector', () => {
  it('does not flood on ten activations within ten minutes', () => {
    const r = activate(
      createFloodState('A1'),
      Array.from({ length: 10 }, (_, i) => i * 30_000),
    );
    expect(r.events).toEqual([]);
    expect(r.state.flooding).toBe(false);
  });

  it('starts a flood on the eleventh activation within ten minutes and counts during it', () => {
    const r = activate(
      createFloodState('A1'),
      Array.from({ length: 13 }, (_, i) => i * 30_000),
    );
    expect(r.events).toEqual([
      { type: 'flood_start', area: 'A1', at: 300_000, count: 11, total: 11, windowMs: 10 * MIN },
    ]);
    expect(r.state.total).toBe(13);
  });

  it('does not flood when the activations are spread over more than the window', () => {
    const r = activate(
      createFloodState('A1'),
      Array.from({ length: 20 }, (_, i) => i * MIN),
    );
    expect(r.events).toEqual([]);
  });

  it('ends the flood when fewer than five activations remain in the window, at that moment', () => {
    const r = activate(
      createFloodState('A1'),
      Array.from({ length: 11 }, (_, i) => i * 1000),
    );
    const quiet = tickFlood(r.state, 20 * MIN);
    // The seventh activation (t = 6 s) leaves the window at 10 min + 6 s, leaving four.
    expect(quiet.events).toEqual([
      { type: 'flood_end', area: 'A1', at: 10 * MIN + 6000, count: 4, total: 11, windowMs: 10 * MIN },
    ]);
    expect(quiet.state.flooding).toBe(false);
    expect(quiet.state.activations).toEqual([]);
  });

  it('honours configured thresholds', () => {
    const cfg = { startAbove: 2, endBelow: 1, windowMs: MIN };
    let s = createFloodState('A2');
    const events: FloodEvent[] = [];
    for (const t of [0, 1000, 2000]) {
      const step = recordFloodActivation(s, t, cfg);
      s = step.state;
      events.push(...step.events);
    }
    expect(events.map((e) => e.type)).toEqual(['flood_start']);
    expect(tickFlood(s, MIN + 1999, cfg).events).toEqual([]);
    expect(tickFlood(s, MIN + 2000, cfg).events.map((e) => [e.type, e.at])).toEqual([
      ['flood_end', MIN + 2000],
    ]);
  });
});

describe('chattering detector', () => {
  const record = (s: ChatterState, t: number) => recordChatterActivation(s, t);

  it('flags an alarm activated three times within 60 s', () => {
    const a = record(createChatterState(), 0);
    const b = record(a.state, 20_000);
    const c = record(b.state, 40_000);
    expect([...a.changes, ...b.changes]).toEqual([]);
    expect(c.changes).toEqual([{ chattering: true, at: 40_000, count: 3 }]);
    expect(c.state.chattering).toBe(true);
  });

  it('does not flag three activations spread over more than 60 s', () => {
    const s = [0, 31_000, 62_000].reduce((acc, t) => record(acc, t).state, createChatterState());
    expect(s.chattering).toBe(false);
    expect(s.activations).toEqual([31_000, 62_000]);
  });

  it('clears after a quiet period without activations', () => {
    const s = [0, 1000, 2000].reduce((acc, t) => record(acc, t).state, createChatterState());
    expect(tickChatter(s, 61_999).changes).toEqual([]);
    const quiet = tickChatter(s, 90_000);
    expect(quiet.changes).toEqual([{ chattering: false, at: 62_000, count: 0 }]);
    expect(quiet.state.chattering).toBe(false);
  });
});

describe('flood detection in bulk', () => {
  it('gives the same states and events as counting the activations one by one', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const cfg = { startAbove: 10, endBelow: 5, windowMs: 60_000 };
    for (let run = 0; run < 50; run++) {
      let t = 1_000_000;
      const times: number[] = [];
      for (let i = 0; i < 60; i++) {
        t += Math.floor(random() * (random() < 0.3 ? 40_000 : 3_000));
        // now and then a value that arrives a little out of order
        times.push(random() < 0.1 ? t - Math.floor(random() * 2000) : t);
      }
      const start = recordFloodActivations(createFloodState('A'), times.slice(0, 5), cfg).state;
      let one = { state: start, events: [] as FloodEvent[] };
      for (const at of times.slice(5)) {
        const step = recordFloodActivation(one.state, at, cfg);
        one = { state: step.state, events: [...one.events, ...step.events] };
      }
      const bulk = recordFloodActivations(start, times.slice(5), cfg);
      expect(bulk).toEqual(one);
    }
  });

  it('counts a burst of 5,000 activations in one area: one flood start, every activation counted', () => {
    const times = Array.from({ length: 5000 }, (_, i) => 1_000_000 + i);
    const step = recordFloodActivations(createFloodState('A'), times);
    expect(step.events).toMatchObject([{ type: 'flood_start', count: 11 }]);
    expect(step.state).toMatchObject({ flooding: true, total: 5000 });
    expect(step.state.activations).toHaveLength(5000);
  });
});
