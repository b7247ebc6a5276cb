#!/usr/bin/env node
// Run first by `npm test`: the browser tests need Chromium and the permit PDF tests read PDFs with
// poppler's `pdftotext`. Finds them, installs Debian's `chromium` / `poppler-utils` when running as
// root with apt-get, or stops at once with the one command to run — before the web UI is built and
// the other tests have run for minutes.
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

const pdftotext = process.env.AEGIS_PDFTOTEXT || '/usr/bin/pdftotext';

/** apt-get install as root; false when that is not possible here or failed. */
function aptInstall(pkg) {
  if (process.getuid?.() !== 0 || !hasApt()) return false;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  return (
    update.status === 0 &&
    spawnSync('apt-get', ['install', '-y', '-qq', pkg], { stdio: 'inherit', env }).status === 0
  );
}

function ensurePdftotext() {
  if (executable(pdftotext)) return;
  if (!process.env.AEGIS_PDFTOTEXT) {
    process.stderr.write(
      "The permit PDF tests read PDFs with pdftotext: installing Debian's poppler-utils…\n",
    );
    if (aptInstall('poppler-utils') && executable(pdftotext)) return;
  }
  process.stderr.write(
    `The permit PDF tests need pdftotext (poppler) at ${pdftotext}, which is missing. Install it with:\n\n` +
      '  sudo apt-get install -y poppler-utils\n\nor point AEGIS_PDFTOTEXT at it, then run npm test again.\n',
  );
  process.exit(1);
}

if (executable(chromium)) {
  ensurePdftotext();
  process.exit(0);
}

if (!process.env.AEGIS_CHROMIUM && process.getuid?.() === 0 && hasApt()) {
  process.stderr.write(
    "The browser tests need Chromium: installing Debian's chromium (apt-get install chromium)…\n",
  );
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install =
    update.status === 0 &&
    spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env }).status === 0;
  if (install && executable(chromium)) {
    ensurePdftotext();
    process.exit(0);
  }
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
