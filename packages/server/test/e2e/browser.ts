import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, vi } from 'vitest';
import { ADMIN_PASSWORD, seedTwoWorkshops, startTestApp, type TestApp } from '../../src/test/harness.js';

/**
 * Browser tests: the built web UI served by a real, listening Aegis (PGlite in memory), driven by
 * Debian's chromium through playwright-core. One server and one browser per test file, a fresh
 * browser context (cookies, localStorage) per test.
 *
 *   AEGIS_CHROMIUM=/path/to/chrome   another Chromium binary (default /usr/bin/chromium)
 *   AEGIS_E2E_DEV=1                  test a development build of the UI, so React and antd warnings
 *                                    reach the console and fail the test
 *   AEGIS_E2E_HEADED=1               watch it run (needs a display)
 */

const REPO = path.resolve(import.meta.dirname, '../../../..');
const WEB = path.join(REPO, 'packages/web');
const DEV = process.env.AEGIS_E2E_DEV === '1';
const CHROMIUM = process.env.AEGIS_CHROMIUM || '/usr/bin/chromium';

export const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};

/** Newest modification time under the given files and folders (test files included: cheap and harmless). */
function newestMtime(paths: string[]): number {
  let newest = 0;
  const walk = (p: string) => {
    if (!existsSync(p)) return;
    const s = statSync(p);
    if (s.isDirectory()) for (const e of readdirSync(p)) walk(path.join(p, e));
    else newest = Math.max(newest, s.mtimeMs);
  };
  paths.forEach(walk);
  return newest;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${cmd} ${args.join(' ')} failed (${code}):\n${out.slice(-4000)}`)),
    );
  });
}

/** A lock file holding the owner's pid; one left behind by a killed process is taken over. */
function takeLock(lock: string): boolean {
  try {
    writeFileSync(lock, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    try {
      const owner = Number(readFileSync(lock, 'utf8'));
      if (owner > 0) process.kill(owner, 0); // throws ESRCH when the owner is gone
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') rmSync(lock, { force: true });
    }
    return false;
  }
}

/**
 * Builds the web UI when its output is missing or older than its sources, and returns a copy of
 * it to serve: a rebuild while the tests run (the next test file, `npm test` next door) replaces
 * the hashed chunks that open pages still load. Test files may run in parallel, so building and
 * copying happen under a lock file.
 */
export async function ensureWebBuild(): Promise<string> {
  const outDir = DEV ? path.join(WEB, 'node_modules/.aegis-e2e-dev') : path.join(WEB, 'dist');
  const sources = [
    path.join(WEB, 'src'),
    path.join(WEB, 'public'),
    path.join(WEB, 'index.html'),
    path.join(WEB, 'vite.config.ts'),
    path.join(REPO, 'packages/shared/src'),
  ];
  const fresh = () => {
    const index = path.join(outDir, 'index.html');
    return existsSync(index) && statSync(index).mtimeMs >= newestMtime(sources);
  };
  const lock = path.join(tmpdir(), `aegis-web-build-${DEV ? 'dev' : 'prod'}.lock`);
  const deadline = Date.now() + 5 * 60_000;
  while (!takeLock(lock)) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for the web build (lock ${lock})`);
    await new Promise((r) => setTimeout(r, 500));
  }
  try {
    // vitest sets NODE_ENV=test, which would give React's and antd's test builds
    if (!fresh() && DEV) {
      await run('npx', ['vite', 'build', '--mode', 'development', '--outDir', outDir], WEB, {
        NODE_ENV: 'development',
      });
    } else if (!fresh()) {
      await run('npm', ['run', 'build', '-w', '@aegis/web'], REPO, { NODE_ENV: 'production' });
    }
    const copy = mkdtempSync(path.join(tmpdir(), 'aegis-e2e-web-'));
    cpSync(outDir, copy, { recursive: true });
    return copy;
  } finally {
    rmSync(lock, { force: true });
  }
}

