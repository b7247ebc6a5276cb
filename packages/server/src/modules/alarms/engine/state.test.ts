import { describe, expect, it } from 'vitest';
import {
  acknowledge,
  applyCondition,
  comment,
  createAlarm,
  setOutOfService,
  setSuppression,
  shelve,
  tickAlarm,
  unshelve,
} from './state.js';
import type { AlarmResult, AlarmState } from './types.js';

const HOUR = 3600_000;

const alarm = (over: Partial<AlarmState> = {}): AlarmState => ({
  ...createAlarm({
    key: 'r1:H',
    ruleId: 'r1',
    condition: 'H',
    tag: 'TI-101',
    area: 'A1',
    priority: 'high',
    message: 'TI-101: high (> 90)',
    onDelayMs: 0,
    offDelayMs: 0,
  }),
  ...over,
});

const on = (a: AlarmState, at: number, value = 95) => applyCondition(a, { active: true, at, value });
const off = (a: AlarmState, at: number, value = 80) => applyCondition(a, { active: false, at, value });

function ok(r: AlarmResult) {
  if (!r.ok) throw new Error(`expected success, got ${r.error.code}`);
  return r;
}

describe('ISA-18.2 alarm state machine', () => {
  it('goes from normal to unacknowledged active when the condition becomes active', () => {
    const { alarm: a, events } = on(alarm(), 1000);
    expect(a.state).toBe('unack_active');
    expect(a.active).toBe(true);
    expect(events).toEqual([
      expect.objectContaining({
        type: 'activated',
        key: 'r1:H',
        from: 'normal',
        to: 'unack_active',
        at: 1000,
        value: 95,
        priority: 'high',
        annunciated: true,
      }),
    ]);
  });

  it('goes from unacknowledged active to returned-unacknowledged when the condition clears', () => {
    const { alarm: a, events } = off(on(alarm(), 1000).alarm, 2000);
    expect(a.state).toBe('rtn_unack');
    expect(events.map((e) => [e.type, e.from, e.to])).toEqual([['cleared', 'unack_active', 'rtn_unack']]);
  });

  it('goes from unacknowledged active to acknowledged active on acknowledgement', () => {
    const r = ok(acknowledge(on(alarm(), 1000).alarm, { user: 'op1', comment: 'checking pump' }, 1500));
    expect(r.alarm.state).toBe('ack_active');
    expect(r.alarm.ackedBy).toBe('op1');
    expect(r.events).toEqual([
      expect.objectContaining({
        type: 'acknowledged',
        from: 'unack_active',
        to: 'ack_active',
        user: 'op1',
        comment: 'checking pump',
        at: 1500,
      }),
    ]);
  });

  it('returns an acknowledged alarm to normal when the condition clears', () => {
    const acked = ok(acknowledge(on(alarm(), 1000).alarm, { user: 'op1' }, 1500)).alarm;
    const { alarm: a, events } = off(acked, 2000);
    expect(a.state).toBe('normal');
    expect(events.map((e) => [e.type, e.from, e.to])).toEqual([['cleared', 'ack_active', 'normal']]);
  });

  it('returns a returned-unacknowledged alarm to normal on acknowledgement', () => {
    const rtn = off(on(alarm(), 1000).alarm, 2000).alarm;
    const r = ok(acknowledge(rtn, { user: 'op1' }, 3000));
    expect(r.alarm.state).toBe('normal');
    expect(r.events[0]).toMatchObject({ from: 'rtn_unack', to: 'normal' });
  });

  it('re-activates a returned-unacknowledged alarm when the condition returns', () => {
    const rtn = off(on(alarm(), 1000).alarm, 2000).alarm;
    const { alarm: a, events } = on(rtn, 3000);
    expect(a.state).toBe('unack_active');
    expect(events[0]).toMatchObject({ type: 'activated', from: 'rtn_unack', to: 'unack_active' });
  });

  it('refuses to acknowledge a normal alarm with a typed error, not an exception', () => {
    expect(acknowledge(alarm(), { user: 'op1' }, 1000)).toEqual({
      ok: false,
      error: { code: 'nothing_to_acknowledge', message: expect.any(String) },
    });
  });

  it('refuses to acknowledge an alarm twice', () => {
    const acked = ok(acknowledge(on(alarm(), 1000).alarm, { user: 'op1' }, 1500)).alarm;
    const again = acknowledge(acked, { user: 'op2' }, 1600);
    expect(again.ok).toBe(false);
    expect(!again.ok && again.error.code).toBe('already_acknowledged');
  });

  it('yields no event for a repeated identical condition, so replays are idempotent', () => {
    const first = on(alarm(), 1000);
    const replay = on(first.alarm, 1000);
    expect(replay.events).toEqual([]);
    expect(replay.alarm).toEqual(first.alarm);
    expect(on(first.alarm, 5000).events).toEqual([]);
  });

  it('ignores a condition change older than the last one', () => {
    const a = off(on(alarm(), 1000).alarm, 2000).alarm;
    expect(on(a, 1500).events).toEqual([]);
  });

  it('survives a JSON round trip, as when stored as JSONB and restored', () => {
    const a = ok(
      shelve(on(alarm(), 1000).alarm, { user: 'op1', until: HOUR, reason: 'sensor swap' }, 2000),
    ).alarm;
    const restored = JSON.parse(JSON.stringify(a)) as AlarmState;
    expect(restored).toEqual(a);
    expect(on(restored, 1000).events).toEqual([]);
  });
});

