/**
 * npm run bench — the figures a release is judged by, one benchmark after the other (each in its
 * own process, so one's load does not slow the next): bench:ingest, bench:notify, bench:kpi, then
 * bench:storage (100 million points of history on PostgreSQL: the longest, 20–30 minutes, and
 * ~15 GB of disk while it runs). The arguments go to each (each reads the flags it knows: --db,
 * --points, --alarms…; --points means ingested points to bench:ingest and points of history to
 * bench:storage).
 *
 * Usage: npm run bench [-- --db pglite|pg|both] [--json]
 *   --json: one JSON object, {"benchmark":"all","ingest":{…},"notify":{…},"kpi":{…},"storage":{…}},
 *   each as its own --json prints it.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { args, asJson } from './common.js';

const BENCHES = ['ingest', 'notify', 'kpi', 'storage'] as const;

function run(name: string): Promise<string> {
  const file = path.join(import.meta.dirname, `${name}.ts`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=aegis-source', file, ...args], {
      stdio: ['ignore', asJson ? 'pipe' : 'inherit', 'inherit'],
    });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString('utf8');
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`bench:${name} exited with ${code}`)),
    );
  });
}

const reports: Record<string, unknown> = {};
for (const name of BENCHES) {
  const out = await run(name);
  if (asJson) reports[name] = JSON.parse(out.trim().split('\n').at(-1) ?? 'null');
}
if (asJson) process.stdout.write(`${JSON.stringify({ benchmark: 'all', ...reports })}\n`);
