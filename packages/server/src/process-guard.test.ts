import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const guard = fileURLToPath(new URL('./process-guard.ts', import.meta.url));

/**
 * A real Node process with the guard installed: a rejected promise nobody handles and a throw
 * in a timer, then a marker that proves the process (and its timers) kept running.
 */
const script = `
import pino from 'pino';
import { installProcessGuard, processFaults } from ${JSON.stringify(guard)};
installProcessGuard(pino({ level: 'fatal' }, pino.destination(2)));
Promise.reject(new Error('poll plan is null'));
setTimeout(() => { throw new Error('thrown in a timer'); }, 10);
// The "alarm engine": a loop that must still run after both faults (the marker proves it).
const alarmEngine = setInterval(() => {
  const f = processFaults();
  if (f.unhandledRejections === 0 || f.uncaughtExceptions === 0) return;
  clearInterval(alarmEngine);
  process.stdout.write(JSON.stringify({ alive: true, ticking: true, ...f }));
}, 5);
`;

function run(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: fileURLToPath(new URL('..', import.meta.url)), timeout: 30_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('process guard', () => {
  it('keeps the server process running after an unhandled rejection and an uncaught exception, logged and counted', async () => {
    const { code, stdout, stderr } = await run();
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      alive: true,
      ticking: true,
      unhandledRejections: 1,
      uncaughtExceptions: 1,
    });
    expect(stderr).toContain('poll plan is null');
    expect(stderr).toContain('unhandled promise rejection');
    expect(stderr).toContain('thrown in a timer');
  }, 40_000);
});
