#!/usr/bin/env node
import { Command } from 'commander';
import { runCli } from './commands.js';

runCli(new Command(), process.argv).catch((e) => {
  process.stderr.write(`aegis: ${(e as Error).message}\n`);
  process.exit(1);
});
