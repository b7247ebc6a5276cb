import { useEffect, useRef, useState } from 'react';

/** A row of a held list: `gone` once it left the live list while the order was held. */
export type Held<T> = T & { gone?: true };

/**
 * The list as shown while its order is held: rows keep the places they had, rows that left the
 * live list stay where they were (marked `gone`), and new rows come at the end. So nothing
 * moves under the pointer; the live order returns when the hold ends.
 */
export function holdOrder<T>(
  shown: readonly Held<T>[],
  live: readonly T[],
  key: (r: T) => string,
): Held<T>[] {
  const byKey = new Map(live.map((r) => [key(r), r]));
  const out: Held<T>[] = shown.map((r) => {
    const now = byKey.get(key(r));
    return now ? (now as Held<T>) : ({ ...r, gone: true } as Held<T>);
  });
  const placed = new Set(shown.map(key));
  for (const r of live) if (!placed.has(key(r))) out.push(r as Held<T>);
  return out;
}

/** How long the order stays put after the operator acted on a row. */
export const HOLD_AFTER_ACTION_MS = 3000;

/**
 * The alarm list's order, held while the pointer is over the list and for a moment after an
 * action, so the next alarm's button does not slide under the mouse.
 */
export function useHeldOrder<T>(live: readonly T[], key: (r: T) => string) {
  const [pointerInside, setPointerInside] = useState(false);
  const [holdUntil, setHoldUntil] = useState(0);
  const [, wake] = useState(0);
  const shown = useRef<Held<T>[]>([...live] as Held<T>[]);
  const held = pointerInside || Date.now() < holdUntil;
  shown.current = held ? holdOrder(shown.current, live, key) : ([...live] as Held<T>[]);

  useEffect(() => {
    const left = holdUntil - Date.now();
    if (left <= 0) return;
    const timer = setTimeout(() => wake((n) => n + 1), left);
    return () => clearTimeout(timer);
  }, [holdUntil]);

  return {
    rows: shown.current,
    held,
    /** Spread on the element around the list. */
    listProps: {
      onPointerEnter: () => setPointerInside(true),
      onPointerLeave: () => setPointerInside(false),
    },
    /** Call when the operator acted on a row (acknowledge, shelve…). */
    holdAfterAction: () => setHoldUntil(Date.now() + HOLD_AFTER_ACTION_MS),
  };
}
