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

  return {
    /** Cheap check for the hot path: is any write waiting at all? */
    get active() {
      return waiting.size > 0;
    },

    /** Every decoded value of the connector's tags passes here while a write waits. */
    seen(tagId: number, value: PointValue) {
      const set = waiting.get(tagId);
      if (!set) return;
      for (const w of set) if (sameValue(w.value, value)) w.done(true);
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
