import { createHmac } from 'node:crypto';
import { RobotSecretsSchema, RobotSettingsSchema } from '@aegis/shared';
import type { z } from 'zod';
import { redactSecrets } from '../../connectors/secrets.js';
import { wordsFor } from '../render.js';
import { httpRequest, isOk, jsonOf, statusError, truncateBytes } from './http.js';
import { answerCode, answerText } from './robot.js';
import { type ChannelDriver, SendError } from './types.js';

/**
 * Feishu / Lark custom robot (自定义机器人): POST JSON to
 * https://open.feishu.cn/open-apis/bot/v2/hook/<token> (the token, a secret, is appended to the
 * address at send time; an address already ending in it works too).
 * Signature verification (签名校验), as documented: timestamp in seconds (within an hour), sign =
 * Base64(HMAC-SHA256 keyed with `${timestamp}\n${secret}` over empty data), both in the body.
 *
 * Format: rich text (`post`) in the message's language (zh_cn / en_us), one paragraph per line,
 * the deep link as an `a` element and people as `at` elements (user_id: the Feishu open_id or
 * user_id from their profile). Post text is not markup, so user text needs no escaping. The body
 * must stay under 20 KB. Limits: 100 a minute and 5 a second per robot.
 * Answer: {"code":0,"msg":"success"} (older robots: {"StatusCode":0}); 11232 = rate limited
 * (retryable), 19021 = bad signature or clock, 19022 = IP not allowed, 19024 = keyword missing.
 */

type Settings = z.infer<typeof RobotSettingsSchema>;
type Secrets = z.infer<typeof RobotSecretsSchema>;

const TIMEOUT_MS = 10_000;
const TEXT_MAX = 15_000;
/** Feishu refuses bodies over 20 KB; room is kept for the signature. */
const BODY_MAX = 19_000;

/** The documented signature: Base64(HMAC-SHA256(key = `${timestamp}\n${secret}`, data = '')). */
export function feishuSign(timestampSeconds: number | string, secret: string): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

function robotUrl(settings: Settings, secrets: Secrets): string {
  if (secrets.token) return `${settings.url.replace(/\/+$/, '')}/${encodeURIComponent(secrets.token)}`;
  if (!/\/hook\/[^/]+\/?$/.test(new URL(settings.url).pathname))
    throw new SendError(
      'The Feishu robot has no token: enter the last part of its webhook address as its secret',
      false,
    );
  return settings.url;
}

export const feishuDriver: ChannelDriver<Settings, Secrets> = {
  kind: 'feishu',
  settings: RobotSettingsSchema,
  secrets: RobotSecretsSchema,
  limits: { perMinute: 100, perSecond: 5 },
  grouped: true,
  addressOf: (p) => p.feishuUserId,
  check(settings, secrets) {
    const problems: string[] = [];
    let path = '';
    try {
      path = new URL(settings.url).pathname;
    } catch {
      problems.push('The robot address is not a valid URL');
    }
    if (/\/hook\/[^/]+\/?$/.test(path))
      problems.push(
        'The robot address contains its token (…/hook/<token>): enter the address up to /hook/ and the token as the secret, so it is stored encrypted and never shown',
      );
    else if (!secrets.token)
      problems.push('The Feishu robot needs its token (the last part of its webhook address) as the secret');
    return problems;
  },
  async send({ settings, secrets, message, targets, ctx }) {
    const url = robotUrl(settings, secrets);
    const hidden = [secrets.token, secrets.signingSecret, url.slice(url.lastIndexOf('/') + 1)];
    const lines = truncateBytes(message.text, TEXT_MAX).split('\n');
    if (lines[0] === message.subject) lines.shift();
    const ats = targets
      .filter((t) => t.address)
      .map((t) => ({ tag: 'at', user_id: t.address, user_name: t.name }));
    const lang = message.locale === 'zh-CN' ? 'zh_cn' : 'en_us';
    const build = (shown: string[]) => {
      const content: unknown[][] = shown.map((line) => [{ tag: 'text', text: line }]);
      if (message.link) content.push([{ tag: 'a', text: wordsFor(message.locale).open, href: message.link }]);
      if (ats.length > 0) content.push(ats);
      return {
        msg_type: 'post',
        content: { post: { [lang]: { title: message.subject, content } } },
      } as Record<string, unknown>;
    };
    // Every line costs JSON around it: drop lines from the end until the body fits.
    let kept = lines.length;
    let payload = build(lines);
    while (Buffer.byteLength(JSON.stringify(payload)) > BODY_MAX && kept > 0) {
      kept = Math.floor(kept * 0.8);
      payload = build([...lines.slice(0, kept), '…']);
    }
    if (secrets.signingSecret) {
      const timestamp = Math.floor(ctx.now().getTime() / 1000);
      payload.timestamp = String(timestamp);
      payload.sign = feishuSign(timestamp, secrets.signingSecret);
    }
    const answer = await httpRequest({
      ctx,
      url,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(payload),
      timeoutMs: TIMEOUT_MS,
      secrets: hidden,
      what: 'The Feishu robot',
    });
    if (!isOk(answer.status)) throw statusError(answer, 'The Feishu robot', ctx.now(), hidden);
    const json = jsonOf(answer.body);
    const code = answerCode(json, 'code', 'StatusCode');
    if (code === 0) return { providerReply: 'code 0' };
    const reason = redactSecrets(
      `The Feishu robot refused the message (code ${code ?? '?'}: ${answerText(json, 'msg', 'StatusMessage') || answer.body.slice(0, 200)})`,
      hidden,
    );
    if (code === 11232)
      throw new SendError(`${reason}; over 100 messages a minute or 5 a second`, true, 60_000);
    if (code === 19021)
      throw new SendError(`${reason}; check the signing secret (签名校验) and this server's clock`, false);
    if (code === 19022)
      throw new SendError(`${reason}; this server's IP address is not on the robot's allow list`, false);
    if (code === 19024)
      throw new SendError(`${reason}; the message lacks one of the robot's keywords`, false);
    throw new SendError(reason, false);
  },
};
