import { addDays } from './shift-time.js';

// 倒班 rotation: which team works which shift on each day of a range. Pure.

export type Rotation =
  /**
   * Teams take the shifts in turn: on day d (counted from the first day) team i works shift
   * number (⌊d / blockDays⌋ + i) mod teams, and rests when that number is past the last shift.
   * Four teams on day/night shifts with blockDays 1 give 白-夜-休-休 (四班二运转); four teams on
   * three 8-hour shifts with blockDays 2 give 早早中中夜夜休休 (四班三倒).
   */
  | { pattern: 'rotate'; teamIds: number[]; blockDays: number }
  /** An explicit cycle: cycle[j][k] is the team on shift k on day j of the cycle (null: nobody). */
  | { pattern: 'cycle'; cycle: (number | null)[][] };

export function rotationEntries(
  input: { from: string; days: number; shiftIds: number[] } & Rotation,
): { day: string; shiftId: number; teamId: number }[] {
  const out: { day: string; shiftId: number; teamId: number }[] = [];
  for (let d = 0; d < input.days; d++) {
    const day = addDays(input.from, d);
    input.shiftIds.forEach((shiftId, k) => {
      let teamId: number | null | undefined;
      if (input.pattern === 'rotate') {
        const n = input.teamIds.length;
        const block = Math.floor(d / input.blockDays);
        teamId = input.teamIds[(((k - block) % n) + n) % n];
      } else {
        teamId = input.cycle[d % input.cycle.length]?.[k];
      }
      if (teamId !== null && teamId !== undefined) out.push({ day, shiftId, teamId });
    });
  }
  return out;
}
