import { describe, expect, it } from 'vitest';
import { coerce, INVALID, parseTimestamp, sameValue } from '../values.js';
import { compilePath, isValidFilter, TopicIndex, valueAt } from './topics.js';

describe('TopicIndex', () => {
  const index = new TopicIndex<string>();
  index.add('plant/line1/pump1/status', 'exact');
  index.add('plant/+/pump1/status', 'plus');
  index.add('plant/#', 'hash');
  index.add('#', 'all');
  index.add('+/+', 'two-levels');

  const match = (topic: string) => [...index.match(topic)].sort();

  it('matches exact, single-level and multi-level wildcards', () => {
    expect(match('plant/line1/pump1/status')).toEqual(['all', 'exact', 'hash', 'plus']);
    expect(match('plant/line2/pump1/status')).toEqual(['all', 'hash', 'plus']);
    expect(match('plant/line2/pump2/status')).toEqual(['all', 'hash']);
  });

  it('lets # match its parent level and + match an empty level', () => {
    expect(match('plant')).toEqual(['all', 'hash']);
    expect(match('plant/x')).toEqual(['all', 'hash', 'two-levels']);
    expect(match('a/')).toEqual(['all', 'two-levels']);
  });

  it('keeps wildcards at the first level away from $ topics', () => {
    expect(match('$SYS/broker/uptime')).toEqual([]);
  });

  it('answers repeated topics from its cache, and a new filter clears it', () => {
    const i = new TopicIndex<number>();
    i.add('a/+', 1);
    expect(i.match('a/b')).toEqual([1]);
    i.add('a/b', 2);
    expect([...i.match('a/b')].sort()).toEqual([1, 2]);
  });

  it('validates filters', () => {
    expect(isValidFilter('a/+/b/#')).toBe(true);
    expect(isValidFilter('a/#/b')).toBe(false);
    expect(isValidFilter('a/b+')).toBe(false);
    expect(isValidFilter('')).toBe(false);
  });
});

describe('JSON paths', () => {
  const doc = { values: { vibration: 4.2, list: [10, 20] }, ts: 5 };
  it('reads dotted paths, array indexes and the whole payload', () => {
    expect(valueAt(doc, compilePath('values.vibration'))).toBe(4.2);
    expect(valueAt(doc, compilePath('$.values.list.1'))).toBe(20);
    expect(valueAt(doc, compilePath('$'))).toBe(doc);
    expect(valueAt(doc, compilePath('values.missing.deeper'))).toBeUndefined();
    expect(valueAt(7, compilePath('a'))).toBeUndefined();
  });
});

describe('values', () => {
  it('coerces raw values by tag type', () => {
    expect(coerce('number', ' 12.5 ')).toBe(12.5);
    expect(coerce('number', 'abc')).toBe(INVALID);
    expect(coerce('number', true)).toBe(INVALID);
    expect(coerce('number', Number.NaN)).toBe(INVALID);
    expect(coerce('boolean', 1)).toBe(true);
    expect(coerce('boolean', 'false')).toBe(false);
    expect(coerce('boolean', 2)).toBe(INVALID);
    expect(coerce('state', 'RUN')).toBe('RUN');
    expect(coerce('state', 2)).toBe(2);
    expect(coerce('state', {})).toBe(INVALID);
    expect(coerce('string', 3)).toBe('3');
    expect(coerce('number', { toNumber: () => 42 })).toBe(42);
  });

  it('parses source timestamps as epoch ms or ISO text', () => {
    expect(parseTimestamp(1767600000000)).toBe(1767600000000);
    expect(parseTimestamp('1767600000000')).toBe(1767600000000);
    expect(parseTimestamp('2026-01-05T08:00:00Z')).toBe(Date.parse('2026-01-05T08:00:00Z'));
    expect(parseTimestamp('yesterday')).toBe(INVALID);
    expect(parseTimestamp(undefined)).toBe(INVALID);
  });

  it('compares read-back values with float tolerance', () => {
    expect(sameValue(0.1, 0.10000000149011612)).toBe(true);
    expect(sameValue(1, 1.01)).toBe(false);
    expect(sameValue(true, true)).toBe(true);
    expect(sameValue('RUN', 'IDLE')).toBe(false);
  });
});
