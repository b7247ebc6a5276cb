#!/usr/bin/env node
// Runs the compiled CLI (npm run build); in a source checkout without a build, use `npm run aegis -- <command>`.
import('../dist/cli/main.js');
