import { describe, expect, it } from 'vitest';
import { manualClock } from '../../clock.js';
import { createDiskWatch, type DiskChange, diskNotifyEvent, type Statfs } from './watch.js';

const thresholds = { warnPercent: 15, alarmPercent: 8, refusePercent: 2 };
const GB = 1024 ** 3;
/** A 100 GB disk per path; free space set by the test, in percent. */
function fakeDisks(free: Record<string, number>) {
  const statfs: Statfs = async (path) => {
    const f = free[path];
    if (f === undefined)
      throw Object.assign(new Error(`ENOENT: no such file or directory, statfs '${path}'`), {
        code: 'ENOENT',
      });
    return { bsize: 4096, blocks: (100 * GB) / 4096, bavail: Math.round((f * GB) / 4096) };
  };
  return statfs;
}

function logRecorder() {
  const lines: Array<[string, string]> = [];
  return {
    lines,
    info: (_o: object, m: string) => void lines.push(['info', m]),
    warn: (_o: object, m: string) => void lines.push(['warn', m]),
    error: (_o: object, m: string) => void lines.push(['error', m]),
  };
}

function setup(paths = ['/data']) {
  const free: Record<string, number> = Object.fromEntries(paths.map((p) => [p, 50]));
  const clock = manualClock(new Date('2026-03-02T08:00:00Z'));
  const log = logRecorder();
  const watch = createDiskWatch({ paths, thresholds, clock, statfs: fakeDisks(free), log });
  const changes: DiskChange[] = [];
  watch.onChange((c) => {
    changes.push(c);
  });
  const events = () =>
    changes.flatMap((c) => {
      const e = diskNotifyEvent(c, thresholds, clock.now());
      return e ? [[e.kind, e.priority]] : [];
    });
  return { free, clock, log, watch, changes, events };
}

describe('disk-space watch', () => {
  it('warns, raises an alarm, refuses when full, and tells each level change once', async () => {
    const { free, clock, log, watch, changes, events } = setup();
    await watch.check();
    expect(watch.status().level).toBe('ok');
    expect(changes).toEqual([]);
    for (const f of [14, 13, 7, 6.5, 1.5, 1.2]) {
      free['/data'] = f;
      clock.advance(30_000);
      await watch.check();
    }
    expect(changes.map((c) => [c.from, c.to])).toEqual([
      ['ok', 'warning'],
      ['warning', 'alarm'],
      ['alarm', 'full'],
    ]);
    expect(events()).toEqual([
      ['storage.disk_low', 'high'],
      ['storage.disk_low', 'critical'],
    ]);
    expect(log.lines.map(([lvl]) => lvl)).toEqual(['warn', 'error', 'error']);
    // Words an administrator acts on: the path, free space in GB and percent, and what to do.
    expect(log.lines[2]![1]).toContain('/data has 1.5 GB free of 100.0 GB (1.5 %)');
    expect(log.lines[2]![1]).toContain('REFUSES new values');
    expect(log.lines[2]![1]).toContain('AEGIS_RETENTION_RAW_DAYS');
    const s = watch.status();
    expect(s).toMatchObject({ level: 'full', refusing: true });
    expect(s.paths[0]).toMatchObject({
      path: '/data',
      level: 'full',
      freePercent: 1.2,
      since: '2026-03-02T08:02:30.000Z',
    });
    const refusal = watch.refusal();
    expect(refusal?.status).toBe(507);
    expect(refusal?.message).toContain('/data has 1.2 GB free');
  });

  it('tells the recovery once (disk_ok), and accepts values again', async () => {
    const { free, watch, changes, events } = setup();
    free['/data'] = 1;
    await watch.check();
    expect(watch.refusal()).not.toBeNull();
    // Old partitions dropped: space comes back in steps, hovering around the refuse threshold first.
    for (const f of [2.5, 1.9, 2.6, 40]) {
      free['/data'] = f;
      await watch.check();
    }
    expect(changes.map((c) => [c.from, c.to])).toEqual([
      [null, 'full'],
      ['full', 'ok'],
    ]);
    expect(events()).toEqual([
      ['storage.disk_low', 'critical'],
      ['storage.disk_ok', null],
    ]);
    expect(watch.refusal()).toBeNull();
  });

  it('says nothing at a start on a healthy disk, and raises the alarm at a start on a low one', async () => {
    const healthy = setup();
    await healthy.watch.check();
    expect(healthy.changes).toEqual([]);
    const low = setup();
    low.free['/data'] = 5;
    await low.watch.check();
    expect(low.events()).toEqual([['storage.disk_low', 'high']]);
  });

  it('watches further paths: the worst decides, a path that cannot be measured is shown, not refused', async () => {
    const { free, watch, log } = setup(['/data', '/var/lib/postgresql']);
    free['/var/lib/postgresql'] = 1;
    await watch.check();
    expect(watch.status().level).toBe('full');
    expect(watch.refusal()?.message).toContain('/var/lib/postgresql');
    delete free['/var/lib/postgresql'];
    free['/data'] = 30;
    await watch.check();
    // The last level stands while the disk cannot be measured: a full disk stays refused.
    const pg = watch.status().paths[1]!;
    expect(pg).toMatchObject({ level: 'full', error: expect.stringContaining('ENOENT') });
    await watch.check();
    expect(log.lines.filter(([, m]) => m.includes('cannot measure'))).toHaveLength(1);

    const fresh = setup(['/data', '/missing']);
    delete fresh.free['/missing'];
    await fresh.watch.check();
    expect(fresh.watch.status()).toMatchObject({ level: 'ok', refusing: false });
    expect(fresh.watch.status().paths[1]).toMatchObject({
      level: null,
      error: expect.stringContaining('ENOENT'),
    });
  });

  it('measures once when a check is already running', async () => {
    let calls = 0;
    const base = fakeDisks({ '/data': 50 });
    const watch = createDiskWatch({
      paths: ['/data'],
      thresholds,
      clock: manualClock(),
      statfs: (p) => {
        calls++;
        return base(p);
      },
    });
    await Promise.all([watch.check(), watch.check()]);
    expect(calls).toBe(1);
  });
});
