import { describe, expect, it } from 'vitest';
import { connectorLinkNotices } from './connector-links.js';
import type { EventInput } from './repo.js';

describe('connector link notices', () => {
  it('tells a lost connection with its error, and its return, but not the first connect after a start', async () => {
    const published: EventInput[] = [];
    const health = [{ id: 7, code: 'plc-7', health: { lastError: 'connect ECONNREFUSED 10.0.0.7:502' } }];
    const notice = connectorLinkNotices({
      health: () => health,
      publish: async (e) => {
        published.push(e);
      },
      now: () => new Date('2026-03-02T08:00:00Z'),
      onError: (e) => {
        throw e;
      },
    });
    notice('plc-7', true);
    expect(published).toEqual([]);
    notice('plc-7', false);
    notice('plc-7', false);
    notice('plc-7', true);
    notice('plc-7', true);
    expect(published.map((e) => [e.kind, e.subject, e.priority])).toEqual([
      ['connector.down', 'connector:7', 'high'],
      ['connector.up', 'connector:7', null],
    ]);
    expect(published[0]!.payload.title.zh).toContain('ECONNREFUSED');
  });
});
