import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration', () => {
  it('has working defaults: port 8080 and ./data', () => {
    const c = loadConfig({ env: {} });
    expect(c.port).toBe(8080);
    expect(c.dataDir).toBe(path.resolve('data'));
    expect(c.databaseUrl).toBeUndefined();
    expect(c.roles).toEqual(['api', 'realtime', 'connectors', 'scheduler']);
  });

  it('reads the environment, then a file, with flags winning', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aegis-cfg-'));
    const file = path.join(dir, 'aegis.json');
    writeFileSync(file, JSON.stringify({ port: 9000, lockoutMaxAttempts: 7 }));
    const c = loadConfig({
      env: { AEGIS_CONFIG: file, AEGIS_PORT: '9100', AEGIS_LOG_LEVEL: 'warn' },
      overrides: { port: 9200 },
    });
    expect(c.port).toBe(9200);
    expect(c.lockoutMaxAttempts).toBe(7);
    expect(c.logLevel).toBe('warn');
  });

  it('names every bad key with its environment variable', () => {
    try {
      loadConfig({ env: { AEGIS_PORT: 'eighty', DATABASE_URL: 'mysql://x', AEGIS_ROLES: 'api,coffee' } });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const msg = (e as Error).message;
      expect(msg).toMatch(/port \(AEGIS_PORT\)/);
      expect(msg).toMatch(/databaseUrl \(DATABASE_URL\): must be a postgres/);
      expect(msg).toMatch(/roles \(AEGIS_ROLES\)/);
    }
  });

  it('refuses unknown keys in the file and a file that is not JSON', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aegis-cfg-'));
    const file = path.join(dir, 'aegis.json');
    writeFileSync(file, JSON.stringify({ prot: 1 }));
    expect(() => loadConfig({ env: {}, file })).toThrow(/unknown setting\(s\): prot/);
    writeFileSync(file, 'port = 1');
    expect(() => loadConfig({ env: {}, file })).toThrow(/config file/);
  });

  it('trusts no proxy by default, and reads a list of proxies or a hop count', () => {
    expect(loadConfig({ env: {} }).trustProxy).toBe(false);
    expect(loadConfig({ env: { AEGIS_TRUST_PROXY: 'off' } }).trustProxy).toBe(false);
    expect(loadConfig({ env: { AEGIS_TRUST_PROXY: '1' } }).trustProxy).toBe(1);
    expect(loadConfig({ env: { AEGIS_TRUST_PROXY: '10.0.0.5, 192.168.1.0/24,::1' } }).trustProxy).toEqual([
      '10.0.0.5',
      '192.168.1.0/24',
      '::1',
    ]);
    expect(() => loadConfig({ env: { AEGIS_TRUST_PROXY: 'true' } })).toThrow(
      /trustProxy \(AEGIS_TRUST_PROXY\): not an IP address or CIDR: true/,
    );
    expect(() => loadConfig({ env: { AEGIS_TRUST_PROXY: '10.0.0.0/33' } })).toThrow(/AEGIS_TRUST_PROXY/);
  });

  it('reads allowed origins as scheme://host[:port] only', () => {
    expect(
      loadConfig({ env: { AEGIS_ALLOWED_ORIGINS: 'https://aegis.example.com, http://10.0.0.5:8080' } })
        .allowedOrigins,
    ).toEqual(['https://aegis.example.com', 'http://10.0.0.5:8080']);
    expect(() => loadConfig({ env: { AEGIS_ALLOWED_ORIGINS: 'https://aegis.example.com/app' } })).toThrow(
      /allowedOrigins \(AEGIS_ALLOWED_ORIGINS\): .* is not an origin/,
    );
  });

  it('refuses split process roles until several nodes are supported', () => {
    expect(() => loadConfig({ env: { AEGIS_ROLES: 'api,realtime' } })).toThrow(/not supported yet/);
    expect(loadConfig({ env: { AEGIS_ROLES: 'scheduler,connectors,realtime,api' } }).roles).toHaveLength(4);
  });
});
