import { MessageSecurityMode, SecurityPolicy } from 'node-opcua';
import { describe, expect, it } from 'vitest';
import { securitySettings } from './security.js';

describe('securitySettings', () => {
  it('maps the configured mode and policy to node-opcua', () => {
    expect(securitySettings({ securityMode: 'None', securityPolicy: 'None' })).toEqual({
      ok: true,
      mode: MessageSecurityMode.None,
      policy: SecurityPolicy.None,
    });
    expect(
      securitySettings({ securityMode: 'SignAndEncrypt', securityPolicy: 'Aes256_Sha256_RsaPss' }),
    ).toEqual({
      ok: true,
      mode: MessageSecurityMode.SignAndEncrypt,
      policy: SecurityPolicy.Aes256_Sha256_RsaPss,
    });
  });

  it('refuses pairs no server offers', () => {
    expect(securitySettings({ securityMode: 'Sign', securityPolicy: 'None' }).ok).toBe(false);
    expect(securitySettings({ securityMode: 'None', securityPolicy: 'Basic256Sha256' })).toMatchObject({
      ok: false,
      detail: expect.stringContaining('does not go with'),
    });
  });
});
