import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config.js';

describe('disk-space settings', () => {
  it('refuses thresholds out of order (warn > alarm > refuse), naming the variables', () => {
    const load = (env: Record<string, string>) => () => loadConfig({ env });
    expect(load({ AEGIS_DISK_WARN_PERCENT: '5' })).toThrow(ConfigError);
    expect(load({ AEGIS_DISK_WARN_PERCENT: '5' })).toThrow(
      /AEGIS_DISK_WARN_PERCENT 5, AEGIS_DISK_ALARM_PERCENT 8/,
    );
    expect(load({ AEGIS_DISK_REFUSE_PERCENT: '8' })).toThrow(/warn > alarm > refuse/);
    expect(
      loadConfig({ env: { AEGIS_DISK_WARN_PERCENT: '20', AEGIS_DISK_ALARM_PERCENT: '10' } }),
    ).toMatchObject({
      diskWarnPercent: 20,
      diskAlarmPercent: 10,
      diskRefusePercent: 2,
    });
  });

  it('takes further watched paths as a comma-separated list, resolved to absolute paths', () => {
    const c = loadConfig({ env: { AEGIS_DISK_WATCH_PATHS: '/var/lib/postgresql, ./evidence ,' } });
    expect(c.diskWatchPaths).toEqual(['/var/lib/postgresql', `${process.cwd()}/evidence`]);
    expect(loadConfig({ env: {} }).diskCheckSeconds).toBe(30);
  });
});
