import { DELIVERY_STATUSES } from '@aegis/shared';
import { describe, expect, it } from 'vitest';
import { canResend, DELIVERY_STATUS_COLOR, eventLabel, recipientLabel } from './present';

const t = (key: string, opts?: Record<string, unknown>) => (opts?.name ? `${key}(${opts.name})` : key);
const names = {
  user: (id: number) => (id === 7 ? '张三' : undefined),
  role: () => '安环专员',
  post: () => undefined,
  team: () => '甲班',
};

describe('delivery log and recipient words', () => {
  it('shows a dead delivery in red and a sent one in green, and has a colour for every state', () => {
    expect(DELIVERY_STATUS_COLOR.dead).toBe('red');
    expect(DELIVERY_STATUS_COLOR.sent).toBe('green');
    for (const s of DELIVERY_STATUSES) expect(DELIVERY_STATUS_COLOR[s]).toBeTruthy();
  });

  it('offers resend only for failed and dead deliveries', () => {
    expect(DELIVERY_STATUSES.filter(canResend)).toEqual(['failed', 'dead']);
  });

  it('names recipients, with the id when the record is not known', () => {
    expect(recipientLabel({ type: 'user', userId: 7 }, names, t)).toBe('notify.recipient.user(张三)');
    expect(recipientLabel({ type: 'user', userId: 8 }, names, t)).toBe('notify.recipient.user(#8)');
    expect(recipientLabel({ type: 'post', postId: 3 }, names, t)).toBe('notify.recipient.post(#3)');
    expect(recipientLabel({ type: 'on_call' }, names, t)).toBe('notify.recipient.on_call');
  });

  it('uses the catalogue words of an event kind in the UI language', () => {
    expect(eventLabel('alarm.raised', 'zh-CN')).toBe('报警产生');
    expect(eventLabel('alarm.raised', 'en-US')).toBe('Alarm raised');
  });
});
