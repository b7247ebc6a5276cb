import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { ADMIN_PASSWORD } from './harness.js';

const cli = path.resolve(import.meta.dirname, '../cli/main.ts');

/**
 * A real `aegis start` in its own process, on a test app's data directory or database: for the
 * tests that kill it with SIGKILL and start it again. Its errors go to the test's stderr.
 */
export function startAegisChild(opts: {
  httpPort: number;
  dataDir: string;
  databaseUrl: string | null;
  /** More settings (AEGIS_*), e.g. the broker's ports or the outbound allow list. */
  env?: Record<string, string>;
}): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=aegis-source', cli, 'start', '--host', '127.0.0.1'],
    {
      env: {
        ...process.env,
        AEGIS_PORT: String(opts.httpPort),
        AEGIS_DATA_DIR: opts.dataDir,
        DATABASE_URL: opts.databaseUrl ?? '',
        MQTT_URL: '',
        // The embedded broker takes any free ports unless told: no race with other tests for them.
        AEGIS_MQTT_PORT: '0',
        AEGIS_MQTT_WS_PORT: '0',
        AEGIS_ADMIN_PASSWORD: ADMIN_PASSWORD,
        AEGIS_LOG_LEVEL: 'error',
        AEGIS_LOG_FORMAT: 'json',
        ...opts.env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[aegis child] ${d}`));
  return child;
}

/** Resolves once the child answers /readyz; throws when it exits first or takes over 90 s. */
export async function childReady(child: ChildProcess, httpPort: number) {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`aegis exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${httpPort}/readyz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('aegis did not become ready');
}

export const childExited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));

export async function kill9(child: ChildProcess) {
  child.kill('SIGKILL');
  await childExited(child);
}
