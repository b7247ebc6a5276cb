import type { PermitState } from '@aegis/shared';

/** The counts of every area of the board added up, per state. */
export function boardTotals(areas: { counts: Partial<Record<PermitState, number>> }[]) {
  const out: Partial<Record<PermitState, number>> = {};
  for (const a of areas)
    for (const [s, n] of Object.entries(a.counts) as [PermitState, number][]) out[s] = (out[s] ?? 0) + n;
  return out;
}

/** Hours between two instants, rounded to a tenth (the validity shown beside the rule's maximum). */
export function hoursBetween(from: string | Date, to: string | Date): number {
  const ms = new Date(to).getTime() - new Date(from).getTime();
  return Math.round(ms / 360_000) / 10;
}
