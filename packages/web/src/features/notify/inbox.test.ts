import type { Notification } from '@aegis/shared';
import { describe, expect, it } from 'vitest';
import { bodyBelowTitle, foldNotification, markReadLocally } from './inbox';

const n = (id: number, readAt: string | null = null): Notification => ({
  id,
  eventId: id,
  kind: 'alarm.raised',
  priority: 'critical',
  title: `T${id}`,
  body: '',
  link: '/alarms',
  alarmKey: null,
  count: 1,
  createdAt: '2026-11-30T10:00:00Z',
  readAt,
});

describe('the notification centre list', () => {
  it('puts a pushed notification on top and takes the unread count from the server', () => {
    const inbox = { items: [n(2), n(1, 'x')], unread: 1 };
    expect(foldNotification(inbox, { notification: n(3), unread: 2 })).toEqual({
      items: [n(3), n(2), n(1, 'x')],
      unread: 2,
    });
  });

  it('shows a notification pushed twice (after a reconnect) once', () => {
    const inbox = { items: [n(3), n(2)], unread: 2 };
    expect(foldNotification(inbox, { notification: n(3), unread: 2 })?.items.map((x) => x.id)).toEqual([
      3, 2,
    ]);
  });

  it('keeps the list at its length', () => {
    const inbox = { items: [n(2), n(1)], unread: 2 };
    expect(foldNotification(inbox, { notification: n(3), unread: 3 }, 2)?.items.map((x) => x.id)).toEqual([
      3, 2,
    ]);
  });

  it('leaves a list that is not loaded yet to the request that loads it', () => {
    expect(foldNotification(undefined, { notification: n(1), unread: 1 })).toBeUndefined();
  });

  it('does not repeat the title at the start of the body', () => {
    expect(bodyBelowTitle('[高] 硫化氢高报', '[高] 硫化氢高报\n时间：10:00')).toBe('时间：10:00');
    expect(bodyBelowTitle('硫化氢高报', '请立即处理')).toBe('请立即处理');
  });

  it('marks chosen or all notifications read and counts down', () => {
    const inbox = { items: [n(3), n(2), n(1, 'x')], unread: 5 };
    const one = markReadLocally(inbox, [3, 1], 'now');
    expect(one?.unread).toBe(4);
    expect(one?.items.map((x) => x.readAt)).toEqual(['now', null, 'x']);
    expect(markReadLocally(inbox, undefined, 'now')?.unread).toBe(0);
  });
});
