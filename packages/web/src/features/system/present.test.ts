import type { DiskStatus } from '@aegis/shared';
import { describe, expect, it } from 'vitest';
import enUS from './locales/en-US.json';
import zhCN from './locales/zh-CN.json';
import { diskBanner } from './present';

const GB = 1024 ** 3;
const status = (level: DiskStatus['level'], freePercent: number): DiskStatus => ({
  level,
  refusing: level === 'full',
  thresholds: { warnPercent: 15, alarmPercent: 8, refusePercent: 2 },
  paths: [
    {
      path: '/var/lib/aegis',
      level,
      freeBytes: (freePercent / 100) * 200 * GB,
      totalBytes: 200 * GB,
      freePercent,
      since: null,
      checkedAt: null,
      error: null,
    },
    {
      path: '/mnt/pg',
      level: 'ok',
      freeBytes: 100 * GB,
      totalBytes: 200 * GB,
      freePercent: 50,
      since: null,
      checkedAt: null,
      error: null,
    },
  ],
});

describe('disk-space banner', () => {
  it('shows nothing while every disk is ok', () => {
    expect(diskBanner(status('ok', 40))).toBeNull();
    expect(diskBanner(undefined)).toBeNull();
  });

  it('warns at warning, turns red at alarm and full, and names only the low disks with GB and percent', () => {
    expect(diskBanner(status('warning', 12))).toMatchObject({
      type: 'warning',
      titleKey: 'system.disk.title.warning',
    });
    const full = diskBanner(status('full', 1.5))!;
    expect(full.type).toBe('error');
    expect(full.paths).toEqual([
      { path: '/var/lib/aegis', freeGb: '3.0', percent: '1.5', levelKey: 'system.disk.level.full' },
    ]);
    expect(zhCN.system.disk.title.warning).toBe('磁盘空间不足');
    expect(Object.keys(enUS.system.disk.title)).toEqual(Object.keys(zhCN.system.disk.title));
  });
});
