import type { Delivery, NotifyEventKind, Recipient } from '@aegis/shared';
import { NOTIFY_EVENT_LABELS } from '@aegis/shared';

type Status = Delivery['status'];

/** antd Tag colours of the delivery states: sent green, failing orange, dead (given up) red. */
export const DELIVERY_STATUS_COLOR: Record<Status, string> = {
  pending: 'blue',
  sending: 'processing',
  sent: 'green',
  failed: 'orange',
  dead: 'red',
  merged: 'default',
};

/** Only messages that did not go out can be sent again. */
export const canResend = (status: Status) => status === 'failed' || status === 'dead';

/** The catalogue's words for an event kind, in the UI language. */
export function eventLabel(kind: NotifyEventKind, lang: string): string {
  const l = NOTIFY_EVENT_LABELS[kind];
  return lang === 'en-US' ? l.en : l.zh;
}

/** Names of the records recipients refer to, looked up by the page from what it loaded. */
export interface RecipientNames {
  user: (id: number) => string | undefined;
  role: (id: number) => string | undefined;
  post: (id: number) => string | undefined;
  team: (id: number) => string | undefined;
}

/**
 * How a recipient reads in the editor and the list: "用户：张三", "角色：安环专员", "当班班组长".
 * `t` gives the words; a record that is gone (or not visible) shows its id.
 */
export function recipientLabel(
  r: Recipient,
  names: RecipientNames,
  t: (key: string, opts?: Record<string, unknown>) => string,
): string {
  switch (r.type) {
    case 'user':
      return t('notify.recipient.user', { name: names.user(r.userId) ?? `#${r.userId}` });
    case 'role':
      return t('notify.recipient.role', { name: names.role(r.roleId) ?? `#${r.roleId}` });
    case 'post':
      return t('notify.recipient.post', { name: names.post(r.postId) ?? `#${r.postId}` });
    case 'team':
      return t('notify.recipient.team', { name: names.team(r.teamId) ?? `#${r.teamId}` });
    default:
      return t(`notify.recipient.${r.type}`);
  }
}
