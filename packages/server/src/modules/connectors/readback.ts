import type { PointValue } from '../ingest/types.js';
import { sameValue } from './values.js';

interface Waiter {
  value: PointValue;
  done(confirmed: boolean): void;
}

/**
 * Write confirmation by read-back: a write waits until the tag's value, as it comes back
 * through the connector's own stream, equals the commanded value, or the timeout passes.
 */
export function createReadback() {
  const waiting = new Map<number, Set<Waiter>>();
  /**
   * The last value each tag reported. A device that reports by exception (Sparkplug B) sends
   * nothing when commanded into the state it is already in: that write is confirmed by this.
   */
  const last = new Map<number, PointValue>();

  return {
    /** Every decoded value of the connector's tags passes here. */
    seen(tagId: number, value: PointValue) {
      last.set(tagId, value);
      if (waiting.size === 0) return;
      const set = waiting.get(tagId);
      if (!set) return;
      for (const w of set) if (sameValue(w.value, value)) w.done(true);
    },

    /** Whether the tag last reported exactly this value (undefined: nothing seen yet). */
    alreadyAt(tagId: number, value: PointValue) {
      return last.has(tagId) && sameValue(last.get(tagId)!, value);
    },

    /** Starts waiting; call before sending the command so a fast echo is not missed. */
    expect(tagId: number, value: PointValue, timeoutMs: number) {
      let waiter!: Waiter;
      const confirmed = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => waiter.done(false), timeoutMs);
        waiter = {
          value,
          done(ok) {
            clearTimeout(timer);
            const set = waiting.get(tagId);
            set?.delete(waiter);
            if (set?.size === 0) waiting.delete(tagId);
            resolve(ok);
          },
        };
      });
      const set = waiting.get(tagId) ?? new Set<Waiter>();
      waiting.set(tagId, set);
      set.add(waiter);
      return { confirmed, cancel: () => waiter.done(false) };
    },

    /** Fails every waiting write (the connector stops). */
    cancelAll() {
      for (const set of [...waiting.values()]) for (const w of [...set]) w.done(false);
    },
  };
}
export type Readback = ReturnType<typeof createReadback>;
