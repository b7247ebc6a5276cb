import { UpdateNotifyProfileSchema } from '@aegis/shared';
import { describe, expect, it } from 'vitest';
import { profileUpdate, valuesFromProfile } from './profileForm';

const empty = {
  email: null,
  mobile: null,
  wecomUserId: null,
  dingtalkUserId: null,
  feishuUserId: null,
  locale: 'zh-CN' as const,
  quietHours: null,
};

describe('my notification settings', () => {
  it('saves empty fields as "not set" and round-trips a profile', () => {
    expect(profileUpdate(valuesFromProfile(empty))).toEqual(empty);
    const full = {
      ...empty,
      email: 'a@b.cn',
      mobile: '+8613812345678',
      quietHours: { from: '22:00', to: '06:30' },
    };
    expect(profileUpdate(valuesFromProfile(full))).toEqual(full);
  });

  it('accepts a mobile number written with spaces or dashes', () => {
    const v = { ...valuesFromProfile(empty), mobile: ' 138 1234-5678 ' };
    const body = profileUpdate(v);
    expect(body.mobile).toBe('13812345678');
    expect(UpdateNotifyProfileSchema.safeParse(body).success).toBe(true);
  });

  it('sends no quiet hours when they are switched off', () => {
    const v = {
      ...valuesFromProfile({ ...empty, quietHours: { from: '22:00', to: '07:00' } }),
      quietOn: false,
    };
    expect(profileUpdate(v).quietHours).toBeNull();
  });
});
