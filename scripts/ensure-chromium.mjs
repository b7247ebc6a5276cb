#!/usr/bin/env node
// Run first by `npm test`: the browser tests need Chromium. Finds it, installs Debian's `chromium`
// when running as root with apt-get, or stops at once with the one command to run — before the
// web UI is built and the other tests have run for minutes.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

const chromium = process.env.AEGIS_CHROMIUM || '/usr/bin/chromium';

function executable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function hasApt() {
  return spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
}

if (executable(chromium)) process.exit(0);

if (!process.env.AEGIS_CHROMIUM && process.getuid?.() === 0 && hasApt()) {
  process.stderr.write(
    "The browser tests need Chromium: installing Debian's chromium (apt-get install chromium)…\n",
  );
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install =
    update.status === 0 &&
    spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env }).status === 0;
  if (install && executable(chromium)) process.exit(0);
  process.stderr.write('Installing chromium failed (see above).\n');
  process.exit(1);
}

process.stderr.write(
  `The browser tests need Chromium at ${chromium}, which is missing. Install it with:\n\n` +
    (process.env.AEGIS_CHROMIUM
      ? `  (AEGIS_CHROMIUM points to ${chromium}: fix the path or unset it)\n\n`
      : '  sudo apt-get install -y chromium\n\n') +
    'or point AEGIS_CHROMIUM at another Chromium/Chrome binary, then run npm test again.\n',
);
process.exit(1);
