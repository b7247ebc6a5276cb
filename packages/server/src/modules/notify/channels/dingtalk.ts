import { createHmac } from 'node:crypto';
import { RobotSecretsSchema, RobotSettingsSchema } from '@aegis/shared';
import type { z } from 'zod';
import { redactSecrets } from '../../connectors/secrets.js';
import { httpRequest, isOk, jsonOf, statusError, truncateBytes } from './http.js';
import { answerCode, answerText, queryCredentialProblems, splitMentions } from './robot.js';
import { type ChannelDriver, SendError } from './types.js';

/**
 * DingTalk (钉钉) custom robot: POST JSON to
 * https://oapi.dingtalk.com/robot/send?access_token=<token>[&timestamp=<ms>&sign=<sign>].
 * Signing (加签), as documented: string to sign = `${timestamp}\n${secret}` (timestamp in ms, within
 * an hour of DingTalk's clock), HMAC-SHA256 keyed with the secret (the SEC… string), Base64, then
 * URL-encoded as a query parameter. Without a signing secret the robot must be protected by
 * keywords or an IP allow list on DingTalk's side.
 *
 * Format: `markdown` with `at.atMobiles` / `at.atUserIds`; DingTalk notifies only people whose
 * @mobile / @userId also appears in the text, so the mentions are appended to it. Answer:
 * {"errcode":0,"errmsg":"ok"}; 130101 = over 20 messages a minute (DingTalk then throttles the
 * robot for 10 minutes: retry after that), -1 = busy, 310000 = signature, keyword or IP refused,
 * 300001 = wrong access token.
 */

type Settings = z.infer<typeof RobotSettingsSchema>;
type Secrets = z.infer<typeof RobotSecretsSchema>;

const TIMEOUT_MS = 10_000;
/** DingTalk accepts ~20,000 bytes of markdown text; keep a margin for the mentions. */
const MARKDOWN_MAX = 18_000;
const TITLE_MAX = 200;

/** The documented signature: Base64(HMAC-SHA256(key = secret, data = `${timestamp}\n${secret}`)). */
export function dingtalkSign(timestampMs: number | string, secret: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

function robotUrl(settings: Settings, secrets: Secrets, now: Date): string {
  const url = new URL(settings.url);
  if (secrets.token) url.searchParams.set('access_token', secrets.token);
  if (!url.searchParams.get('access_token'))
    throw new SendError(
      'The DingTalk robot has no access token: enter the access_token=… of its address as its secret',
      false,
    );
  if (secrets.signingSecret) {
    const timestamp = now.getTime();
    url.searchParams.set('timestamp', String(timestamp));
    // URLSearchParams percent-encodes + / = of the Base64 text, as the docs require.
    url.searchParams.set('sign', dingtalkSign(timestamp, secrets.signingSecret));
  }
  return url.toString();
}

export const dingtalkDriver: ChannelDriver<Settings, Secrets> = {
  kind: 'dingtalk',
  settings: RobotSettingsSchema,
  secrets: RobotSecretsSchema,
  limits: { perMinute: 20, perSecond: null },
  grouped: true,
  addressOf: (p) => p.dingtalkUserId ?? p.mobile,
  check(settings, secrets) {
    const problems = queryCredentialProblems(settings.url, 'access_token', secrets.token, {
      inUrl:
        'The robot address contains its access token (access_token=…): enter the address without it and the token as the secret, so it is stored encrypted and never shown',
      missing: 'The DingTalk robot needs its access token (the access_token=… of its address) as the secret',
    });
    if (secrets.signingSecret !== undefined && !secrets.signingSecret.startsWith('SEC'))
      problems.push(
        'A DingTalk signing secret (加签) starts with SEC: copy it from the robot’s security settings',
      );
    return problems;
  },
  async send({ settings, secrets, message, targets, ctx }) {
    const url = robotUrl(settings, secrets, ctx.now());
    const hidden = [
      secrets.token,
      secrets.signingSecret,
      new URL(url).searchParams.get('access_token') ?? undefined,
    ];
    const { userIds, mobiles } = splitMentions(targets);
    const mentions = [...mobiles, ...userIds].map((m) => `@${m}`).join(' ');
    const room = MARKDOWN_MAX - (mentions ? Buffer.byteLength(mentions) + 2 : 0);
    const payload = {
      msgtype: 'markdown',
      markdown: {
        title: truncateBytes(message.subject, TITLE_MAX),
        text: `${truncateBytes(message.markdown, room)}${mentions ? `\n\n${mentions}` : ''}`,
      },
      at: { atMobiles: mobiles, atUserIds: userIds, isAtAll: false },
    };
    const answer = await httpRequest({
      ctx,
      url,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(payload),
      timeoutMs: TIMEOUT_MS,
      secrets: hidden,
      what: 'The DingTalk robot',
    });
    if (!isOk(answer.status)) throw statusError(answer, 'The DingTalk robot', ctx.now(), hidden);
    const json = jsonOf(answer.body);
    const code = answerCode(json, 'errcode');
    if (code === 0) return { providerReply: 'errcode 0' };
    const reason = redactSecrets(
      `The DingTalk robot refused the message (errcode ${code ?? '?'}: ${answerText(json, 'errmsg') || answer.body.slice(0, 200)})`,
      hidden,
    );
    if (code === 130101) throw new SendError(`${reason}; over 20 messages a minute`, true, 10 * 60_000);
    if (code === -1) throw new SendError(reason, true);
    if (code === 310000)
      throw new SendError(
        `${reason}; check the signing secret (加签), the robot's keywords and its IP allow list`,
        false,
      );
    if (code === 300001)
      throw new SendError(`${reason}; the access token is wrong or the robot was removed`, false);
    throw new SendError(reason, false);
  },
};