describe('on-delay and off-delay', () => {
  const delayed = alarm({ onDelayMs: 5000, offDelayMs: 3000 });

  it('does not raise before the on-delay has elapsed', () => {
    const a = on(delayed, 1000).alarm;
    expect(a.state).toBe('normal');
    expect(tickAlarm(a, 5999).events).toEqual([]);
  });

  it('raises when the condition has held for the on-delay, stamped with that moment', () => {
    const a = on(delayed, 1000).alarm;
    const { alarm: raised, events } = tickAlarm(a, 9000);
    expect(raised.state).toBe('unack_active');
    expect(events).toEqual([expect.objectContaining({ type: 'activated', at: 6000, value: 95 })]);
  });

  it('does not raise when the condition clears within the on-delay', () => {
    const a = off(on(delayed, 1000).alarm, 4000).alarm;
    expect(tickAlarm(a, 60_000).events).toEqual([]);
    expect(tickAlarm(a, 60_000).alarm.state).toBe('normal');
  });

  it('raises on a later sample even without a tick in between', () => {
    const a = on(delayed, 1000).alarm;
    const { alarm: b, events } = off(a, 7000);
    expect(events.map((e) => [e.type, e.at])).toEqual([['activated', 6000]]);
    expect(b.state).toBe('unack_active');
    expect(tickAlarm(b, 10_000).events.map((e) => [e.type, e.at])).toEqual([['cleared', 10_000]]);
  });

  it('keeps the alarm active until the condition has been clear for the off-delay', () => {
    const raised = tickAlarm(on(delayed, 0).alarm, 5000).alarm;
    const clearing = off(raised, 10_000).alarm;
    expect(tickAlarm(clearing, 12_999).alarm.state).toBe('unack_active');
    const cleared = tickAlarm(clearing, 13_000);
    expect(cleared.alarm.state).toBe('rtn_unack');
    expect(cleared.events.map((e) => e.type)).toEqual(['cleared']);
  });

  it('stays active when the condition returns within the off-delay', () => {
    const raised = tickAlarm(on(delayed, 0).alarm, 5000).alarm;
    const back = on(off(raised, 10_000).alarm, 11_000).alarm;
    expect(tickAlarm(back, 60_000).events).toEqual([]);
    expect(back.state).toBe('unack_active');
  });
});

