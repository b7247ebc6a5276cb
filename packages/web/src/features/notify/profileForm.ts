import type { Locale, NotifyProfile } from '@aegis/shared';
import type { UpdateNotifyProfile } from './api';

/** 我的通知设置: empty fields mean "not set"; quiet hours as a switch and two times. */
export interface ProfileFormValues {
  email: string;
  mobile: string;
  wecomUserId: string;
  dingtalkUserId: string;
  feishuUserId: string;
  locale: Locale;
  quietOn: boolean;
  quietFrom: string;
  quietTo: string;
}

export function valuesFromProfile(p: NotifyProfile): ProfileFormValues {
  return {
    email: p.email ?? '',
    mobile: p.mobile ?? '',
    wecomUserId: p.wecomUserId ?? '',
    dingtalkUserId: p.dingtalkUserId ?? '',
    feishuUserId: p.feishuUserId ?? '',
    locale: p.locale,
    quietOn: p.quietHours !== null,
    quietFrom: p.quietHours?.from ?? '22:00',
    quietTo: p.quietHours?.to ?? '07:00',
  };
}

const orNull = (s: string | undefined) => {
  const v = (s ?? '').trim();
  return v === '' ? null : v;
};

export function profileUpdate(v: ProfileFormValues): UpdateNotifyProfile {
  return {
    email: orNull(v.email),
    // 138 1234 5678 and 138-1234-5678 are how people write numbers; the server wants digits.
    mobile: orNull((v.mobile ?? '').replace(/[\s-]/g, '')),
    wecomUserId: orNull(v.wecomUserId),
    dingtalkUserId: orNull(v.dingtalkUserId),
    feishuUserId: orNull(v.feishuUserId),
    locale: v.locale,
    quietHours: v.quietOn ? { from: v.quietFrom, to: v.quietTo } : null,
  };
}
