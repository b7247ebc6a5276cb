import type { Notification } from '@aegis/shared';

export interface Inbox {
  items: Notification[];
  unread: number;
}

/**
 * A pushed notification folded into a loaded list: newest first, once (a reconnect may repeat
 * it), the list no longer than it was asked for; the unread count is the server's.
 */
export function foldNotification(
  inbox: Inbox | undefined,
  frame: { notification: Notification; unread: number },
  limit = 50,
): Inbox | undefined {
  if (!inbox) return inbox;
  const rest = inbox.items.filter((n) => n.id !== frame.notification.id);
  const items = [frame.notification, ...rest].sort((a, b) => b.id - a.id).slice(0, limit);
  return { items, unread: frame.unread };
}

/**
 * The body as shown under the title: messages for every channel start with the title, which the
 * notification centre already shows in bold.
 */
export function bodyBelowTitle(title: string, body: string): string {
  const t = title.trim();
  const b = body.trim();
  return t && b.startsWith(t) ? b.slice(t.length).trim() : b;
}

/** The list after marking some (or, without ids, all) as read, before the server answers. */
export function markReadLocally(inbox: Inbox | undefined, ids: number[] | undefined, now: string) {
  if (!inbox) return inbox;
  const chosen = ids ? new Set(ids) : null;
  let newlyRead = 0;
  const items = inbox.items.map((n) => {
    if (n.readAt || (chosen && !chosen.has(n.id))) return n;
    newlyRead++;
    return { ...n, readAt: now };
  });
  return { items, unread: chosen ? Math.max(0, inbox.unread - newlyRead) : 0 };
}
