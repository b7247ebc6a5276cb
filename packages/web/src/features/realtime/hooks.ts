import type { AlarmView } from '@aegis/shared';
import { type QueryClient, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import { canAnywhere, useMe } from '../../app/auth';
import { type AlarmHealth, activeAlarmsQuery, alarmHealthQuery, alarmKeys } from '../alarms/api';
import { currentValuesQuery, tagKeys } from '../tags/api';
import { type AlarmFrame, type LiveAlarmEvent, type LivePoint, live } from './live';

export type { LiveAlarmEvent, LivePoint } from './live';

/** Does the alarm still belong in the list of `/api/alarms` (the server's rule, repeated)? */
export function needsAttention(a: Pick<AlarmView, 'state' | 'shelved' | 'outOfService' | 'active'>): boolean {
  return a.state !== 'normal' || !!a.shelved || !!a.outOfService || a.active;
}

/** Folds a pushed frame into the cached alarm list and flood status, so every screen shows it. */
function applyAlarmFrame(qc: QueryClient, frame: AlarmFrame) {
  if (frame.alarms.length) {
    if (!qc.getQueryData(alarmKeys.active)) {
      // Still loading: refetch after this frame, so the answer includes it.
      void qc.invalidateQueries({ queryKey: alarmKeys.active });
    } else {
      const now = new Date().toISOString();
      qc.setQueryData<AlarmView[]>(alarmKeys.active, (old) => {
        const byKey = new Map((old ?? []).map((a) => [a.key, a]));
        for (const pushed of frame.alarms) {
          const next: AlarmView = { ...byKey.get(pushed.key), ...pushed, updatedAt: pushed.updatedAt ?? now };
          if (needsAttention(next)) byKey.set(next.key, next);
          else byKey.delete(next.key);
        }
        return [...byKey.values()];
      });
    }
  }
  if (frame.floods.length) {
    qc.setQueryData<AlarmHealth>(alarmKeys.health, (old) => {
      if (!old) return old;
      const floods = new Map(old.floods.map((f) => [f.areaId, f]));
      for (const f of frame.floods) {
        const areaId = Number(f.area);
        if (f.type === 'flood_start')
          floods.set(areaId, { areaId, since: new Date(f.at).toISOString(), count: f.count });
        else floods.delete(areaId);
      }
      return { ...old, floods: [...floods.values()] };
    });
  }
  if (frame.events.some((e) => e.type === 'chattering_start' || e.type === 'chattering_end')) {
    void qc.invalidateQueries({ queryKey: alarmKeys.health });
  }
}

// The cache is patched by one listener per query client, however many components use the stream.
const bound = new WeakSet<QueryClient>();
function bindQueryClient(qc: QueryClient) {
  if (bound.has(qc)) return;
  bound.add(qc);
  live.onAlarms((frame) => applyAlarmFrame(qc, frame));
  live.onOpen(() => {
    void qc.invalidateQueries({ queryKey: alarmKeys.all });
    void qc.invalidateQueries({ queryKey: tagKeys.values });
  });
}

/** Keeps the page's live connection open while the component is mounted; returns its state. */
export function useLiveStatus() {
  const qc = useQueryClient();
  useEffect(() => {
    bindQueryClient(qc);
    return live.acquire();
  }, [qc]);
  return useSyncExternalStore(live.onStatus, () => live.status);
}

/** A stable key for a set of tag ids, so effects re-run only when the set changes. */
function idsKey(tagIds: number[]): string {
  return [...new Set(tagIds)].sort((a, b) => a - b).join(',');
}
const parseKey = (key: string) => (key ? key.split(',').map(Number) : []);

/**
 * Subscribes to the tags while mounted and calls `onPoints` with every pushed value of them
 * (for trend lines and sparklines that keep a history).
 */
export function useLivePoints(tagIds: number[], onPoints: (points: LivePoint[]) => void, enabled = true) {
  useLiveStatus();
  const key = idsKey(tagIds);
  const handler = useRef(onPoints);
  handler.current = onPoints;
  useEffect(() => {
    const ids = parseKey(key);
    if (!enabled || !ids.length) return;
    const wanted = new Set(ids);
    const release = live.subscribe(ids);
    const stop = live.onValues((points) => {
      const mine = points.filter((p) => wanted.has(p.tagId));
      if (mine.length) handler.current(mine);
    });
    return () => {
      stop();
      release();
    };
  }, [key, enabled]);
}

/**
 * The current value of each tag: the REST answer first, then every value the server pushes.
 * A map by tag id; tags without any value are absent.
 */
export function useLiveValues(tagIds: number[]): Map<number, LivePoint> {
  useLiveStatus();
  const key = idsKey(tagIds);
  const ids = useMemo(() => parseKey(key), [key]);
  const seed = useQuery(currentValuesQuery(ids));
  useEffect(() => {
    if (!ids.length) return;
    return live.subscribe(ids);
  }, [ids]);
  const version = useSyncExternalStore(live.onValues, () => live.valuesVersion);
  return useMemo(() => {
    void version;
    const map = new Map<number, LivePoint>();
    for (const v of seed.data?.items ?? []) {
      map.set(v.tagId, { tagId: v.tagId, ts: Date.parse(v.ts), value: v.value, quality: v.quality });
    }
    for (const id of ids) {
      const pushed = live.value(id);
      const rest = map.get(id);
      if (pushed && (!rest || pushed.ts >= rest.ts)) map.set(id, pushed);
    }
    return map;
  }, [seed.data, ids, version]);
}

/**
 * The alarms needing attention in the user's scope, kept current by the live stream, with the
 * flood/chattering status. `onEvents` sees every pushed journal event (e.g. to sound a horn).
 */
export function useAlarmStream(
  opts: { onEvents?: (events: LiveAlarmEvent[]) => void; enabled?: boolean } = {},
) {
  const { data: me } = useMe();
  const enabled = (opts.enabled ?? true) && canAnywhere(me, 'alarm.read');
  const status = useLiveStatus();
  const alarms = useQuery({ ...activeAlarmsQuery, enabled });
  const health = useQuery({ ...alarmHealthQuery, enabled });
  const handler = useRef(opts.onEvents);
  handler.current = opts.onEvents;
  useEffect(
    () =>
      live.onAlarms((frame) => {
        if (frame.events.length) handler.current?.(frame.events);
      }),
    [],
  );
  return { status, alarms, health };
}
