import { Writable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { redactingLogger, redactSecrets, splitUrlCredentials } from './secrets.js';

describe('connector secrets', () => {
  it('splits credentials out of a URL, decoding them', () => {
    expect(splitUrlCredentials('mqtt://plant:p%40ss%3Aword@broker:1883/x')).toEqual({
      url: 'mqtt://broker:1883/x',
      username: 'plant',
      password: 'p@ss:word',
    });
    expect(splitUrlCredentials('opc.tcp://operator@plc:4840')).toEqual({
      url: 'opc.tcp://plc:4840',
      username: 'operator',
    });
    expect(splitUrlCredentials('mqtt://broker')).toEqual({ url: 'mqtt://broker' });
  });

  it('redacts URL credentials and known secrets from any text', () => {
    expect(redactSecrets('connect mqtt://u:pw@h:1 failed', [])).toBe('connect mqtt://***@h:1 failed');
    expect(redactSecrets('login with Secret-1 refused (Secret-1)', ['Secret-1'])).toBe(
      'login with *** refused (***)',
    );
    expect(redactSecrets('bad p%40ss', ['p@ss'])).toBe('bad ***');
  });

  it('redacts every log line and logged error of a connector, children included', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = redactingLogger(pino({ level: 'info' }, sink) as unknown as FastifyBaseLogger, ['Secret-1']);
    log.warn({ url: 'mqtt://u:Secret-1@h' }, 'refused with Secret-1');
    log.child({ connector: 'x' }).error({ err: new Error('auth Secret-1 failed') }, 'failed');
    const text = lines.join('');
    expect(lines).toHaveLength(2);
    expect(text).not.toContain('Secret-1');
    expect(text).toContain('auth *** failed');
    expect(text).toContain('"connector":"x"');
  });
});
