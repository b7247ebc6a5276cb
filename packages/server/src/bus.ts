/**
 * In-process notifications between modules after a change has committed (e.g. equipment status
 * → alarm suppression). Listeners run synchronously; a failing listener is logged, not rethrown.
 */
export interface BusEvents {
  'plant.status': { nodeId: number; level: string; status: 'in_service' | 'maintenance' | 'out_of_service' };
  /** Sessions or a token stopped being valid: open live connections made with them must close. */
  'auth.revoked':
    | { sessionId: number }
    | { userId: number; exceptSessionId: number | null }
    | { tokenId: number }
    | { kioskTokenId: number };
  /** These users' grants changed (grant, revoke, role edited, account deactivated): open streams follow. */
  'access.changed': { userIds: number[] };
  /** A plant subtree moved from one path to another (committed): scopes by path follow. */
  'plant.moved': { nodeId: number; from: string; to: string };
}

export type Bus = ReturnType<typeof createBus>;

export function createBus(onError: (e: unknown) => void = () => {}) {
  const listeners = new Map<keyof BusEvents, Set<(payload: never) => void>>();
  return {
    on<K extends keyof BusEvents>(event: K, listener: (payload: BusEvents[K]) => void) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (payload: never) => void);
      listeners.set(event, set);
      return () => set.delete(listener as (payload: never) => void);
    },
    emit<K extends keyof BusEvents>(event: K, payload: BusEvents[K]) {
      for (const l of listeners.get(event) ?? []) {
        try {
          (l as (p: BusEvents[K]) => void)(payload);
        } catch (e) {
          onError(e);
        }
      }
    },
  };
}
