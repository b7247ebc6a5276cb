import { describe, expect, it } from 'vitest';
import { evaluate } from './evaluate.js';
import { occurrences, windowOf } from './schedule.js';
import { distanceM, signToken, verifyToken } from './token.js';

const iso = (ds: Date[]) => ds.map((d) => d.toISOString());
const SH = 'Asia/Shanghai';

describe('occurrences of a plan (pure)', () => {
  it('falls daily at 08:00 plant time (Asia/Shanghai, UTC+8)', () => {
    const list = occurrences(
      { kind: 'daily', times: ['08:00'] },
      [],
      new Date('2026-03-01T00:00:00Z'),
      new Date('2026-03-04T00:00:00Z'),
      SH,
    );
    expect(iso(list)).toEqual([
      '2026-03-01T00:00:00.000Z',
      '2026-03-02T00:00:00.000Z',
      '2026-03-03T00:00:00.000Z',
    ]);
  });

  it('includes an occurrence exactly at "from" and excludes one at "to"', () => {
    const list = occurrences(
      { kind: 'daily', times: ['08:00', '20:00'] },
      [],
      new Date('2026-03-02T00:00:00Z'),
      new Date('2026-03-03T00:00:00Z'),
      SH,
    );
    expect(iso(list)).toEqual(['2026-03-02T00:00:00.000Z', '2026-03-02T12:00:00.000Z']);
  });

  it('falls weekly on the given ISO weekdays (7 = Sunday)', () => {
    // 2026-03-02 is a Monday
    const list = occurrences(
      { kind: 'weekly', days: [1, 7], times: ['09:30'] },
      [],
      new Date('2026-03-01T00:00:00Z'),
      new Date('2026-03-16T00:00:00Z'),
      SH,
    );
    expect(iso(list)).toEqual([
      '2026-03-01T01:30:00.000Z',
      '2026-03-02T01:30:00.000Z',
      '2026-03-08T01:30:00.000Z',
      '2026-03-09T01:30:00.000Z',
      '2026-03-15T01:30:00.000Z',
    ]);
  });

  it('falls at the start of every shift, or of the chosen ones', () => {
    const shifts = [
      { id: 1, startTime: '08:00' },
      { id: 2, startTime: '20:00' },
    ];
    const from = new Date('2026-03-02T00:00:00Z');
    const to = new Date('2026-03-03T00:00:00Z');
    expect(iso(occurrences({ kind: 'shift', shiftIds: [] }, shifts, from, to, SH))).toEqual([
      '2026-03-02T00:00:00.000Z',
      '2026-03-02T12:00:00.000Z',
    ]);
    expect(iso(occurrences({ kind: 'shift', shiftIds: [2] }, shifts, from, to, SH))).toEqual([
      '2026-03-02T12:00:00.000Z',
    ]);
  });

  it('takes a cron expression in the plant time zone', () => {
    const list = occurrences(
      { kind: 'cron', expression: '0 */6 * * *' },
      [],
      new Date('2026-03-02T00:00:00Z'),
      new Date('2026-03-02T12:00:01Z'),
      SH,
    );
    // 12:00 and 18:00 Shanghai (00:00 and 06:00 Shanghai are 16:00Z and 22:00Z of the day before)
    expect(iso(list)).toEqual(['2026-03-02T04:00:00.000Z', '2026-03-02T10:00:00.000Z']);
  });

  it('keeps the wall-clock time across a daylight-saving change (Europe/Berlin) and skips a time that does not happen', () => {
    // Berlin moves 02:00 → 03:00 on 2026-03-29
    const at8 = occurrences(
      { kind: 'daily', times: ['08:00'] },
      [],
      new Date('2026-03-28T00:00:00Z'),
      new Date('2026-03-31T00:00:00Z'),
      'Europe/Berlin',
    );
    expect(iso(at8)).toEqual([
      '2026-03-28T07:00:00.000Z',
      '2026-03-29T06:00:00.000Z',
      '2026-03-30T06:00:00.000Z',
    ]);
    const at0230 = occurrences(
      { kind: 'daily', times: ['02:30'] },
      [],
      new Date('2026-03-28T00:00:00Z'),
      new Date('2026-03-31T00:00:00Z'),
      'Europe/Berlin',
    );
    expect(at0230.map((d) => d.toISOString().slice(0, 10))).not.toContain('2026-03-29T00:30');
    expect(at0230.length).toBeGreaterThanOrEqual(2);
    expect(new Set(iso(at0230)).size).toBe(at0230.length);
  });

  it('computes the window: opens, due, missed and the reminder', () => {
    const w = windowOf(new Date('2026-03-02T00:00:00Z'), {
      startOffsetMin: -15,
      dueAfterMin: 120,
      graceMin: 60,
      remindBeforeMin: 30,
    });
    expect(w.opensAt.toISOString()).toBe('2026-03-01T23:45:00.000Z');
    expect(w.dueAt.toISOString()).toBe('2026-03-02T02:00:00.000Z');
    expect(w.missedAt.toISOString()).toBe('2026-03-02T03:00:00.000Z');
    expect(w.remindAt?.toISOString()).toBe('2026-03-02T01:30:00.000Z');
  });
});