describe('shelving', () => {
  const active = on(alarm(), 1000).alarm;

  it('hides a shelved alarm and records who shelved it, why and until when', () => {
    const r = ok(
      shelve(active, { user: 'op1', until: 2000 + HOUR, reason: 'transmitter being replaced' }, 2000),
    );
    expect(r.alarm.state).toBe('unack_active'); // its true state, not annunciated
    expect(r.alarm.active).toBe(true);
    expect(r.alarm.shelved).toEqual({
      by: 'op1',
      at: 2000,
      until: 2000 + HOUR,
      reason: 'transmitter being replaced',
    });
    expect(r.events[0]).toMatchObject({
      type: 'shelved',
      from: 'unack_active',
      to: 'unack_active',
      annunciated: false,
      comment: 'transmitter being replaced',
    });
  });

  it('requires a reason', () => {
    const r = shelve(active, { user: 'op1', until: HOUR, reason: '  ' }, 2000);
    expect(!r.ok && r.error.code).toBe('reason_required');
  });

  it('refuses to shelve for longer than the maximum, 8 hours by default', () => {
    expect(
      ok(shelve(active, { user: 'op1', until: 2000 + 8 * HOUR, reason: 'x' }, 2000)).alarm.shelved,
    ).not.toBeNull();
    const tooLong = shelve(active, { user: 'op1', until: 2001 + 8 * HOUR, reason: 'x' }, 2000);
    expect(!tooLong.ok && tooLong.error.code).toBe('shelve_too_long');
    const configured = shelve(active, { user: 'op1', until: 2000 + 2 * HOUR, reason: 'x' }, 2000, HOUR);
    expect(!configured.ok && configured.error.code).toBe('shelve_too_long');
  });

  it('refuses a shelve end time in the past', () => {
    const r = shelve(active, { user: 'op1', until: 1500, reason: 'x' }, 2000);
    expect(!r.ok && r.error.code).toBe('shelve_until_in_past');
  });

  it('tracks the true state while shelved without annunciating it', () => {
    const shelved = ok(shelve(alarm(), { user: 'op1', until: HOUR, reason: 'x' }, 0)).alarm;
    const { alarm: a, events } = on(shelved, 1000);
    expect(a.state).toBe('unack_active');
    expect(a.active).toBe(true);
    expect(events).toEqual([
      expect.objectContaining({ type: 'activated', from: 'normal', to: 'unack_active', annunciated: false }),
    ]);
  });

  it('keeps the state of an active alarm when it is shelved, and lets the operator acknowledge it', () => {
    const shelved = ok(shelve(active, { user: 'op1', until: HOUR, reason: 'x' }, 2000)).alarm;
    expect(shelved.state).toBe('unack_active');
    const acked = ok(acknowledge(shelved, { user: 'op2' }, 3000));
    expect(acked.alarm).toMatchObject({ state: 'ack_active', ackedBy: 'op2' });
    expect(acked.events).toMatchObject([{ type: 'acknowledged', annunciated: false }]);
  });

  it('auto-unshelves when the shelve time expires and shows the true state', () => {
    const shelved = ok(shelve(alarm(), { user: 'op1', until: HOUR, reason: 'x' }, 0)).alarm;
    const activeWhileShelved = on(shelved, 1000).alarm;
    const { alarm: a, events } = tickAlarm(activeWhileShelved, HOUR + 500);
    expect(a.shelved).toBeNull();
    expect(a.state).toBe('unack_active');
    expect(events).toEqual([
      expect.objectContaining({
        type: 'unshelved',
        at: HOUR,
        user: null,
        from: 'unack_active',
        to: 'unack_active',
      }),
    ]);
  });

  it('returns to normal on unshelve when the condition cleared while shelved', () => {
    const shelved = ok(shelve(active, { user: 'op1', until: HOUR, reason: 'x' }, 2000)).alarm;
    const cleared = off(shelved, 3000).alarm;
    const r = ok(unshelve(cleared, { user: 'op2' }, 4000));
    expect(r.alarm.state).toBe('normal');
    expect(r.events[0]).toMatchObject({ type: 'unshelved', user: 'op2', to: 'normal' });
  });

  it('asks for a new acknowledgement when an acknowledged alarm is unshelved still active', () => {
    const acked = ok(acknowledge(active, { user: 'op1' }, 1500)).alarm;
    const shelved = ok(shelve(acked, { user: 'op1', until: HOUR, reason: 'x' }, 2000)).alarm;
    expect(ok(unshelve(shelved, { user: 'op1' }, 3000)).alarm.state).toBe('unack_active');
  });

  it('refuses to unshelve an alarm that is not shelved', () => {
    const r = unshelve(active, { user: 'op1' }, 2000);
    expect(!r.ok && r.error.code).toBe('not_shelved');
  });

  it('annunciates a delayed activation that matures after the shelve expired', () => {
    const delayed = alarm({ onDelayMs: 10_000 });
    const shelved = ok(shelve(delayed, { user: 'op1', until: 5000, reason: 'x' }, 0)).alarm;
    const { events } = tickAlarm(on(shelved, 1000).alarm, 20_000);
    expect(events.map((e) => [e.type, e.at, e.annunciated])).toEqual([
      ['unshelved', 5000, true],
      ['activated', 11_000, true],
    ]);
  });
});

