/**
 * Historian compression of one tag's numeric values, as in OSIsoft PI: an exception test
 * (the storage deadband) followed by swinging-door trending (SDT). Pure and allocation-free
 * per point: the caller offers points in time order with a reference of its own (`ref`) and
 * gets back, pushed onto `out`, the references to archive now, oldest first.
 *
 * Swinging door: after archiving point A the newest offered point is held, not archived. The
 * "door" is the range of slopes of lines from A that pass within the deviation E of every
 * offered point since A (two door lines pivoting at A.v + E and A.v − E). A new point P keeps
 * the door open when the line from A to P lies inside the door of the points before it; then
 * P becomes the held point. Otherwise the held point is archived, becomes the new A, and P is
 * held. So linear interpolation between archived points is within E of every offered point.
 * (Textbook SDT only asks whether *some* line fits and archives the held point at the door's
 * edge, which can miss an intermediate point by up to 2E; checking the line actually stored
 * costs nothing and keeps the promise exact, at the price of a few more points.)
 *
 * Exception test (deadband d > 0): a value within d of the last value passed on to the door
 * is held back; when the next value passes, the held-back one is passed on first (PI does the
 * same), so a step keeps its corner. Every raw value is then within E + 2d of the stored
 * trend (without a deadband: within E).
 *
 * Heartbeat (ms, 0 = none): when a point arrives at least this long after A, the held point
 * is archived (and the point itself when A is still that old), so a flat value is stored at
 * least once per heartbeat while values keep coming.
 */
export interface SwingingDoorSettings {
  /** E: the deviation the stored trend may have from any offered value (engineering units). */
  deviation: number;
  /** d: the exception deadband; 0 passes every value to the door. */
  deadband: number;
  /** Longest gap between archived points while values arrive; 0 = no limit. */
  heartbeatMs: number;
}

export type SwingingDoor<R> = ReturnType<typeof createSwingingDoor<R>>;

export function createSwingingDoor<R>(settings: SwingingDoorSettings) {
  const { deviation: e, deadband: d, heartbeatMs: hb } = settings;
  if (!(e >= 0) || !(d >= 0) || !(hb >= 0)) throw new RangeError('swinging door: settings must be >= 0');

  // A: the last archived point (anchored = there is one).
  let anchored = false;
  let aTs = 0;
  let aV = 0;
  // The held point: offered to the door, not archived yet.
  let held: R | null = null;
  let hTs = 0;
  let hV = 0;
  // The door: slopes from A within E of every offered point strictly between A and the held point.
  let lo = Number.NEGATIVE_INFINITY;
  let hi = Number.POSITIVE_INFINITY;
  // The exception stage: the last value passed on, and the newest value held back since.
  let excTs = 0;
  let excV = 0;
  let passedAny = false;
  let backRef: R | null = null;
  let backTs = 0;
  let backV = 0;

  function archive(ts: number, v: number, ref: R, out: R[]) {
    out.push(ref);
    anchored = true;
    aTs = ts;
    aV = v;
    lo = Number.NEGATIVE_INFINITY;
    hi = Number.POSITIVE_INFINITY;
  }

  function archiveHeld(out: R[]) {
    if (held === null) return;
    const ref = held;
    held = null;
    archive(hTs, hV, ref, out);
  }

  /** The door stage. */
  function door(ts: number, v: number, ref: R, out: R[]) {
    if (!anchored) {
      archive(ts, v, ref, out);
      return;
    }
    if (held !== null && hb > 0 && ts - aTs >= hb) archiveHeld(out);
    if (held !== null) {
      // The held point becomes an intermediate point: narrow the door by it, then see whether
      // the line from A to the new point still fits through.
      const dtH = hTs - aTs;
      const nlo = Math.max(lo, (hV - aV - e) / dtH);
      const nhi = Math.min(hi, (hV - aV + e) / dtH);
      const s = (v - aV) / (ts - aTs);
      if (s >= nlo && s <= nhi) {
        lo = nlo;
        hi = nhi;
      } else {
        archiveHeld(out);
      }
    }
    if (hb > 0 && ts - aTs >= hb) {
      held = null;
      archive(ts, v, ref, out);
      return;
    }
    held = ref;
    hTs = ts;
    hV = v;
  }

  return {
    /**
     * Offers the next value (time after every value offered before; the caller stores others
     * as they come). Pushes onto `out` what is to be archived now, oldest first (at most three).
     */
    offer(ts: number, v: number, ref: R, out: R[]) {
      if (d > 0 && passedAny && Math.abs(v - excV) < d && !(hb > 0 && ts - aTs >= hb)) {
        backRef = ref;
        backTs = ts;
        backV = v;
        return;
      }
      if (backRef !== null) {
        const b = backRef;
        backRef = null;
        door(backTs, backV, b, out);
      }
      passedAny = true;
      excTs = ts;
      excV = v;
      door(ts, v, ref, out);
    },

    /** Archives what is held (a held-back value goes through the door first): the trend ends at the last value. */
    flush(out: R[]) {
      if (backRef !== null) {
        const b = backRef;
        backRef = null;
        excTs = backTs;
        excV = backV;
        door(backTs, backV, b, out);
      }
      archiveHeld(out);
    },

    /** What is offered and not archived (the held point, then a held-back value), oldest first. */
    unarchived(out: R[]) {
      if (held !== null) out.push(held);
      if (backRef !== null) out.push(backRef);
    },

    /** The held point, if any (what a trend would lose if the process died now). */
    held: (): R | null => held,

    /** The time of the newest value offered (archived or not); -Infinity before the first. */
    lastTs(): number {
      if (backRef !== null) return backTs;
      if (held !== null) return hTs;
      return anchored ? Math.max(aTs, excTs) : Number.NEGATIVE_INFINITY;
    },

    /** Forgets everything: the next value is archived as a first one. Unarchived references are dropped. */
    reset() {
      anchored = false;
      held = null;
      backRef = null;
      passedAny = false;
      lo = Number.NEGATIVE_INFINITY;
      hi = Number.POSITIVE_INFINITY;
    },

    settings,
  };
}
