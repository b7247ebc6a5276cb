import type { DiskLevel } from '@aegis/shared';

export interface DiskThresholds {
  /** Free space (percent of the disk) below which Aegis warns. */
  warnPercent: number;
  /** … raises an alarm (a notification to the administrators). */
  alarmPercent: number;
  /** … refuses new values, so the database never runs out of space mid-write. */
  refusePercent: number;
}

/**
 * A level is left for a better one only once free space is this many percentage points above
 * the level's threshold, so a disk hovering around a threshold does not flap (and notify) every
 * few seconds.
 */
export const HYSTERESIS_POINTS = 1;

const ORDER: DiskLevel[] = ['ok', 'warning', 'alarm', 'full'];
export const severity = (l: DiskLevel) => ORDER.indexOf(l);
export const worst = (levels: DiskLevel[]): DiskLevel =>
  levels.reduce<DiskLevel>((w, l) => (severity(l) > severity(w) ? l : w), 'ok');

/** The threshold below which `level` is entered (and above which, plus the hysteresis, it is left). */
export function thresholdOf(level: DiskLevel, t: DiskThresholds): number {
  switch (level) {
    case 'full':
      return t.refusePercent;
    case 'alarm':
      return t.alarmPercent;
    case 'warning':
      return t.warnPercent;
    default:
      return 100;
  }
}

/** The level free space alone says, without hysteresis. */
export function rawLevel(freePercent: number, t: DiskThresholds): DiskLevel {
  if (freePercent < t.refusePercent) return 'full';
  if (freePercent < t.alarmPercent) return 'alarm';
  if (freePercent < t.warnPercent) return 'warning';
  return 'ok';
}

/**
 * The next level from the current one: worse at once when free space falls below a threshold,
 * better only step by step as free space rises HYSTERESIS_POINTS above each threshold.
 */
export function nextLevel(current: DiskLevel | null, freePercent: number, t: DiskThresholds): DiskLevel {
  const raw = rawLevel(freePercent, t);
  if (current === null || severity(raw) >= severity(current)) return raw;
  let level = current;
  while (level !== 'ok' && freePercent >= thresholdOf(level, t) + HYSTERESIS_POINTS) {
    level = ORDER[severity(level) - 1]!;
  }
  return level;
}
