import { describe, expect, it } from 'vitest';
import { sampleEvent, sampleMessage } from './channels/testing.js';
import { createRateGate, mergeMessages } from './limits.js';

describe('rate gate', () => {
  it('allows 20 messages in any minute, not 21, and frees a place when the oldest leaves the window', () => {
    const gate = createRateGate({ perMinute: 20, perSecond: null });
    const t0 = 1_000_000;
    for (let i = 0; i < 20; i++) expect(gate.take(t0 + i * 1000)).toBe(true);
    expect(gate.take(t0 + 30_000)).toBe(false);
    expect(gate.available(t0 + 59_999)).toBe(0);
    expect(gate.nextAt(t0 + 30_000)).toBe(t0 + 60_000);
    expect(gate.take(t0 + 60_000)).toBe(true);
    expect(gate.take(t0 + 60_000)).toBe(false);
    expect(gate.take(t0 + 61_000)).toBe(true);
  });

  it('holds Feishu to 5 a second and 100 a minute at once', () => {
    const gate = createRateGate({ perMinute: 100, perSecond: 5 });
    let sent = 0;
    // 10 attempts a second for a minute.
    for (let t = 0; t < 60_000; t += 100) if (gate.take(t)) sent++;
    expect(sent).toBe(100);
    const burst = createRateGate({ perMinute: 100, perSecond: 5 });
    const at = new Date(5000);
    expect([1, 2, 3, 4, 5, 6].map(() => burst.take(at))).toEqual([true, true, true, true, true, false]);
    expect(burst.nextAt(at)).toBe(6000);
  });

  it('never limits a channel without limits', () => {
    const gate = createRateGate({ perMinute: null, perSecond: null });
    for (let i = 0; i < 1000; i++) expect(gate.take(0)).toBe(true);
    expect(gate.available(0)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('merging messages over a limit', () => {
  const low = sampleMessage({
    events: [sampleEvent({ id: 2, priority: 'low', title: { zh: '低', en: 'low' }, alarmText: null })],
    key: 'd-2',
  });
  const crit = sampleMessage({ key: 'd-1' });
  const group = sampleMessage({
    events: [sampleEvent({ id: 3 }), sampleEvent({ id: 4 }), sampleEvent({ id: 5 })],
    key: 'd-3',
  });

  it('keeps every message, the most urgent first, and sums the counts', () => {
    const m = mergeMessages([low, crit, group], 'zh-CN');
    expect(m.count).toBe(5);
    expect(m.priority).toBe('critical');
    expect(m.subject.startsWith(crit.subject)).toBe(true);
    expect(m.subject).toContain('合并 3 条通知');
    for (const part of [low, crit, group]) {
      expect(m.text).toContain(part.text);
      expect(m.markdown).toContain(part.markdown);
    }
    expect(m.events).toHaveLength(5);
    expect(m.link).toBe(crit.link);
  });

  it('derives one idempotency key from the parts, whatever their order', () => {
    const a = mergeMessages([low, crit], 'en-US');
    const b = mergeMessages([crit, low], 'en-US');
    expect(a.idempotencyKey).toBe(b.idempotencyKey);
    expect(a.idempotencyKey).not.toBe(mergeMessages([low, group], 'en-US').idempotencyKey);
    expect(a.subject).toContain('+1 merged notifications');
  });

  it('names the messages beyond the first five and counts the rest, so a flood stays one readable message', () => {
    const many = Array.from({ length: 30 }, (_, i) => sampleMessage({ key: `d-${i}` }));
    const m = mergeMessages(many, 'en-US');
    expect(m.count).toBe(30);
    expect(m.text).toContain('- 10 more');
    expect(m.html.match(/<hr>/g)?.length).toBeGreaterThanOrEqual(4);
  });
});
