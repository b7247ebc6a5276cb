import type { Channel, ChannelKind } from '@aegis/shared';

/** The secrets each kind of channel keeps (write-only; the API only says which are set). */
export const SECRET_FIELDS: Record<ChannelKind, readonly string[]> = {
  inapp: [],
  email: ['password'],
  wecom: ['token'],
  dingtalk: ['token', 'signingSecret'],
  feishu: ['token', 'signingSecret'],
  webhook: ['signingSecret', 'authorization'],
  sms: ['secret'],
};

/** What a new channel of each kind starts with (the schema defaults, spelled out for the form). */
export const SETTINGS_DEFAULTS: Record<ChannelKind, Record<string, unknown>> = {
  inapp: {},
  email: { host: '', port: 587, security: 'starttls', username: '', from: '', allowSelfSigned: false },
  wecom: { url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send' },
  dingtalk: { url: 'https://oapi.dingtalk.com/robot/send' },
  feishu: { url: 'https://open.feishu.cn/open-apis/bot/v2/hook' },
  webhook: { url: 'https://', headers: {}, timeoutMs: 10000 },
  sms: {
    method: 'POST',
    url: 'https://',
    headers: {},
    bodyTemplate: '{"to":"{{phone}}","text":"{{text}}"}',
    contentType: 'application/json',
    timeoutMs: 10000,
  },
};

/** Header maps are edited as text, one "Name: value" per line. */
export function headersToText(headers: unknown): string {
  if (!headers || typeof headers !== 'object') return '';
  return Object.entries(headers as Record<string, unknown>)
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join('\n');
}

/** The header map of the text, or the numbers (1-based) of the lines that are not "Name: value". */
export function textToHeaders(
  text: string,
): { ok: true; headers: Record<string, string> } | { ok: false; badLines: number[] } {
  const headers: Record<string, string> = {};
  const badLines: number[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const m = /^\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*:\s*(.*?)\s*$/.exec(line);
    if (!m) badLines.push(i + 1);
    else headers[m[1]!] = m[2]!;
  });
  return badLines.length ? { ok: false, badLines } : { ok: true, headers };
}

export interface ChannelFormValues {
  code: string;
  name: string;
  kind: ChannelKind;
  enabled: boolean;
  settings: Record<string, unknown>;
  /** Header maps as text (webhook, SMS). */
  headersText: string;
  /** Typed secrets; an empty one keeps what is stored. */
  secrets: Record<string, string | undefined>;
  /** Stored secrets to delete. */
  clearSecrets: string[];
  reason: string;
}

export function newChannelValues(kind: ChannelKind = 'email'): ChannelFormValues {
  return {
    code: '',
    name: '',
    kind,
    enabled: true,
    settings: { ...SETTINGS_DEFAULTS[kind] },
    headersText: '',
    secrets: {},
    clearSecrets: [],
    reason: '',
  };
}

export function valuesFromChannel(c: Channel): ChannelFormValues {
  const { headers, ...settings } = c.settings;
  return {
    code: c.code,
    name: c.name,
    kind: c.kind,
    enabled: c.enabled,
    settings: { ...SETTINGS_DEFAULTS[c.kind], ...settings },
    headersText: headersToText(headers),
    secrets: {},
    clearSecrets: [],
    reason: '',
  };
}

/**
 * The settings and secrets to send: only this kind's fields, trimmed strings, headers parsed;
 * a typed secret replaces the stored one, a cleared one is null, an untouched one is left out.
 */
export function channelPayload(v: ChannelFormValues): {
  settings: Record<string, unknown>;
  secrets: Record<string, string | null>;
} {
  const known = Object.keys(SETTINGS_DEFAULTS[v.kind]);
  const settings: Record<string, unknown> = {};
  for (const key of known) {
    if (key === 'headers') continue;
    const value = v.settings?.[key];
    settings[key] = typeof value === 'string' ? value.trim() : value;
  }
  if (known.includes('headers')) {
    const parsed = textToHeaders(v.headersText ?? '');
    settings.headers = parsed.ok ? parsed.headers : {};
  }
  const secrets: Record<string, string | null> = {};
  for (const name of SECRET_FIELDS[v.kind]) {
    const typed = v.secrets?.[name];
    if (v.clearSecrets?.includes(name)) secrets[name] = null;
    else if (typed) secrets[name] = typed;
  }
  return { settings, secrets };
}
