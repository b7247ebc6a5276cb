import { SOP_STEP_SETTLED, type SopLimits, type SopStepStatus } from '@aegis/shared';

/** The rules of a run and of a lock, pure: which step blocks which, readings within limits, safe values. */

export interface StepDef {
  title: string;
  requiresPrevious: boolean;
}

/** The step (1-based) that must be settled before `index` can be taken, or null when it can be taken now. */
export function blockerOf(
  defs: readonly StepDef[],
  statuses: readonly SopStepStatus[],
  index: number,
): { index: number; title: string } | null {
  if (index <= 1 || !defs[index - 1]?.requiresPrevious) return null;
  const prev = statuses[index - 2];
  if (prev !== undefined && SOP_STEP_SETTLED.includes(prev)) return null;
  return { index: index - 1, title: defs[index - 2]?.title ?? '' };
}

/** The first step still open (pending or failed), 1-based; null when every step is settled. */
export function currentIndexOf(statuses: readonly SopStepStatus[]): number | null {
  const i = statuses.findIndex((s) => s === 'pending' || s === 'failed');
  return i < 0 ? null : i + 1;
}

export function withinLimits(value: number, limits: SopLimits | null | undefined): boolean {
  if (!limits) return true;
  if (limits.lo != null && value < limits.lo) return false;
  if (limits.hi != null && value > limits.hi) return false;
  return true;
}

/** The limits in words: "0.2–0.6 MPa", "≤ 60 °C", "≥ 1". */
export function limitsText(limits: SopLimits | null | undefined): string {
  if (!limits) return '';
  const u = limits.unit ? ` ${limits.unit}` : '';
  if (limits.lo != null && limits.hi != null) return `${limits.lo}–${limits.hi}${u}`;
  if (limits.hi != null) return `≤ ${limits.hi}${u}`;
  if (limits.lo != null) return `≥ ${limits.lo}${u}`;
  return '';
}

/**
 * Whether a commanded value is a point's safe value: the same value, or the same number for a
 * boolean and a number (a coil's false is a register's 0).
 */
export function isSafeValue(
  value: number | boolean | string,
  safe: number | boolean | string | null,
): boolean {
  if (safe === null) return false;
  if (value === safe) return true;
  const asNumber = (v: number | boolean | string) =>
    typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'number' ? v : Number.NaN;
  const a = asNumber(value);
  const b = asNumber(safe);
  if (!Number.isNaN(a) && !Number.isNaN(b)) return a === b;
  return typeof value === 'string' && typeof safe === 'string' && value.trim() === safe.trim();
}

/** Lock states → the lockout's state (while locks are being applied, held or taken off). */
export function lockoutStateOf(
  points: readonly { status: 'open' | 'applied' | 'verified' | 'released' }[],
): 'draft' | 'applying' | 'locked' | 'releasing' | 'released' {
  const applied = points.filter((p) => p.status !== 'open').length;
  const released = points.filter((p) => p.status === 'released').length;
  if (applied === 0) return 'draft';
  if (released > 0) return released === applied ? 'released' : 'releasing';
  return points.every((p) => p.status === 'verified') ? 'locked' : 'applying';
}
