import { type Channel, ChannelSettingsSchema } from '@aegis/shared';
import { describe, expect, it } from 'vitest';
import {
  channelPayload,
  headersToText,
  newChannelValues,
  SECRET_FIELDS,
  SETTINGS_DEFAULTS,
  textToHeaders,
  valuesFromChannel,
} from './channelForm';

const channel = (c: Partial<Channel>): Channel => ({
  id: 1,
  code: 'c',
  name: 'C',
  kind: 'webhook',
  enabled: true,
  settings: {},
  secretsSet: [],
  ratePerMinute: null,
  createdAt: '',
  updatedAt: '',
  ...c,
});

describe('the channel form', () => {
  it('keeps a stored secret when its field is left empty, replaces it when typed, deletes it when cleared', () => {
    const v = valuesFromChannel(channel({ kind: 'dingtalk', settings: { url: 'https://x' } }));
    expect(channelPayload(v).secrets).toEqual({});
    expect(channelPayload({ ...v, secrets: { token: 'abc', signingSecret: '' } }).secrets).toEqual({
      token: 'abc',
    });
    expect(
      channelPayload({ ...v, secrets: { token: 'abc' }, clearSecrets: ['signingSecret'] }).secrets,
    ).toEqual({
      token: 'abc',
      signingSecret: null,
    });
  });

  it('sends only the secrets of the channel kind', () => {
    const v = { ...newChannelValues('email'), secrets: { password: 'pw', token: 'stray' } };
    expect(channelPayload(v).secrets).toEqual({ password: 'pw' });
    expect(SECRET_FIELDS.inapp).toEqual([]);
  });

  it('sends settings every kind accepts from its defaults', () => {
    for (const kind of Object.keys(SETTINGS_DEFAULTS) as (keyof typeof SETTINGS_DEFAULTS)[]) {
      const v = newChannelValues(kind);
      const filled = {
        ...v,
        settings: {
          ...v.settings,
          host: 'smtp.example.com',
          from: 'aegis@example.com',
          url: 'https://x.example/h',
        },
      };
      const { settings } = channelPayload(filled);
      expect(ChannelSettingsSchema.safeParse({ kind, settings }).success, kind).toBe(true);
    }
  });

  it('trims settings and drops fields of another kind', () => {
    const v = { ...newChannelValues('wecom'), settings: { url: ' https://q.example/send ', host: 'x' } };
    expect(channelPayload(v).settings).toEqual({ url: 'https://q.example/send' });
  });

  it('edits headers as "Name: value" lines', () => {
    expect(textToHeaders('X-Api-Key: abc\n\nX-Tenant:  7 ')).toEqual({
      ok: true,
      headers: { 'X-Api-Key': 'abc', 'X-Tenant': '7' },
    });
    expect(textToHeaders('no colon here\nX-Ok: 1\n: empty name')).toEqual({ ok: false, badLines: [1, 3] });
    expect(headersToText({ A: '1', B: 'x y' })).toBe('A: 1\nB: x y');
    const v = valuesFromChannel(
      channel({ kind: 'sms', settings: { url: 'https://s', headers: { A: '1' } } }),
    );
    expect(v.headersText).toBe('A: 1');
    expect(channelPayload(v).settings.headers).toEqual({ A: '1' });
  });
});
