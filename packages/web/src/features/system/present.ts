import type { DiskPathStatus, DiskStatus } from '@aegis/shared';

const GB = 1024 ** 3;

/** The banner for a disk status: null when every watched disk is ok (or not yet measured). */
export function diskBanner(s: DiskStatus | undefined): {
  type: 'warning' | 'error';
  titleKey: string;
  paths: Array<{ path: string; freeGb: string; percent: string; levelKey: string }>;
} | null {
  if (!s || s.level === 'ok') return null;
  const low = s.paths.filter(
    (p): p is DiskPathStatus & { level: 'warning' | 'alarm' | 'full' } =>
      p.level !== null && p.level !== 'ok',
  );
  return {
    type: s.level === 'warning' ? 'warning' : 'error',
    titleKey: `system.disk.title.${s.level}`,
    paths: low.map((p) => ({
      path: p.path,
      freeGb: ((p.freeBytes ?? 0) / GB).toFixed(1),
      percent: (p.freePercent ?? 0).toFixed(1),
      levelKey: `system.disk.level.${p.level}`,
    })),
  };
}
