import { RobotSecretsSchema, RobotSettingsSchema } from '@aegis/shared';
import type { z } from 'zod';
import { redactSecrets } from '../../connectors/secrets.js';
import { httpRequest, isOk, jsonOf, statusError, truncateBytes } from './http.js';
import { answerCode, answerText, queryCredentialProblems, splitMentions } from './robot.js';
import { type ChannelDriver, SendError } from './types.js';

/**
 * WeCom (企业微信) group robot (群机器人): POST JSON to
 * https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=<key>. The key is the robot's only
 * credential: it is kept as a secret and added to the address at send time (an address that
 * already carries key=… works too, but `check` asks to move it into the secret).
 *
 * Format, as documented: `markdown` (content ≤ 4096 bytes) mentions people with `<@userid>` in the
 * content; markdown cannot mention by mobile number, so when somebody is known only by mobile the
 * message goes as `text` (content ≤ 2048 bytes) with `mentioned_list` / `mentioned_mobile_list`.
 * Answer: {"errcode":0,"errmsg":"ok"}; 45009 = over the limit of 20 messages a minute per robot
 * (retryable after a minute), -1 = system busy (retryable), 93000 = wrong key or removed robot.
 */

type Settings = z.infer<typeof RobotSettingsSchema>;
type Secrets = z.infer<typeof RobotSecretsSchema>;

const TIMEOUT_MS = 10_000;
const MARKDOWN_MAX = 4096;
const TEXT_MAX = 2048;

function robotUrl(settings: Settings, secrets: Secrets): string {
  const url = new URL(settings.url);
  if (secrets.token) url.searchParams.set('key', secrets.token);
  if (!url.searchParams.get('key'))
    throw new SendError(
      'The WeCom robot has no key: enter the key=… of its webhook address as its secret',
      false,
    );
  return url.toString();
}

export const wecomDriver: ChannelDriver<Settings, Secrets> = {
  kind: 'wecom',
  settings: RobotSettingsSchema,
  secrets: RobotSecretsSchema,
  limits: { perMinute: 20, perSecond: null },
  grouped: true,
  addressOf: (p) => p.wecomUserId ?? p.mobile,
  check(settings, secrets) {
    return queryCredentialProblems(settings.url, 'key', secrets.token, {
      inUrl:
        'The robot address contains its key (key=…): enter the address without it and the key as the secret, so the key is stored encrypted and never shown',
      missing: 'The WeCom robot needs its key (the key=… of its webhook address) as the secret',
    });
  },
  async send({ settings, secrets, message, targets, ctx }) {
    const url = robotUrl(settings, secrets);
    const hidden = [secrets.token, new URL(url).searchParams.get('key') ?? undefined];
    const { userIds, mobiles } = splitMentions(targets);
    let payload: unknown;
    if (mobiles.length === 0) {
      const mentions = userIds.map((id) => `<@${id}>`).join(' ');
      const room = MARKDOWN_MAX - (mentions ? Buffer.byteLength(mentions) + 2 : 0);
      payload = {
        msgtype: 'markdown',
        markdown: { content: `${truncateBytes(message.markdown, room)}${mentions ? `\n\n${mentions}` : ''}` },
      };
    } else {
      payload = {
        msgtype: 'text',
        text: {
          content: truncateBytes(message.text, TEXT_MAX),
          mentioned_list: userIds,
          mentioned_mobile_list: mobiles,
        },
      };
    }
    const answer = await httpRequest({
      ctx,
      url,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(payload),
      timeoutMs: TIMEOUT_MS,
      secrets: hidden,
      what: 'The WeCom robot',
    });
    if (!isOk(answer.status)) throw statusError(answer, 'The WeCom robot', ctx.now(), hidden);
    const json = jsonOf(answer.body);
    const code = answerCode(json, 'errcode');
    if (code === 0) return { providerReply: 'errcode 0' };
    const reason = redactSecrets(
      `The WeCom robot refused the message (errcode ${code ?? '?'}: ${answerText(json, 'errmsg') || answer.body.slice(0, 200)})`,
      hidden,
    );
    if (code === 45009) throw new SendError(`${reason}; over 20 messages a minute`, true, 60_000);
    if (code === -1) throw new SendError(reason, true);
    if (code === 93000)
      throw new SendError(`${reason}; the robot's key is wrong or the robot was removed`, false);
    throw new SendError(reason, false);
  },
};
