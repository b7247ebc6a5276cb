#!/usr/bin/env node
// Runs the compiled CLI (npm run build); in a source checkout without a build, use `npm run aegis -- <command>`.
import('../dist/cli/main.js').catch((e) => {
  process.stderr.write(`aegis: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
