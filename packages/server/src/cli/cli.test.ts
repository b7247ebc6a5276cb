import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAegis } from '../app.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/index.js';
import { createPgDatabase, TEST_DB } from '../test/harness.js';
import { createLogger, runCli } from './commands.js';

const run = promisify(execFile);
let dataDir: string;
let pgDb: Awaited<ReturnType<typeof createPgDatabase>> | null = null;

/** Runs `aegis <args>` in-process and returns what it printed and its exit code. */
async function aegis(...args: string[]) {
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    const program = new Command().exitOverride();
    await runCli(program, [
      'node',
      'aegis',
      ...args,
      '--data-dir',
      dataDir,
      ...(pgDb ? ['--database-url', pgDb.url] : []),
    ]);
    return { out: out.join(''), code: process.exitCode ?? 0 };
  } finally {
    spy.mockRestore();
    errSpy.mockRestore();
    process.exitCode = before;
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'aegis-cli-'));
  if (TEST_DB === 'pg') pgDb = await createPgDatabase();
});
afterAll(async () => {
  await pgDb?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('aegis CLI', () => {
  // The first migration of an on-disk PGlite takes a while on a busy 2-core machine.
  it('migrates an empty database', { timeout: 120_000 }, async () => {
    expect((await aegis('migrate')).out).toMatch(/up to date/);
  });

  it('creates an administrator with a one-time password, and lists users', async () => {
    const created = await aegis('user', 'create', '--username', 'chief', '--name', '总工', '--admin');
    expect(created.out).toMatch(/Created user chief .* with admin/);
    expect(created.out).toMatch(/One-time password: \S+/);
    const list = await aegis('user', 'list');
    expect(list.out).toMatch(/chief\s+总工\s+person\s+active/);
  });

  it('refuses a weak password with the policy in the message', async () => {
    await expect(aegis('user', 'create', '--username', 'weak', '--password', 'abc')).rejects.toThrow(
      /password must be at least/,
    );
  });

  it('verifies the audit trail, and exits 2 naming the entry after tampering', async () => {
    const ok = await aegis('audit', 'verify');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/Audit trail intact: \d+ entries/);

    const opened = await openDatabase({
      dataDir,
      databaseUrl: pgDb?.url,
      dbAppRole: 'aegis_app',
      dbPoolSize: 1,
    });
    await opened.db.execAsOwner(
      "ALTER TABLE audit_log DISABLE TRIGGER USER; UPDATE audit_log SET actor_name = 'ghost' WHERE seq = 2; ALTER TABLE audit_log ENABLE TRIGGER USER;",
    );
    await opened.close();
    const broken = await aegis('audit', 'verify');
    expect(broken.code).toBe(2);
    expect(broken.out).toMatch(/AUDIT TRAIL BROKEN at entry #2/);
  });

  it('exports the audit trail to a CSV file', async () => {
    const file = path.join(dataDir, 'audit.csv');
    await aegis('audit', 'export', '--action', 'user.', '--out', file);
    const text = readFileSync(file, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff); // the BOM makes Excel read UTF-8
    const lines = text.slice(1).trim().split('\r\n');
    expect(lines[0]).toMatch(/^seq,at,/);
    expect(lines.some((l) => l.includes('user.create'))).toBe(true);
    await expect(aegis('audit', 'export', '--from', 'last week')).rejects.toThrow(/not a date/);
  });
});

describe('aegis start', () => {
  it('says clearly when the port it wants is taken', { timeout: 120_000 }, async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const dir = mkdtempSync(path.join(tmpdir(), 'aegis-start-'));
    try {
      const cli = path.resolve(import.meta.dirname, 'main.ts');
      const res = await run(
        process.execPath,
        [
          '--import',
          'tsx',
          '--conditions=aegis-source',
          cli,
          'start',
          '--port',
          String(port),
          '--host',
          '127.0.0.1',
          '--data-dir',
          dir,
          '--log-level',
          'silent',
        ],
        {
          env: {
            ...process.env,
            AEGIS_ADMIN_PASSWORD: 'Start-Test-Pass-1',
            DATABASE_URL: '',
            MQTT_URL: '',
            AEGIS_MQTT_PORT: '0',
            AEGIS_MQTT_WS_PORT: '0',
          },
          timeout: 110_000,
        },
      ).catch((e: { stderr: string; code: number }) => e);
      expect((res as { code: number }).code).toBe(1);
      expect((res as { stderr: string }).stderr).toMatch(
        new RegExp(`Port ${port} on 127.0.0.1 is already in use`),
      );
    } finally {
      blocker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('process roles', () => {
  it('refuses to start a split role configuration, naming the setting', async () => {
    await expect(aegis('start', '--roles', 'api')).rejects.toThrow(
      /roles \(AEGIS_ROLES\): splitting the process roles across nodes is not supported yet/,
    );
    await expect(aegis('start', '--roles', 'realtime,connectors,scheduler')).rejects.toThrow(
      /not supported yet/,
    );
  });
});

describe('console output', () => {
  const capture = () => {
    const lines: string[] = [];
    const out = new Writable({
      write(chunk, _enc, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    return { out, lines };
  };

  it('writes one readable line per entry in pretty format, JSON lines otherwise', () => {
    const pretty = capture();
    createLogger({ logLevel: 'info', logFormat: 'pretty', logPretty: false }, pretty.out).info(
      { connector: 'mqtt-default', attempt: 2 },
      'connected',
    );
    expect(pretty.lines).toHaveLength(1);
    expect(pretty.lines[0]).toMatch(/INFO.*connected.*mqtt-default/);
    expect(pretty.lines[0]!.startsWith('{')).toBe(false);

    const json = capture();
    createLogger({ logLevel: 'info', logFormat: 'auto', logPretty: false }, json.out).info('connected');
    expect(JSON.parse(json.lines[0]!)).toMatchObject({ level: 30, msg: 'connected' });
  });

  it('logs requests at debug level only, one line each', { timeout: 120_000 }, async () => {
    const captured = capture();
    const config = loadConfig({
      env: {},
      overrides: { dataDir, logLevel: 'debug', logFormat: 'json', mqttPort: 0, mqttWsPort: 0 },
    });
    const app = await createAegis(config, {
      logger: createLogger(config, captured.out),
      inMemoryDb: true,
      timers: false,
    });
    try {
      await app.http.inject({ method: 'GET', url: '/api/auth/me' });
      await app.http.inject({ method: 'GET', url: '/healthz' });
    } finally {
      await app.close();
    }
    const entries = captured.lines.map((l) => JSON.parse(l) as { level: number; msg: string; url?: string });
    const requests = entries.filter((e) => e.url !== undefined && /request/.test(e.msg));
    expect(requests.map((e) => [e.level, e.url])).toEqual([
      [20, '/api/auth/me'],
      [20, '/healthz'],
    ]);
  });
});

describe('npm test', () => {
  const script = path.resolve(import.meta.dirname, '../../../../scripts/ensure-chromium.mjs');
  it('stops at once with the command to run when Chromium is missing', async () => {
    const res = await run(process.execPath, [script], {
      env: { ...process.env, AEGIS_CHROMIUM: '/nonexistent/chromium' },
    }).catch((e: { code: number; stderr: string }) => e);
    expect((res as { code: number }).code).toBe(1);
    expect((res as { stderr: string }).stderr).toMatch(/need Chromium at \/nonexistent\/chromium/);
  });

  it('stops with the command to run when pdftotext (for the permit PDF tests) is missing', async () => {
    const res = await run(process.execPath, [script], {
      env: { ...process.env, AEGIS_CHROMIUM: process.execPath, AEGIS_PDFTOTEXT: '/nonexistent/pdftotext' },
    }).catch((e: { code: number; stderr: string }) => e);
    expect((res as { code: number }).code).toBe(1);
    expect((res as { stderr: string }).stderr).toMatch(/apt-get install -y poppler-utils/);
  });

  it('goes on when Chromium is there', async () => {
    const res = await run(process.execPath, [script], {
      env: { ...process.env, AEGIS_CHROMIUM: process.execPath },
    });
    expect(res.stderr).toBe('');
  });
});
