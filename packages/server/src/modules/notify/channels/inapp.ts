import { z } from 'zod';
import { type ChannelDriver, SendError } from './types.js';

/**
 * In-app notification centre: everybody who signs in can be reached. The worker writes the
 * notification rows itself (in its transaction, with the live frame for the bell), so there is
 * nothing to send; a call to `send` is a wiring mistake and fails loudly.
 */
export const inappDriver: ChannelDriver<Record<string, never>, Record<string, never>> = {
  kind: 'inapp',
  settings: z.object({}) as unknown as z.ZodType<Record<string, never>>,
  secrets: z.object({}) as unknown as z.ZodType<Record<string, never>>,
  limits: { perMinute: null, perSecond: null },
  grouped: false,
  addressOf: () => 'in-app',
  check: () => [],
  async send() {
    throw new SendError(
      'In-app notifications are written by the notification worker, not sent through a driver',
      false,
    );
  },
};
