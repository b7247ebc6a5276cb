import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { createOutboundPolicy, parseAllowList } from './outbound.js';

/** A DNS of a few names, so the tests need no network. */
const names: Record<string, string[]> = {
  'broker.example.com': ['93.184.216.34'],
  'plc.local': ['10.1.2.3'],
  'rebind.example.com': ['93.184.216.34', '169.254.169.254'],
  'inside.example.com': ['192.168.1.10'],
  'v6.example.com': ['2001:db8::1', '::1'],
};
const lookup = async (host: string) => names[host] ?? [];

const policy = (allow = '') => createOutboundPolicy({ allow, lookup });

describe('outbound address policy', () => {
  it('never reaches metadata or link-local addresses, even when listed', async () => {
    const p = policy('169.254.0.0/16,0.0.0.0/0,::/0');
    for (const url of [
      'mqtt://169.254.169.254',
      'opc.tcp://[fe80::1]:4840',
      'opc.tcp://[fd00:ec2::254]:4840',
      'mqtt://100.100.100.200:1883',
      'mqtt://[::ffff:169.254.169.254]:1883',
    ]) {
      const v = await p.check(url, url.startsWith('mqtt') ? 'mqtt' : 'opcua');
      expect(v, url).toMatchObject({ allowed: false, rule: 'metadata-or-link-local' });
    }
  });

  it('refuses a name when any of its addresses is refused', async () => {
    const v = await policy().check('mqtt://rebind.example.com', 'mqtt');
    expect(v).toMatchObject({ allowed: false, rule: 'metadata-or-link-local', host: 'rebind.example.com' });
    expect(await policy().check('mqtt://v6.example.com', 'mqtt')).toMatchObject({ rule: 'loopback' });
  });

  it('reaches loopback and private ranges only where an administrator lists them', async () => {
    expect(await policy().check({ host: '127.0.0.1', port: 5432 }, 'modbus')).toMatchObject({
      allowed: false,
      rule: 'loopback',
    });
    expect(await policy().check('opc.tcp://plc.local:4840', 'opcua')).toMatchObject({ rule: 'private' });
    expect(await policy().check({ host: '::1', port: 22 }, 'modbus')).toMatchObject({ rule: 'loopback' });

    const listed = policy('127.0.0.1/32, 10.0.0.0/8, inside.example.com');
    expect(await listed.check({ host: '127.0.0.1', port: 502 }, 'modbus')).toMatchObject({ allowed: true });
    expect(await listed.check({ host: '127.0.0.2', port: 502 }, 'modbus')).toMatchObject({
      rule: 'loopback',
    });
    expect(await listed.check('opc.tcp://plc.local:4840', 'opcua')).toMatchObject({
      allowed: true,
      port: 4840,
      addresses: ['10.1.2.3'],
    });
    expect(await listed.check('mqtt://inside.example.com', 'mqtt')).toMatchObject({
      allowed: true,
      port: 1883,
    });
    expect(await listed.check({ host: '192.168.1.10', port: 502 }, 'modbus')).toMatchObject({
      rule: 'private',
    });
    expect(await policy('*.example.com').check('mqtt://inside.example.com', 'mqtt')).toMatchObject({
      allowed: true,
    });
  });

  it('reaches public addresses', async () => {
    expect(await policy().check('mqtts://broker.example.com', 'mqtt')).toMatchObject({
      allowed: true,
      port: 8883,
      addresses: ['93.184.216.34'],
    });
  });

  it('refuses file: and schemes the kind does not speak', async () => {
    const p = policy('0.0.0.0/0');
    expect(await p.check('file:///etc/passwd', 'mqtt')).toMatchObject({ allowed: false, rule: 'scheme' });
    expect(await p.check('file:///etc/passwd', 'webhook')).toMatchObject({ rule: 'scheme' });
    expect(await p.check('gopher://broker.example.com', 'mqtt')).toMatchObject({ rule: 'scheme' });
    expect(await p.check('http://broker.example.com', 'opcua')).toMatchObject({ rule: 'scheme' });
    expect(await p.check('https://broker.example.com/hook', 'webhook')).toMatchObject({ allowed: true });
  });

  it('refuses unspecified addresses and names that do not resolve', async () => {
    expect(await policy('0.0.0.0/0').check({ host: '0.0.0.0', port: 80 }, 'modbus')).toMatchObject({
      rule: 'unspecified-or-multicast',
    });
    expect(await policy().check({ host: 'nowhere.example.com', port: 502 }, 'modbus')).toMatchObject({
      rule: 'unresolvable',
    });
    expect(await policy().check({ host: 'a b', port: 502 }, 'modbus')).toMatchObject({
      rule: 'invalid-address',
    });
  });

  it('names the rule and how to lift it in its message', async () => {
    const v = await policy().check({ host: '127.0.0.1', port: 22 }, 'modbus');
    expect(v.allowed).toBe(false);
    if (!v.allowed) expect(v.message).toMatch(/rule loopback.*AEGIS_OUTBOUND_ALLOW/);
  });

  it('stops the start with a bad AEGIS_OUTBOUND_ALLOW, naming the setting', () => {
    expect(() => loadConfig({ env: { AEGIS_OUTBOUND_ALLOW: '10.0.0.0/8,not a host' } })).toThrow(
      /outboundAllow \(AEGIS_OUTBOUND_ALLOW\).*"not a host"/,
    );
    expect(loadConfig({ env: {} })).toMatchObject({
      outboundAllow: '',
      opcuaCertificateTrust: 'trust-on-first-use-with-approval',
    });
  });

  it('refuses an allow list with bad entries, naming them', () => {
    expect(() => parseAllowList('10.0.0.0/8, 10.0.0.0/33, http://x')).toThrow(/"10.0.0.0\/33", "http:\/\/x"/);
    expect(() => parseAllowList(' 127.0.0.1 , ::1/128, plc-7.plant.local ')).not.toThrow();
  });
});