describe('checkpoint QR tokens', () => {
  const key = Buffer.alloc(32, 7);
  it('verifies a token it signed and names the checkpoint and version', () => {
    const t = signToken(key, 12, 3);
    expect(t).toMatch(/^AEGIS-CP1\.12\.3\.[A-Za-z0-9_-]{43}$/);
    expect(verifyToken(key, t)).toEqual({ ok: true, checkpointId: 12, version: 3 });
  });
  it('refuses a token whose checkpoint id was changed, one signed with another key, and garbage', () => {
    const t = signToken(key, 12, 3);
    expect(verifyToken(key, t.replace('.12.', '.13.'))).toMatchObject({ ok: false, reason: 'forged' });
    expect(verifyToken(Buffer.alloc(32, 8), t)).toMatchObject({ ok: false, reason: 'forged' });
    expect(verifyToken(key, 'https://example.com')).toMatchObject({ ok: false, reason: 'malformed' });
  });
  it('measures distances in metres', () => {
    const d = distanceM({ lat: 31.2304, lng: 121.4737 }, { lat: 31.2313, lng: 121.4737 });
    expect(Math.round(d)).toBe(100);
  });
});

describe('checking an answer against its item', () => {
  const numeric = {
    key: 'p',
    label: '出口压力',
    hint: '',
    required: true,
    tagId: null,
    tolerance: null,
    kind: 'numeric' as const,
    unit: 'MPa',
    low: 0.2,
    high: 1.6,
    lowLow: null,
    highHigh: 2.5,
    decimals: null,
  };
  it('flags a reading outside its limits with words and units', () => {
    const r = evaluate(numeric, { value: 1.9, note: '', photoIds: [] });
    expect(r.error).toBeNull();
    expect(r.result).toMatchObject({ abnormal: true, abnormalReason: '出口压力 1.9 MPa 高于上限 1.6 MPa' });
    expect(evaluate(numeric, { value: '1.0', note: '', photoIds: [] }).result).toMatchObject({
      value: 1,
      abnormal: false,
    });
  });
  it('refuses a missing required answer and a wrong kind of value', () => {
    expect(evaluate(numeric, undefined).error).toContain('需要填写读数');
    expect(evaluate(numeric, { value: 'abc', note: '', photoIds: [] }).error).toContain('不是数字');
    const choice = {
      key: 'c',
      label: '油位',
      hint: '',
      required: true,
      tagId: null,
      tolerance: null,
      kind: 'choice' as const,
      options: ['正常', '偏低'],
      abnormal: ['偏低'],
    };
    expect(evaluate(choice, { value: '偏低', note: '', photoIds: [] }).result.abnormal).toBe(true);
    expect(evaluate(choice, { value: '没有', note: '', photoIds: [] }).error).toContain('没有选项');
  });
});