describe('suppression by design and out of service', () => {
  it('annunciates nothing while the equipment is in maintenance', () => {
    const s = setSuppression(alarm(), true, 0);
    expect(s.events).toEqual([expect.objectContaining({ type: 'suppressed', annunciated: false })]);
    const { alarm: a, events } = on(s.alarm, 1000);
    expect(a.state).toBe('normal');
    expect(events.every((e) => !e.annunciated)).toBe(true);
    const released = setSuppression(a, false, 2000);
    expect(released.alarm.state).toBe('unack_active');
    expect(released.events).toEqual([
      expect.objectContaining({ type: 'unsuppressed', from: 'normal', to: 'unack_active' }),
    ]);
  });

  it('ignores a repeated suppression status', () => {
    const s = setSuppression(alarm(), true, 0).alarm;
    expect(setSuppression(s, true, 10).events).toEqual([]);
  });

  it('removes an alarm from service with a reason and returns it', () => {
    const active = on(alarm(), 1000).alarm;
    const removed = ok(
      setOutOfService(active, { outOfService: true, user: 'eng1', reason: 'instrument removed' }, 2000),
    );
    expect(removed.alarm.outOfService).toEqual({ by: 'eng1', at: 2000, reason: 'instrument removed' });
    expect(removed.alarm.state).toBe('normal');
    expect(removed.events[0]).toMatchObject({
      type: 'removed_from_service',
      user: 'eng1',
      comment: 'instrument removed',
    });
    const back = ok(setOutOfService(removed.alarm, { outOfService: false, user: 'eng1' }, 3000));
    expect(back.alarm.outOfService).toBeNull();
    expect(back.alarm.state).toBe('unack_active');
    expect(back.events[0]).toMatchObject({ type: 'returned_to_service' });
  });

  it('requires a reason to remove an alarm from service', () => {
    const r = setOutOfService(alarm(), { outOfService: true, user: 'eng1', reason: '' }, 0);
    expect(!r.ok && r.error.code).toBe('reason_required');
  });

  it('stays hidden while any silencing mode remains', () => {
    const both = setSuppression(
      ok(shelve(alarm(), { user: 'op1', until: HOUR, reason: 'x' }, 0)).alarm,
      true,
      0,
    ).alarm;
    const active = on(both, 1000).alarm;
    const unshelved = ok(unshelve(active, { user: 'op1' }, 2000));
    expect(unshelved.alarm.state).toBe('normal');
    expect(unshelved.events[0]!.annunciated).toBe(false);
  });
});

describe('comments', () => {
  it('journals an operator comment without changing the state', () => {
    const active = on(alarm(), 1000).alarm;
    const r = ok(comment(active, { user: 'op1', text: 'called maintenance' }, 2000));
    expect(r.alarm).toBe(active);
    expect(r.events[0]).toMatchObject({
      type: 'commented',
      from: 'unack_active',
      to: 'unack_active',
      comment: 'called maintenance',
    });
  });

  it('refuses an empty comment', () => {
    const r = comment(alarm(), { user: 'op1', text: ' ' }, 0);
    expect(!r.ok && r.error.code).toBe('comment_required');
  });
});
