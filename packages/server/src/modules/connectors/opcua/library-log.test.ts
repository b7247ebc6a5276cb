import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const module = fileURLToPath(new URL('./library-log.ts', import.meta.url));

/**
 * In a fresh Node process (node-opcua's loggers are process-wide): load the routing, run
 * node-opcua's RSA PKCS#1 v1.5 self-test to its end (it runs un-awaited on load), then emit
 * one other library warning, which must still come through.
 */
const script = `
import { routeLibraryWarnings } from ${JSON.stringify(module)};
import { make_warningLog } from 'node-opcua-debug';
import { testRSAPKCS1V15_EncryptDecrypt } from 'node-opcua-secure-channel/dist/source/verify_pcks1.js';
const lines = [];
const log = { warn: (_o, m) => lines.push(m), debug: () => {} };
routeLibraryWarnings(log);
await testRSAPKCS1V15_EncryptDecrypt();
make_warningLog('TEST')('a warning that matters');
process.stdout.write(JSON.stringify(lines));
`;

describe('node-opcua warnings', () => {
  it('drops the --security-revert advice (no policy Aegis offers needs PKCS#1 v1.5) and logs the others', async () => {
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        { cwd: fileURLToPath(new URL('../../../..', import.meta.url)), timeout: 60_000 },
        (err, out, errOut) =>
          err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve({ stdout: out, stderr: errOut }),
      ),
    );
    const lines = JSON.parse(stdout.slice(stdout.lastIndexOf('['))) as string[];
    expect(lines).toEqual(['a warning that matters']);
    expect(stdout + stderr).not.toMatch(/security-revert/);
  }, 90_000);
});
