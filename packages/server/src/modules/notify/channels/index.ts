import type { ChannelKind } from '@aegis/shared';
import { invalid } from '../../../errors.js';
import { dingtalkDriver } from './dingtalk.js';
import { emailDriver } from './email.js';
import { feishuDriver } from './feishu.js';
import { inappDriver } from './inapp.js';
import { smsDriver } from './sms.js';
import type { ChannelDriver } from './types.js';
import { webhookDriver } from './webhook.js';
import { wecomDriver } from './wecom.js';

export { dingtalkSign } from './dingtalk.js';
export { feishuSign } from './feishu.js';
export * from './types.js';
export { signWebhook } from './webhook.js';

/** Every channel kind's driver: one small module each behind the ChannelDriver interface. */
// biome-ignore lint/suspicious/noExplicitAny: drivers differ in their settings and secrets types
export const CHANNEL_DRIVERS: Record<ChannelKind, ChannelDriver<any, any>> = {
  inapp: inappDriver,
  email: emailDriver,
  wecom: wecomDriver,
  dingtalk: dingtalkDriver,
  feishu: feishuDriver,
  webhook: webhookDriver,
  sms: smsDriver,
};

// biome-ignore lint/suspicious/noExplicitAny: see CHANNEL_DRIVERS
export const driverFor = (kind: ChannelKind): ChannelDriver<any, any> => CHANNEL_DRIVERS[kind];

/**
 * Settings and secrets of a channel as saved: parsed by the driver's schemas, then its own checks.
 * Throws a 400 naming every problem (never a secret's value).
 */
export function parseChannelConfig(
  kind: ChannelKind,
  settings: unknown,
  secrets: Record<string, string | undefined>,
): { settings: Record<string, unknown>; secrets: Record<string, string | undefined> } {
  const driver = driverFor(kind);
  const s = driver.settings.safeParse(settings);
  const k = driver.secrets.safeParse(secrets);
  const problems: string[] = [];
  if (!s.success)
    problems.push(...s.error.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`));
  if (!k.success)
    problems.push(...k.error.issues.map((i) => `secret ${i.path.join('.') || ''}: ${i.message}`));
  if (s.success && k.success) problems.push(...driver.check(s.data, k.data));
  if (problems.length > 0)
    throw invalid(`The ${kind} channel settings need fixing: ${problems.join('; ')}`, { problems });
  return {
    settings: s.data as Record<string, unknown>,
    secrets: k.data as Record<string, string | undefined>,
  };
}
