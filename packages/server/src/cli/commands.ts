import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { hostname } from 'node:os';
import type { SimulateFlags } from '@aegis/simulator';
import { type Command, Option } from 'commander';
import pino from 'pino';
import pinoPretty from 'pino-pretty';
import { type Aegis, createAegis } from '../app.js';
import { systemClock } from '../clock.js';
import { type Config, ConfigError, loadConfig } from '../config.js';
import { systemContext } from '../context.js';
import { DataDirLockedError, openDatabase } from '../db/index.js';
import { csvHeader, csvRow } from '../modules/audit/index.js';
import { formatStorageStats } from '../modules/historian/stats.js';
import { startSecrets } from '../modules/secrets/index.js';
import { installProcessGuard } from '../process-guard.js';
import { createServices } from '../services.js';
import { DEMO_PASSWORD, seedDemo } from './demo.js';
import { seedDemoEmergency } from './demo-emergency.js';
import { seedDemoHazards } from './demo-hazard.js';
import { seedDemoHistory } from './demo-history.js';
import { seedDemoInspection } from './demo-inspection.js';
import { seedDemoNotify, startDemoMailSink } from './demo-notify.js';
import { seedDemoPermits } from './demo-permit.js';
import { seedDemoRealtime, startDemoSimulator } from './demo-realtime.js';
import { seedDemoReports } from './demo-report.js';
import { seedDemoRisk } from './demo-risk.js';
import { seedDemoScreens } from './demo-screen.js';
import { seedDemoSop } from './demo-sop.js';
import { seedDemoTrendHistory } from './demo-storage.js';
import { seedDemoTraining } from './demo-training.js';

/** Options every command shares, each with its environment variable. */
function common(cmd: Command) {
  return cmd
    .addOption(new Option('--data-dir <dir>', 'embedded database directory').env('AEGIS_DATA_DIR'))
    .addOption(
      new Option('--database-url <url>', 'PostgreSQL URL instead of the embedded database').env(
        'DATABASE_URL',
      ),
    )
    .addOption(new Option('--config <file>', 'JSON settings file').env('AEGIS_CONFIG'))
    .addOption(
      new Option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent').env('AEGIS_LOG_LEVEL'),
    );
}

interface CommonOpts {
  dataDir?: string;
  databaseUrl?: string;
  config?: string;
  logLevel?: string;
  port?: string;
  host?: string;
  roles?: string;
}

function configFrom(opts: CommonOpts, extra: Partial<Record<keyof Config, unknown>> = {}): Config {
  // An empty flag or variable (DATABASE_URL=) means "not set", as it does for the environment.
  const given = (v: string | undefined) => (v === '' ? undefined : v);
  opts = Object.fromEntries(Object.entries(opts).map(([k, v]) => [k, typeof v === 'string' ? given(v) : v]));
  return loadConfig({
    file: opts.config,
    overrides: {
      dataDir: opts.dataDir,
      databaseUrl: opts.databaseUrl,
      logLevel: opts.logLevel,
      port: opts.port,
      host: opts.host,
      roles: opts.roles,
      ...extra,
    },
  });
}

const say = (line: string) => process.stdout.write(`${line}\n`);

/** The host of a URL without its credentials, for the console. */
function safeHost(url: string) {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}

/**
 * One log format per place: single readable lines in a terminal (or AEGIS_LOG_FORMAT=pretty),
 * JSON lines otherwise, for log collectors. Synchronous, so lines keep their order with the
 * console messages.
 */
export function createLogger(
  config: Pick<Config, 'logLevel' | 'logFormat' | 'logPretty'>,
  out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout,
) {
  const pretty =
    config.logFormat === 'pretty' ||
    (config.logFormat === 'auto' && (config.logPretty || out.isTTY === true));
  if (!pretty) return pino({ level: config.logLevel }, out);
  return pino(
    { level: config.logLevel },
    pinoPretty({
      destination: out,
      sync: true,
      singleLine: true,
      colorize: out.isTTY === true,
      translateTime: 'SYS:HH:MM:ss',
      ignore: 'pid,hostname,reqId',
    }),
  );
}
const progress = (line: string) => process.stderr.write(`  … ${line}\n`);

