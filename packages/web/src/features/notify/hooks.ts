import { type QueryClient, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { live } from '../realtime/live';
import { type NotificationQuery, notificationsQuery, notifyKeys } from './api';
import { foldNotification, type Inbox } from './inbox';

// One listener per query client patches every loaded notification list, however many are shown.
const bound = new WeakSet<QueryClient>();
function bindQueryClient(qc: QueryClient) {
  if (bound.has(qc)) return;
  bound.add(qc);
  live.onNotification((frame) => {
    for (const [key] of qc.getQueriesData<Inbox>({ queryKey: notifyKeys.inbox })) {
      const q = (key[1] ?? {}) as NotificationQuery;
      qc.setQueryData<Inbox>(key, (old) => foldNotification(old, frame, q.limit ?? 50));
    }
  });
  // Whatever arrived while the socket was down is in the next answer.
  live.onOpen(() => void qc.invalidateQueries({ queryKey: notifyKeys.inbox }));
}

/** The signed-in user's notifications, kept current by the live stream while mounted. */
export function useInbox(q: NotificationQuery = {}) {
  const qc = useQueryClient();
  useEffect(() => {
    bindQueryClient(qc);
    return live.acquire();
  }, [qc]);
  return useQuery(notificationsQuery(q));
}