/** Debian's Chromium headless; `extraArgs` for a test that needs more (the fake camera of the phone tests). */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The browser tests need Chromium at ${CHROMIUM}: install it (apt-get install chromium) or set AEGIS_CHROMIUM`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: process.env.AEGIS_E2E_HEADED !== '1',
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', ...extraArgs],
  });
}

/** What the page said that nobody asked for: uncaught errors and console errors/warnings. */
interface PageLog {
  page: Page;
  problems: string[];
}

// The browser reports every 4xx/5xx answer on the console; the tests provoke some on purpose
// (401 before signing in, 403 for a forbidden page), and the app shows them to the user itself.
// The offline tests cut the network (context.setOffline): requests fail and the pages say so.
const EXPECTED_CONSOLE = [
  /^Failed to load resource: the server responded with a status of 4\d\d/,
  /net::ERR_INTERNET_DISCONNECTED/,
  // the service worker is off unless a test turns it on (see `serviceWorkers` below)
  /^Service Worker registration blocked by Playwright/,
];

export interface BrowserSuite {
  app: TestApp;
  baseUrl: string;
  browser: Browser;
  plant: Awaited<ReturnType<typeof seedTwoWorkshops>>;
  /** A page in a fresh browser context (own cookies and storage); closed after the test. */
  page(options?: BrowserContextOptions): Promise<Page>;
}

/**
 * Registers the hooks of a browser test file and returns the suite, whose fields are set once
 * `beforeAll` has run. A failing test leaves a screenshot of each of its pages in a temp folder.
 */
export function useBrowserSuite(opts: { chromiumArgs?: string[] } = {}): BrowserSuite {
  let contexts: BrowserContext[] = [];
  let logs: PageLog[] = [];
  let shots: string | null = null;
  let webDir: string | null = null;
  const suite = {} as BrowserSuite;
  // a browser story takes seconds, more on a busy CI machine
  vi.setConfig({ testTimeout: 120_000 });

  beforeAll(async () => {
    // the browser first: without one, fail at once rather than after a build
    const browser = await launchChromium(opts.chromiumArgs);
    suite.browser = browser;
    webDir = await ensureWebBuild();
    suite.app = await startTestApp({ webDir });
    // The session cookie expires by the app's clock; the browser compares it with the real one.
    suite.app.clock.set(new Date());
    suite.plant = await seedTwoWorkshops(suite.app);
    const address = await suite.app.aegis.http.listen({ host: '127.0.0.1', port: 0 });
    suite.baseUrl = address;
    suite.page = async (options = {}) => {
      const context = await browser.newContext({
        baseURL: suite.baseUrl,
        viewport: { width: 1280, height: 800 },
        acceptDownloads: true,
        // page.route does not see what the app's service worker answers: tests of the offline
        // phone pages turn it on ({ serviceWorkers: 'allow' }), the others do without it
        serviceWorkers: 'block',
        ...options,
      });
      context.setDefaultTimeout(20_000);
      contexts.push(context);
      const page = await context.newPage();
      const log: PageLog = { page, problems: [] };
      logs.push(log);
      page.on('pageerror', (e) => log.problems.push(`uncaught ${e.stack ?? e.message}`));
      page.on('console', (m) => {
        if (m.type() !== 'error' && m.type() !== 'warning') return;
        if (EXPECTED_CONSOLE.some((re) => re.test(m.text()))) return;
        log.problems.push(`console.${m.type()}: ${m.text()}`);
      });
      return page;
    };
    // a cold build of the UI on two busy cores takes a minute or two
  }, 300_000);

  afterEach(async (ctx) => {
    const failed = ctx.task.result?.state === 'fail';
    const problems = logs.flatMap((l) => l.problems);
    if (failed || problems.length > 0) {
      shots ??= mkdtempSync(path.join(tmpdir(), 'aegis-e2e-'));
      for (const [i, { page }] of logs.entries()) {
        if (page.isClosed()) continue;
        const file = path.join(shots, `${ctx.task.name.replace(/[^\w-]+/g, '_').slice(0, 80)}-${i}.png`);
        await page.screenshot({ path: file, fullPage: true }).catch(() => {});
        console.log(`screenshot of "${ctx.task.name}" (${page.url()}): ${file}`);
      }
    }
    await Promise.all(contexts.map((c) => c.close().catch(() => {})));
    contexts = [];
    logs = [];
    expect(problems, 'the page reported errors').toEqual([]);
  });

  afterAll(async () => {
    await suite.browser?.close();
    await suite.app?.close();
    if (webDir) rmSync(webDir, { recursive: true, force: true });
  });

  return suite;
}

/** Signs in through the login form (any language) and waits until the app has left it. */
export async function login(page: Page, username: string, password = ADMIN_PASSWORD) {
  if (!page.url().includes('/login')) await page.goto('/login');
  await page.locator('input[autocomplete="username"]').fill(username);
  await page.locator('input[autocomplete="current-password"]').fill(password);
  await page.locator('button[type="submit"]').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}
