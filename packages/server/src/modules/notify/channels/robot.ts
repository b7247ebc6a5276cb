import type { Target } from './types.js';

/**
 * Who a robot message @-mentions. WeCom and DingTalk take a person's chat user id when the profile
 * has one and fall back to the mobile number (addressOf gives `id ?? mobile`), so an address equal
 * to the person's mobile is a mobile number. Ids lose `<`, `>` and spaces so they cannot break out
 * of a mention tag.
 */
export function splitMentions(targets: Target[]): { userIds: string[]; mobiles: string[] } {
  const userIds = new Set<string>();
  const mobiles = new Set<string>();
  for (const t of targets) {
    if (t.address && t.address !== t.mobile) {
      const id = t.address.replace(/[<>\s]/g, '');
      if (id) userIds.add(id);
    } else if (t.mobile) mobiles.add(t.mobile.trim());
  }
  return { userIds: [...userIds], mobiles: [...mobiles] };
}

/** The robot's answer code as a number (errcode / code / StatusCode), null when absent. */
export function answerCode(json: Record<string, unknown> | null, ...keys: string[]): number | null {
  if (!json) return null;
  for (const k of keys) {
    const v = json[k];
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  }
  return null;
}

export const answerText = (json: Record<string, unknown> | null, ...keys: string[]) => {
  for (const k of keys) {
    const v = json?.[k];
    if (typeof v === 'string') return v.slice(0, 300);
  }
  return '';
};

/**
 * A robot whose credential travels in its address's query (WeCom key=, DingTalk access_token=):
 * the address is saved without it and the credential as the secret, so it is stored encrypted.
 */
export function queryCredentialProblems(
  url: string,
  param: string,
  token: string | undefined,
  words: { inUrl: string; missing: string },
): string[] {
  let inUrl = false;
  try {
    inUrl = Boolean(new URL(url).searchParams.get(param));
  } catch {
    return ['The robot address is not a valid URL'];
  }
  if (inUrl) return [words.inUrl];
  if (!token) return [words.missing];
  return [];
}
