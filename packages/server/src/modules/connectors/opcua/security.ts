import type { OpcuaConnectorConfigSchema } from '@aegis/shared';
import { MessageSecurityMode, SecurityPolicy } from 'node-opcua';
import type { z } from 'zod';

type Config = Pick<z.output<typeof OpcuaConnectorConfigSchema>, 'securityMode' | 'securityPolicy'>;

const MODES: Record<Config['securityMode'], MessageSecurityMode> = {
  None: MessageSecurityMode.None,
  Sign: MessageSecurityMode.Sign,
  SignAndEncrypt: MessageSecurityMode.SignAndEncrypt,
};
const POLICIES: Record<Config['securityPolicy'], SecurityPolicy> = {
  None: SecurityPolicy.None,
  Basic256Sha256: SecurityPolicy.Basic256Sha256,
  Aes128_Sha256_RsaOaep: SecurityPolicy.Aes128_Sha256_RsaOaep,
  Aes256_Sha256_RsaPss: SecurityPolicy.Aes256_Sha256_RsaPss,
};

/**
 * The node-opcua security settings of a connector. Mode None goes only with policy None, and a
 * signing mode needs a real policy: no server offers the other pairs, so they are refused up front.
 */
export function securitySettings(
  config: Config,
): { ok: true; mode: MessageSecurityMode; policy: SecurityPolicy } | { ok: false; detail: string } {
  if ((config.securityMode === 'None') !== (config.securityPolicy === 'None')) {
    return {
      ok: false,
      detail: `security mode ${config.securityMode} does not go with security policy ${config.securityPolicy}: use None with None, or Sign/SignAndEncrypt with a policy`,
    };
  }
  return { ok: true, mode: MODES[config.securityMode], policy: POLICIES[config.securityPolicy] };
}