/** Opens the database and the services without the HTTP server, for one-shot commands. */
async function withServices<T>(opts: CommonOpts, fn: (s: ReturnType<typeof createServices>) => Promise<T>) {
  const config = configFrom(opts, { logLevel: 'silent' });
  const opened = await openDatabase(config, { onProgress: progress });
  try {
    const secrets = await startSecrets({ config, db: opened.db });
    const services = createServices({ config, db: opened.db, clock: systemClock, secrets });
    await services.access.syncBuiltinRoles();
    return await fn(services);
  } finally {
    await opened.close();
  }
}

function friendly(e: unknown): Error {
  if (e instanceof ConfigError || e instanceof DataDirLockedError) return e;
  const err = e as NodeJS.ErrnoException & { code?: string };
  if (err.code === 'ECONNREFUSED')
    return new Error(
      `Cannot reach the database server (${err.message}). Is PostgreSQL running, and is DATABASE_URL right?`,
    );
  return err;
}

export async function runCli(program: Command, argv: string[]) {
  program
    .name('aegis')
    .description('Aegis — an open-source MES for production safety')
    .version('0.1.0')
    .showHelpAfterError();

  common(
    program
      .command('start')
      .description('start the server and the web UI')
      .addOption(new Option('-p, --port <port>', 'HTTP port').env('AEGIS_PORT'))
      .addOption(new Option('--host <host>', 'address to listen on').env('AEGIS_HOST'))
      .addOption(
        new Option('--roles <roles>', 'process roles: api,realtime,connectors,scheduler').env('AEGIS_ROLES'),
      )
      .option('--demo', 'seed a demo plant with users for every built-in role (only into an empty plant)'),
  ).action(async (opts: CommonOpts & { demo?: boolean }) => {
    // The demo's admin signs in with the same known password as the demo users.
    const loaded = configFrom(
      opts,
      opts.demo && !process.env.AEGIS_ADMIN_PASSWORD ? { adminPassword: DEMO_PASSWORD } : {},
    );
    // The demo's simulator runs on this machine: its connectors need 127.0.0.1 listed as a destination.
    const config = opts.demo
      ? { ...loaded, outboundAllow: [loaded.outboundAllow, '127.0.0.1/32'].filter(Boolean).join(',') }
      : loaded;
    // Links in e-mails and chat messages need the address people open Aegis at.
    if (!config.publicUrl) {
      const host = config.host === '0.0.0.0' || config.host === '::' ? hostname() : config.host;
      config.publicUrl = `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
    }
    const logger = createLogger(config);
    // A stray rejection or exception is logged loudly and counted (/healthz), never the end of the
    // process: the alarm engine, interlocks and notifications keep running.
    installProcessGuard(logger);
    const where = config.databaseUrl
      ? `PostgreSQL at ${safeHost(config.databaseUrl)}`
      : `embedded database in ${config.dataDir}`;
    // In order: configuration → database → migrations → broker → connectors → HTTP → demo users.
    say(`Aegis 0.1.0 starting: configuration read (${where}; log level ${config.logLevel})`);
    let aegis: Aegis;
    try {
      progress(`opening the ${where}`);
      aegis = await createAegis(config, { logger, onProgress: progress });
    } catch (e) {
      throw friendly(e);
    }
    const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    const broker = aegis.services.connectors.broker();
    if (broker) {
      const fallback =
        (config.mqttPort === undefined && broker.port !== 1883) ||
        (config.mqttWsPort === undefined && broker.wsPort !== 8083);
      const where = broker.host === '0.0.0.0' || broker.host === '::' ? shown : broker.host;
      say(
        `Embedded MQTT broker: mqtt://${where}:${broker.port}, MQTT over WebSocket ws://${where}:${broker.wsPort}` +
          (fallback
            ? '  (a port other than 1883/8083, kept for the next starts; AEGIS_MQTT_PORT or MQTT_URL to choose)'
            : '') +
          (broker.host === '127.0.0.1' ? '  (this machine only: AEGIS_MQTT_HOST for devices elsewhere)' : ''),
      );
    } else if (config.mqttUrl) say(`MQTT: using the broker at ${safeHost(config.mqttUrl)}`);
    const later: string[] = [];
    if (opts.demo) {
      const seeded = await seedDemo(aegis.services, { onProgress: progress });
      if (seeded) {
        const rt = await seedDemoRealtime(aegis.services, { onProgress: progress });
        progress('demo: notification channels and escalation policies');
        await seedDemoNotify(aegis.services, seeded.siteId);
        // 双重预防: the risk register, then inspections (plans name its control measures).
        progress("demo: risk register, inspection plans and today's tasks");
        await seedDemoRisk(aegis.services);
        await seedDemoInspection(aegis.services);
        await seedDemoHazards(aegis.services);
        progress('demo: work permits (signed steps)');
        await seedDemoPermits(aegis.services);
        await seedDemoEmergency(aegis.services);
        await seedDemoSop(aegis.services);
        progress('demo: weeks of history, training, reports and big screens');
        await seedDemoHistory(aegis.services);
        progress('demo: a week of sensor history (day partitions, older days compressed)');
        await seedDemoTrendHistory(aegis.services);
        await seedDemoTraining(aegis.services);
        await seedDemoReports(aegis.services);
        const screen = await seedDemoScreens(aegis.services);
        later.push(
          `Demo plant: ${seeded.equipment} equipment items, ${rt.tags} tags, ${rt.rules} alarm rules`,
          `Demo users (password ${seeded.password}): ${[...(process.env.AEGIS_ADMIN_PASSWORD ? [] : ['admin']), ...seeded.users].join(', ')}`,
        );
        // The kiosk token exists only in this line (stored hashed): the control room opens it once.
        if (screen) later.push(`Big screen (kiosk link, shown once): ${config.publicUrl}${screen.kioskPath}`);
      } else later.push('Demo: the plant is not empty, nothing seeded');
    }
    const running = aegis.services.connectors.health();
    say(
      `Connectors: ${running.length} running${running.length ? ` (${running.map((c) => `${c.code} ${c.kind}`).join(', ')})` : ''}`,
    );
    try {
      await aegis.http.listen({ port: config.port, host: config.host });
    } catch (e) {
      await aegis.close();
      if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new Error(
          `Port ${config.port} on ${config.host} is already in use by another program. Choose another with --port or AEGIS_PORT.`,
        );
      }
      throw e;
    }
    say(`Aegis is up: http://${shown}:${config.port}/  (API docs: http://${shown}:${config.port}/api/docs)`);
    for (const line of later) say(line);
    if (aegis.bootstrapPassword) {
      say('');
      say('First start: an administrator was created.');
      say('  username: admin');
      say(`  one-time password: ${aegis.bootstrapPassword}   (you will be asked to change it)`);
      say('');
    }
    // The demo's e-mail goes to an SMTP inbox in this process; the delivery log shows each message.
    const mailSink = opts.demo ? await startDemoMailSink(aegis.services) : null;
    if (mailSink)
      say(
        `Demo e-mail: an SMTP inbox on 127.0.0.1:${mailSink.port} receives the notifications (delivery log: 通知 → 发送记录).`,
      );
    const simulator = opts.demo ? await startDemoSimulator(aegis.services, say) : null;
    if (simulator) {
      say(
        `Simulator running: MQTT JSON + Sparkplug B to the ${config.mqttUrl ? 'broker at MQTT_URL' : 'embedded broker'}, ` +
          `Modbus TCP on ${simulator.ports.modbus}, OPC UA on ${simulator.ports.opcua}.`,
      );
    }
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      say(`Aegis shutting down (${signal})…`);
      const timer = setTimeout(() => process.exit(1), 15_000);
      timer.unref();
      await simulator?.stop().catch((err) => logger.warn({ err }, 'simulator did not stop cleanly'));
      await mailSink?.close();
      await aegis.close();
      say(`Aegis stopped (${signal}).`);
      process.exit(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
  });

  common(program.command('migrate').description('apply pending database migrations')).action(
    async (opts: CommonOpts) => {
      const config = configFrom(opts);
      const opened = await openDatabase(config, { onProgress: progress }).catch((e) => {
        throw friendly(e);
      });
      await opened.close();
      say('Database is up to date.');
    },
  );

  const user = program.command('user').description('manage user accounts');
  common(
    user
      .command('create')
      .description('create a user (with --admin: an enterprise-wide administrator)')
      .requiredOption('-u, --username <username>', 'sign-in name')
      .option('-n, --name <name>', 'display name')
      .option('--admin', 'grant the admin role everywhere')
      .option('--role <role...>', 'built-in or custom role code(s), granted everywhere')
      .option('--email <email>', 'e-mail address')
      .addOption(
        new Option('--password <password>', 'initial password (otherwise one is generated)').env(
          'AEGIS_NEW_PASSWORD',
        ),
      ),
  ).action(
    async (
      opts: CommonOpts & {
        username: string;
        name?: string;
        admin?: boolean;
        role?: string[];
        email?: string;
        password?: string;
      },
    ) => {
      await withServices(opts, async (s) => {
        const ctx = systemContext('cli');
        const password = opts.password ?? `${randomBytes(9).toString('base64url')}-Aa1`;
        const created = await s.users.create(
          ctx,
          {
            username: opts.username,
            displayName: opts.name ?? opts.username,
            password,
            email: opts.email ?? null,
            employeeNo: null,
            phone: null,
            postId: null,
            teamId: null,
            departmentId: null,
            homeNodeId: null,
            kind: 'person',
            locale: 'zh-CN',
          },
          { mustChange: !opts.password },
        );
        const roles = [...(opts.admin ? ['admin'] : []), ...(opts.role ?? [])];
        for (const role of roles) {
          await s.db.transaction(async (tx) => {
            await s.access.grantDirect(tx, created.id, role, null);
            await s.audit.append(tx, ctx, {
              action: 'role.grant',
              targetType: 'user',
              targetId: created.id,
              reason: 'granted with aegis user create',
              after: { role, nodeId: null },
            });
          });
        }
        say(
          `Created user ${created.username} (id ${created.id})${roles.length ? ` with ${roles.join(', ')}` : ''}.`,
        );
        if (!opts.password) say(`One-time password: ${password}   (must be changed at first sign-in)`);
      });
    },
  );

  common(
    user
      .command('reset-password')
      .description('set a new password and unlock the account')
      .requiredOption('-u, --username <username>', 'sign-in name')
      .addOption(
        new Option('--password <password>', 'new password (otherwise one is generated)').env(
          'AEGIS_NEW_PASSWORD',
        ),
      ),
  ).action(async (opts: CommonOpts & { username: string; password?: string }) => {
    await withServices(opts, async (s) => {
      const row = await s.users.byUsername(opts.username);
      if (!row) throw new Error(`No user ${opts.username}`);
      const password = opts.password ?? `${randomBytes(9).toString('base64url')}-Aa1`;
      await s.users.resetPassword(systemContext('cli'), row.id, password, { mustChange: !opts.password });
      say(`Password of ${row.username} reset; the account is unlocked.`);
      if (!opts.password) say(`One-time password: ${password}   (must be changed at first sign-in)`);
    });
  });

  common(user.command('list').description('list user accounts')).action(async (opts: CommonOpts) => {
    await withServices(opts, async (s) => {
      const { items } = await s.users.list(systemContext('cli'), { limit: 1000, offset: 0 });
      const rows = items.map((u) => [
        String(u.id),
        u.username,
        u.displayName,
        u.kind,
        u.active ? (u.locked ? 'locked' : 'active') : 'disabled',
        u.lastLoginAt ?? '-',
      ]);
      const head = ['id', 'username', 'name', 'kind', 'state', 'last sign-in'];
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      for (const r of [head, ...rows]) say(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
    });
  });

  program
    .command('simulate')
    .description(
      'run the plant simulator: presses over MQTT JSON, gas detectors over Sparkplug B, tanks on a Modbus TCP slave, pumps on an OPC UA server',
    )
    .addOption(
      new Option('--mqtt-url <url>', 'broker to publish to (MQTT JSON and Sparkplug B)').env('MQTT_URL'),
    )
    .option('--mqtt-username <name>', 'broker user name')
    .addOption(new Option('--mqtt-password <password>', 'broker password').env('AEGIS_SIM_MQTT_PASSWORD'))
    .option('--rate <ms>', 'publish interval in milliseconds', '1000')
    .option('--transports <list>', 'mqtt,sparkplug,modbus,opcua (default: all that can run)')
    .option('--modbus-host <host>', 'Modbus TCP slave address', '127.0.0.1')
    .option('--modbus-port <port>', 'Modbus TCP slave port (0: any free port)', '5020')
    .option('--opcua-host <host>', 'OPC UA server address', '127.0.0.1')
    .option('--opcua-port <port>', 'OPC UA server port (0: any free port)', '4840')
    .option('--pki-dir <dir>', 'where the OPC UA server keeps its certificate')
    .option('--seed <n>', 'random seed, for a reproducible run')
    .option('--qos <0|1|2>', 'MQTT QoS', '1')
    .option('--fault <spec...>', 'inject at start: EQUIPMENT:fault[:rampSeconds], e.g. GD-203:gas-leak:120')
    .option('--status-every <s>', 'seconds between status lines (0: none)', '10')
    .action(async (flags: SimulateFlags) => {
      const { runSimulateCommand } = await import('@aegis/simulator');
      const run = await runSimulateCommand(flags, say);
      await new Promise<void>((resolve) => {
        const stop = () => {
          say('Stopping the simulator…');
          void run.stop().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });

  const audit = program.command('audit').description('the tamper-evident audit trail');
  common(
    audit
      .command('verify')
      .description('walk the hash chain; exits 2 and names the first broken entry when it was tampered with')
      .option('--expect-head <hash>', 'the head hash recorded earlier outside the database'),
  ).action(async (opts: CommonOpts & { expectHead?: string }) => {
    const result = await withServices(opts, (s) =>
      s.audit.verify({ expectHead: opts.expectHead, onProgress: (n) => progress(`${n} entries checked`) }),
    );
    if (result.ok) {
      say(
        `Audit trail intact: ${result.checked} entries, head #${result.headSeq ?? 0}${result.anchor ? `, matches the anchor of #${result.anchor.seq} signed at ${result.anchor.at}` : ', no anchor written yet'}.`,
      );
    } else {
      say(`AUDIT TRAIL BROKEN at entry #${result.firstBrokenSeq ?? '?'}: ${result.problem}`);
      process.exitCode = 2;
    }
  });

  common(
    audit
      .command('anchor')
      .description(
        'append a signed record of the chain head to the anchor file now (the server does it every few minutes)',
      ),
  ).action(async (opts: CommonOpts) => {
    const record = await withServices(opts, (s) => s.audit.writeAnchor());
    say(
      record
        ? `Anchored entry #${record.seq} (${record.hash.slice(0, 16)}…) at ${record.at}.`
        : 'The head is already anchored.',
    );
  });

  common(
    audit
      .command('export')
      .description('write the audit trail (or a filtered part) as CSV')
      .option('--from <iso>', 'from this time (ISO 8601)')
      .option('--to <iso>', 'until this time (ISO 8601)')
      .option('--action <prefix>', 'actions starting with this')
      .option('--actor <username>', 'one actor only')
      .option('-o, --out <file>', 'output file (default: standard output)'),
  ).action(
    async (
      opts: CommonOpts & { from?: string; to?: string; action?: string; actor?: string; out?: string },
    ) => {
      for (const [k, v] of [
        ['--from', opts.from],
        ['--to', opts.to],
      ] as const) {
        if (v !== undefined && Number.isNaN(Date.parse(v)))
          throw new Error(`${k} ${v} is not a date/time (use ISO 8601, e.g. 2026-01-31T00:00:00Z)`);
      }
      await withServices(opts, async (s) => {
        const q = { from: opts.from, to: opts.to, action: opts.action, actor: opts.actor };
        const total = await s.audit.count(q);
        const out = opts.out ? createWriteStream(opts.out) : process.stdout;
        const write = async (chunk: string) => {
          if (!out.write(chunk)) await once(out, 'drain');
        };
        await write(`\uFEFF${csvHeader()}`);
        let done = 0;
        for await (const page of s.audit.entries(q)) {
          await write(page.map(csvRow).join(''));
          done += page.length;
          progress(`${done}/${total} entries`);
        }
        await s.audit.record(systemContext('cli'), {
          action: 'audit.export',
          targetType: 'audit_log',
          after: { filter: q, rows: total, file: opts.out ?? 'stdout' },
        });
        if (opts.out) {
          (out as ReturnType<typeof createWriteStream>).end();
          await once(out, 'finish');
          process.stderr.write(`Wrote ${total} entries to ${opts.out}\n`);
        }
      });
    },
  );

  const storage = program.command('storage').description('the time-series store (historian)');
  common(
    storage
      .command('stats')
      .description('partitions, rows, bytes per point by age, compression, oldest data')
      .option('--json', 'print the figures as one JSON object'),
  ).action(async (opts: CommonOpts & { json?: boolean }) => {
    const stats = await withServices(opts, (s) => s.timeseries.historian.stats());
    if (opts.json) {
      say(JSON.stringify(stats));
      return;
    }
    say(formatStorageStats(stats));
  });

  common(
    storage
      .command('compress')
      .description(
        'compress settled partitions now (the server does it every 10 minutes); safe to interrupt: each tag is one transaction',
      ),
  ).action(async (opts: CommonOpts) => {
    const run = await withServices(opts, async (s) => {
      // Stray values into partitions, and minute rollups first: a partition is compressed only
      // once its rollups are complete.
      await s.timeseries.historian.maintain();
      await s.timeseries.rollup();
      return s.timeseries.historian.compress((partition, done, of) =>
        progress(`${partition}: ${done}/${of} tags`),
      );
    });
    if (!run.partitions.length) say('Nothing to compress: every partition old enough is compressed already.');
    for (const p of run.partitions)
      say(
        `${p.name}: ${p.tags} tags, ${p.points.toLocaleString('en-US')} values into ${(p.bytes / 1048576).toFixed(1)} MB of blocks in ${(p.ms / 1000).toFixed(1)} s`,
      );
  });

  const permit = program.command('permit').description('hazardous-work permits (作业票)');
  common(
    permit
      .command('verify')
      .description(
        'check submitted permits: each signature against its content and record, each signed step, the audit entries; exits 2 naming every problem',
      )
      .option('--id <id>', 'only this permit (its id)'),
  ).action(async (opts: CommonOpts & { id?: string }) => {
    const id = opts.id === undefined ? undefined : Number(opts.id);
    if (id !== undefined && !(Number.isInteger(id) && id > 0))
      throw new Error(`--id ${opts.id} is not a permit id (a positive whole number)`);
    const reports = await withServices(opts, (s) =>
      s.permit.verifyAll({ id, onProgress: (n, total) => progress(`${n}/${total} permits checked`) }),
    );
    if (id !== undefined && !reports.length) throw new Error(`No permit ${id}`);
    let broken = 0;
    for (const r of reports) {
      if (r.ok) {
        say(`${r.code} (#${r.id}): ${r.signatures.length} signatures, intact`);
        continue;
      }
      broken++;
      say(`${r.code} (#${r.id}): ${r.problems.length} PROBLEMS`);
      for (const x of r.problems) say(`  - [${x.code}] ${x.message.zh} · ${x.message.en}`);
    }
    say(`Checked ${reports.length} permits: ${reports.length - broken} intact, ${broken} with problems.`);
    if (broken) process.exitCode = 2;
  });

  await program.parseAsync(argv);
}
