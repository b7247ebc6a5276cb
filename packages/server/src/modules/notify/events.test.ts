import type { AlarmEvent } from '@aegis/shared';
import { describe, expect, it } from 'vitest';
import { alarmNotifyEvents, floodNotifyEvents } from './events.js';

const base: AlarmEvent = {
  type: 'activated',
  key: '12:HH',
  ruleId: '12',
  tag: 'PT-101',
  from: 'normal',
  to: 'unack_active',
  at: 1,
  user: null,
  comment: null,
  value: 95.5,
  priority: 'critical',
  message: 'PT-101 HH',
  annunciated: true,
};
const text = {
  kind: 'limit' as const,
  condition: 'HH',
  equipment: { zh: '反应釜 R-101', en: 'Reactor R-101' },
  tag: { zh: '压力', en: 'pressure' },
  unit: 'bar',
  limit: 90,
  comparison: '>',
};
const now = new Date('2026-03-02T08:00:00Z');
const of = (over: Partial<AlarmEvent>, active = true) =>
  alarmNotifyEvents(
    [{ event: { ...base, ...over, text: text as never }, place: { path: '/1/2/' }, alarm: { active } }],
    now,
  );

describe('alarm events in the catalogue', () => {
  it('words a raised alarm for people in both languages, with a link to it', () => {
    const [e] = of({});
    expect(e).toMatchObject({
      kind: 'alarm.raised',
      subject: '12:HH',
      priority: 'critical',
      path: '/1/2/',
      at: now,
    });
    expect(e!.payload.title.zh).toContain('反应釜 R-101');
    expect(e!.payload.title.en).toContain('Reactor R-101');
    expect(e!.payload.link).toBe('/alarms?key=12%3AHH');
  });

  it('maps each transition to its kind, and leaves out what nobody needs to hear', () => {
    expect(of({ type: 'cleared', to: 'rtn_unack' })[0]?.kind).toBe('alarm.returned');
    expect(of({ type: 'cleared', to: 'normal' })[0]?.kind).toBe('alarm.cleared');
    expect(of({ type: 'acknowledged', to: 'ack_active' })[0]?.kind).toBe('alarm.acknowledged');
    expect(of({ type: 'shelved' })[0]?.kind).toBe('alarm.shelved');
    expect(of({ type: 'removed_from_service' })[0]?.kind).toBe('alarm.shelved');
    expect(of({ type: 'unshelved', user: null })[0]?.kind).toBe('alarm.shelve_expired');
    // Unshelved by a person, or expired on an alarm no longer active: nothing to tell.
    expect(of({ type: 'unshelved', user: 'zhang' })).toEqual([]);
    expect(of({ type: 'unshelved', user: null }, false)).toEqual([]);
    // A shelved or suppressed alarm is not annunciated, and not notified either.
    expect(of({ annunciated: false })).toEqual([]);
    expect(of({ type: 'commented' })).toEqual([]);
  });

  it('turns an area flood into one event that its end clears', () => {
    const flood = { area: '4', at: 1, count: 12, total: 12, windowMs: 600_000, path: '/1/4/' };
    const words = () => ({ zh: '冲压车间', en: 'Stamping' });
    const [start] = floodNotifyEvents([{ ...flood, type: 'flood_start' }], words, now);
    const [end] = floodNotifyEvents([{ ...flood, type: 'flood_end', total: 40 }], words, now);
    expect(start).toMatchObject({ kind: 'alarm.flood', subject: 'flood:4' });
    expect(start!.payload.title.zh).toBe('冲压车间：10 分钟内 12 条报警');
    expect(end).toMatchObject({ kind: 'alarm.cleared', subject: 'flood:4' });
  });
});
