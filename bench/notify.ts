/**
 * bench:notify — the notification path under a burst: 1,000 alarms raised at once (one batch of
 * values through the alarm engine, as a device would send them) through one policy with
 * 3 recipients × 2 channels, against local sinks, with the real scheduler (a worker pass every
 * 500 ms and at once after a publish). Figures: time from handing the values over until the last
 * delivery was sent, and event→delivered latency (notify_delivery.latency_ms: the event's time to
 * the delivery's "sent") p50 / p99, per channel.
 *
 * Channels: in-app (one message per recipient) and, by default, a signed webhook to a local HTTP
 * receiver (one message per event listing the 3 recipients, as webhooks are sent); with
 * `--mail`, e-mail to an in-process SMTP server instead (one message per recipient).
 * groupSeconds 0: every event is its own message (grouping would turn the flood into a few).
 *
 * `--profile` also prints where the database time of the burst went, statement by statement.
 *
 * Usage: npm run bench:notify [-- --db pglite|pg|both] [--alarms 1000] [--mail] [--profile] [--json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { CreateChannelSchema, CreatePolicySchema } from '@aegis/shared';
import { createAegis } from '../packages/server/src/app.js';
import { loadConfig } from '../packages/server/src/config.js';
import { systemContext } from '../packages/server/src/context.js';
import type { Db, SqlParam } from '../packages/server/src/db/index.js';
import { startSink } from '../packages/server/src/modules/notify/channels/testing.js';
import { startSmtpSink } from '../packages/server/src/modules/notify/smtp-sink.js';
import {
  args,
  asJson,
  type DbKind,
  eachDatabase,
  flag,
  log,
  machine,
  percentile,
  pgDatabase,
  plantNodes,
} from './common.js';

const mail = args.includes('--mail');
const profile = args.includes('--profile');
const ALARMS = Number(flag('alarms') ?? 1000);
const RECIPIENTS = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runOne(kind: DbKind) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'aegis-bench-notify-'));
  const pgDb = kind === 'pg' ? await pgDatabase('notify') : null;
  const webhookArrivals: number[] = [];
  const hook = await startSink((r, res) => {
    const body = JSON.parse(r.body) as { events: Array<{ at: string }> };
    webhookArrivals.push(Date.now() - Date.parse(body.events[0]!.at));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  const smtp = mail ? await startSmtpSink({ keep: 10 }) : null;
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir,
      databaseUrl: pgDb?.url,
      adminPassword: 'Bench-Pass-2026',
      logLevel: 'silent',
      mqttPort: 0,
      mqttWsPort: 0,
      dbPoolSize: 8,
      // The local receivers: an administrator lists them (loopback is refused unless listed).
      outboundAllow: '127.0.0.1/32',
    },
  });
  let aegis = await createAegis(config);
  let s = aegis.services;
  try {
    log(`[${kind}] seeding ${ALARMS} tags with limit rules, ${RECIPIENTS} people, the policy…`);
    const ctx = systemContext('bench');
    const reason = 'benchmark';
    const node = plantNodes(s, ctx, reason);
    const ent = await node(null, 'enterprise', 'E');
    const site = await node(ent.id, 'site', 'S');
    const area = await node(site.id, 'area', 'A');
    const line = await node(area.id, 'line', 'L');
    for (let e = 0; e < 10; e++) await node(line.id, 'equipment', `EQ${e}`);
    const rows = ['equipment,code,type'];
    for (let i = 0; i < ALARMS; i++) rows.push(`EQ${i % 10},T${i},number`);
    const imported = await s.tags.import(ctx, {
      format: 'csv',
      content: Buffer.from(rows.join('\n')).toString('base64'),
      dryRun: false,
      reason,
    });
    if (imported.errors.length)
      throw new Error(`seed import failed: ${JSON.stringify(imported.errors.slice(0, 3))}`);
    const ruleRows = s.directory.all().map((t) => ({
      tag_id: t.id,
      definition: {
        type: 'limit',
        id: '',
        tag: `${t.equipmentCode}.${t.code}`,
        levels: { HH: { setpoint: 90, priority: 'critical' } },
        deadband: 1,
        onDelayMs: 0,
        offDelayMs: 0,
      },
    }));
    await s.db.query(
      `INSERT INTO alarm_rule (tag_id, enabled, definition, interlock, created_at, updated_at)
       SELECT x.tag_id, true, x.definition, NULL, now(), now() FROM jsonb_to_recordset($1::jsonb) AS x(tag_id bigint, definition jsonb)`,
      [JSON.stringify(ruleRows)],
    );
    const people: number[] = [];
    for (let i = 0; i < RECIPIENTS; i++) {
      const u = await s.users.create(
        ctx,
        {
          username: `op${i}`,
          displayName: `Operator ${i}`,
          password: 'Bench-Pass-2026',
          employeeNo: null,
          phone: null,
          email: `op${i}@plant.example`,
          postId: null,
          teamId: null,
          departmentId: null,
          homeNodeId: null,
          kind: 'person',
          locale: 'zh-CN',
        },
        { mustChange: false },
      );
      await s.db.transaction((tx) => s.access.grantDirect(tx, u.id, 'operator', null));
      people.push(u.id);
    }
    const inapp = await s.notify.createChannel(
      ctx,
      CreateChannelSchema.parse({ code: 'app', name: 'In-app', kind: 'inapp', reason }),
    );
    const second = await s.notify.createChannel(
      ctx,
      CreateChannelSchema.parse(
        smtp
          ? {
              code: 'mail',
              name: 'E-mail',
              kind: 'email',
              settings: { host: '127.0.0.1', port: smtp.port, security: 'none', from: 'aegis@plant.example' },
              reason,
            }
          : {
              code: 'hook',
              name: 'Webhook',
              kind: 'webhook',
              settings: { url: `${hook.url}/aegis` },
              secrets: { signingSecret: 'bench-signing-secret' },
              reason,
            },
      ),
    );
    await s.notify.createPolicy(
      ctx,
      CreatePolicySchema.parse({
        code: 'crit',
        name: 'Critical alarms',
        match: { kinds: ['alarm.raised'] },
        levels: [
          {
            delayMinutes: 0,
            recipients: people.map((userId) => ({ type: 'user', userId })),
            channelIds: [inapp.id, second.id],
          },
        ],
        groupSeconds: 0,
        reason,
      }),
    );
    // Started again, as `aegis start` would be: the alarm engine loads the rules at start.
    await aegis.close();
    aegis = await createAegis(config);
    s = aegis.services;
    const tags = s.directory.all();
    const perEvent = RECIPIENTS + (smtp ? RECIPIENTS : 1);
    const expected = ALARMS * perEvent;

    const statements = new Map<string, { n: number; ms: number; max: number }>();
    if (profile) {
      // Every statement of the run timed (the worker holds this same Db object).
      const note = (key: string, ms: number) => {
        const st = statements.get(key) ?? { n: 0, ms: 0, max: 0 };
        st.n++;
        st.ms += ms;
        st.max = Math.max(st.max, ms);
        statements.set(key, st);
      };
      const short = (sql: string) => sql.replace(/\s+/g, ' ').trim().slice(0, 80);
      const timed = async <T>(sql: string, run: () => Promise<T>) => {
        const t = performance.now();
        try {
          return await run();
        } finally {
          note(short(sql), performance.now() - t);
        }
      };
      const db: Db = s.db;
      const query = db.query.bind(db);
      const transaction = db.transaction.bind(db);
      db.query = ((sql: string, params?: SqlParam[]) => timed(sql, () => query(sql, params))) as Db['query'];
      // A transaction is named by its first statement (which worker stage it is).
      db.transaction = (async <T>(fn: (tx: Db) => Promise<T>) => {
        const t = performance.now();
        let first = '';
        try {
          return await transaction((tx) => {
            const q = tx.query.bind(tx);
            tx.query = ((sql: string, params?: SqlParam[]) => {
              first ||= sql;
              return timed(sql, () => q(sql, params));
            }) as Db['query'];
            return fn(tx);
          });
        } finally {
          note(`TRANSACTION from: ${short(first)}`, performance.now() - t);
        }
      }) as Db['transaction'];
    }
    log(`[${kind}] ${ALARMS} alarms at once → ${expected} messages…`);
    // How long the server's event loop was blocked meanwhile (HTTP, MQTT and WebSockets wait that long).
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const startedAt = Date.now();
    const ts = startedAt;
    await s.alarms.handlePoints(tags.map((t) => ({ tagId: t.id, ts, value: 95, quality: 'good' as const })));
    const raisedMs = Date.now() - startedAt;
    let last = { sent: 0, open: 0, failed: 0 };
    let lastProgress = Date.now();
    for (;;) {
      const [row] = await s.db.query<{ sent: number; open: number; failed: number }>(
        `SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent,
                count(*) FILTER (WHERE status IN ('pending', 'sending'))::int AS open,
                count(*) FILTER (WHERE status IN ('failed', 'dead'))::int AS failed
         FROM notify_delivery`,
      );
      if (row!.sent !== last.sent) lastProgress = Date.now();
      last = row!;
      if (last.sent + last.failed >= expected && last.open === 0) break;
      if (Date.now() - lastProgress > 60_000)
        throw new Error(`no progress for 60 s: ${JSON.stringify(last)}`);
      await sleep(20);
    }
    loop.disable();
    const [events] = await s.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM notify_event WHERE kind = 'alarm.raised'`,
    );
    const sent = await s.db.query<{ kind: string; latency_ms: number; sent_ms: number }>(
      `SELECT c.kind, d.latency_ms, (extract(epoch FROM d.sent_at) * 1000)::float8 AS sent_ms
       FROM notify_delivery d JOIN notify_channel c ON c.id = d.channel_id WHERE d.status = 'sent'`,
    );
    const lastSent = Math.max(...sent.map((d) => d.sent_ms));
    const all = sent.map((d) => d.latency_ms);
    const byChannel = Object.fromEntries(
      [...new Set(sent.map((d) => d.kind))].map((k) => {
        const xs = sent.filter((d) => d.kind === k).map((d) => d.latency_ms);
        return [k, { messages: xs.length, p50Ms: percentile(xs, 50), p99Ms: percentile(xs, 99) }];
      }),
    );
    const result = {
      database: kind === 'pg' ? 'postgresql' : 'pglite',
      alarms: ALARMS,
      eventsPublished: events!.n,
      recipients: RECIPIENTS,
      channels: smtp ? ['inapp', 'email'] : ['inapp', 'webhook'],
      messages: { expected, sent: last.sent, failed: last.failed },
      alarmsCommittedMs: raisedMs,
      lastDeliveryMs: Math.round(lastSent - startedAt),
      eventLoopDelayMs: { p99: Math.round(loop.percentile(99) / 1e6), max: Math.round(loop.max / 1e6) },
      messagesPerSecond: Math.round(last.sent / ((lastSent - startedAt) / 1000)),
      latency: { p50Ms: percentile(all, 50), p99Ms: percentile(all, 99), byChannel },
      ...(smtp
        ? {}
        : {
            webhookAtReceiver: {
              p50Ms: percentile(webhookArrivals, 50),
              p99Ms: percentile(webhookArrivals, 99),
            },
          }),
    };
    if (profile) {
      // The bell's unread count alone on the idle database, for comparison with its time under load.
      const t = performance.now();
      for (let i = 0; i < 100; i++)
        await s.db.query(
          'SELECT count(*)::int AS n FROM notification WHERE user_id = $1 AND read_at IS NULL',
          [people[i % people.length]],
        );
      process.stderr.write(
        `[${kind}] unread count alone, idle database: ${((performance.now() - t) / 100).toFixed(2)} ms\n`,
      );
      const top = [...statements.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25);
      process.stderr.write(`[${kind}] database time by statement (count, total ms, ms each, longest ms):\n`);
      for (const [sql, st] of top)
        process.stderr.write(
          `  ${String(st.n).padStart(6)} ${Math.round(st.ms).toString().padStart(7)} ${(st.ms / st.n).toFixed(2).padStart(7)} ${Math.round(st.max).toString().padStart(6)}  ${sql}\n`,
        );
    }
    log(
      `[${kind}]   last delivery after ${result.lastDeliveryMs} ms, p50 ${result.latency.p50Ms} ms, p99 ${result.latency.p99Ms} ms`,
    );
    return result;
  } finally {
    await aegis.close();
    await hook.close();
    await smtp?.close();
    await pgDb?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const results = await eachDatabase(runOne);

const report = {
  benchmark: 'notify',
  machine: machine(),
  results,
};
if (asJson) {
  process.stdout.write(`${JSON.stringify(report)}\n`);
} else {
  for (const r of results) {
    process.stdout.write(
      [
        `\n== ${r.database}: notifications, ${r.alarms} alarms at once, ${r.recipients} recipients × ${r.channels.join(' + ')} ==`,
        `messages sent                    : ${r.messages.sent} of ${r.messages.expected} (${r.messages.failed} failed), ${r.eventsPublished} events`,
        `time until the last delivery     : ${r.lastDeliveryMs} ms  (${r.messagesPerSecond} messages/s; alarms committed after ${r.alarmsCommittedMs} ms)`,
        `event loop blocked meanwhile     : p99 ${r.eventLoopDelayMs.p99} ms, max ${r.eventLoopDelayMs.max} ms`,
        `event→delivered latency          : p50 ${r.latency.p50Ms} ms, p99 ${r.latency.p99Ms} ms`,
        ...Object.entries(r.latency.byChannel).map(
          ([k, v]) => `  ${k.padEnd(31)}: p50 ${v.p50Ms} ms, p99 ${v.p99Ms} ms  (${v.messages} messages)`,
        ),
      ].join('\n') + '\n',
    );
  }
}
process.exit(0);
