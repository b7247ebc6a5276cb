import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config.js';
import { systemContext } from './context.js';
import { openDatabase } from './db/index.js';
import { buildHttpApp } from './http/app.js';
import { diskNotifyEvent } from './modules/disk/index.js';
import { connectorLinkNotices } from './modules/notify/index.js';
import { startSecrets } from './modules/secrets/index.js';
import { createServices, type Services } from './services.js';

export interface Aegis {
  services: Services;
  http: Awaited<ReturnType<typeof buildHttpApp>>;
  /** Set when this start created the first administrator with a generated one-time password. */
  bootstrapPassword: string | null;
  close(): Promise<void>;
}

/** config → database → modules → HTTP; nothing listens until the caller says so. */
export async function createAegis(
  config: Config,
  opts: {
    clock?: Clock;
    logger?: FastifyBaseLogger;
    onProgress?: (msg: string) => void;
    inMemoryDb?: boolean;
    /** false in tests: they drive ticks and flushes with a manual clock. */
    timers?: boolean;
  } = {},
): Promise<Aegis> {
  const clock = opts.clock ?? systemClock;
  const opened = await openDatabase(config, { onProgress: opts.onProgress, inMemory: opts.inMemoryDb });
  opts.onProgress?.('database ready, migrations applied');
  try {
    // A wrong or missing master key stops the start here, before anything reads a stored secret.
    const secrets = await startSecrets({ config, db: opened.db, now: () => clock.now(), log: opts.logger });
    const services = createServices({ config, db: opened.db, clock, secrets });
    await services.access.syncBuiltinRoles();
    const bootstrapPassword = await bootstrapAdmin(services, config.adminPassword);
    const http = await buildHttpApp(services, { loggerInstance: opts.logger });
    services.ingest.setLogger(http.log);
    services.disk.setLogger(http.log);
    services.timeseries.setLogger(http.log);
    services.alarms.setLogger(http.log);
    services.notify.setLogger(http.log);
    services.permit.setLogger(http.log);
    services.emergency.setLogger(http.log);
    services.sop.setLogger(http.log);
    services.reports.setLogger(http.log);
    const stopRealtime = await startRealtime(services, { timers: opts.timers ?? true, log: http.log });
    return {
      services,
      http,
      bootstrapPassword,
      async close() {
        services.live.closeAll();
        await http.close();
        await stopRealtime();
        await opened.close();
      },
    };
  } catch (e) {
    await opened.close();
    throw e;
  }
}

/**
 * The real-time roles: alarm engine fed by the ingest pipeline, live push, and the timers that
 * move alarm delays, shelving and flood windows forward.
 */
async function startRealtime(services: Services, opts: { timers: boolean; log: FastifyBaseLogger }) {
  const { alarms, live, bus, config, directory, ingest, timeseries } = services;
  const roles = new Set(config.roles);
  const stops: Array<() => void | Promise<void>> = [];
  await directory.reload();
  // Partitions for today and the days ahead exist before the first value is stored.
  await timeseries.prepareStorage();
  await ingest.start();
  stops.push(() => ingest.stop());
  stops.push(await startDiskWatch(services, opts));
  stops.push(ingest.onLate((minTs) => timeseries.noteLate(minTs)) as () => void);
  stops.push(bus.on('auth.revoked', (e) => live.revoked(e)) as () => void);
  stops.push(bus.on('access.changed', (e) => live.accessChanged(e)) as () => void);
  stops.push(
    bus.on('plant.moved', (e) => {
      live.plantMoved(e);
      // Tags hold their equipment's plant path: the directory follows the move.
      void directory.reload().catch((err) => opts.log.error({ err }, 'tag directory reload failed'));
    }) as () => void,
  );
  if (roles.has('realtime')) {
    await alarms.start();
    stops.push(ingest.onStored((points) => live.publishPoints(points)) as () => void);
    // Blocking: a device is acknowledged only after the alarm transitions of its values are
    // committed; late values come too, to be counted (not evaluated) by the engine.
    stops.push(
      ingest.onStored((points) => alarms.handlePoints(points), { blocking: true, late: true }) as () => void,
    );
    stops.push(alarms.onEvents((events) => live.publishAlarmEvents(events)) as () => void);
    stops.push(alarms.onFlood((events) => live.publishFloods(events)) as () => void);
    // Issue 9: a high or critical alarm in a permit's area suspends the permit; an alarm rule can
    // start an emergency plan. Both run after the alarm transition committed, in their own
    // transactions; their failures are logged inside, never thrown back into the engine.
    stops.push(alarms.onEvents((events) => services.permit.onAlarmEvents(events)) as () => void);
    stops.push(alarms.onEvents((events) => services.emergency.onAlarmEvents(events)) as () => void);
    stops.push(
      bus.on('plant.status', (e) => {
        if (e.level === 'equipment')
          void alarms
            .setEquipmentStatus(e.nodeId, e.status)
            .catch((err) => opts.log.error({ err }, 'alarm suppression failed'));
      }) as () => void,
    );
  }
  // The bell: an in-app notification goes to its person's open sockets once committed.
  services.notify.setPresence((userId) => live.hasUser(userId));
  stops.push(() => services.notify.stop());
  stops.push(
    services.notify.onNotification((userId, notification, unread) =>
      live.publishToUser(userId, { type: 'notification', notification, unread }),
    ) as () => void,
  );
  if (roles.has('connectors')) {
    const { connectors } = services;
    connectors.setLogger(opts.log);
    await connectors.start({ linkPollMs: opts.timers ? 1000 : null });
    stops.push(() => connectors.stop());
    // Devices signed in with a revoked token, or by a user whose access changed, sign in again.
    stops.push(
      bus.on('auth.revoked', (e) => {
        if ('tokenId' in e) connectors.dropDevices(e);
        else if ('userId' in e) connectors.dropDevices({ userId: e.userId });
      }) as () => void,
    );
    stops.push(bus.on('access.changed', (e) => connectors.dropDevices(e)) as () => void);
    if (roles.has('realtime')) {
      // Every write to equipment passes the lockout check first (LOTO: no start while a lock is applied).
      alarms.setInterlockWriter(services.sop.guardWriter(connectors.interlockWriter()));
      stops.push(
        connectors.onLinkChange((code, up) => {
          void alarms
            .linkChanged(code, up)
            .catch((err) => opts.log.error({ err }, 'comm-loss evaluation failed'));
        }) as () => void,
      );
    }
    // A connection lost (and found again) is a notification event; the first connect at start is not.
    stops.push(
      connectors.onLinkChange(
        connectorLinkNotices({
          health: () => connectors.health(),
          publish: async (event) => {
            await services.db.transaction((tx) => services.notify.publish(tx, [event]));
            services.notify.wake();
          },
          now: () => services.clock.now(),
          onError: (err) => opts.log.error({ err }, 'connector notification not stored'),
        }),
      ) as () => void,
    );
  }
  const every = (ms: number, fn: () => Promise<unknown>, what: string) => {
    const t = setInterval(() => void fn().catch((err) => opts.log.error({ err }, `${what} failed`)), ms);
    t.unref();
    stops.push(() => clearInterval(t));
  };
  // Every node watches its own disks (it refuses values when they are full), whatever its roles.
  if (opts.timers) every(config.diskCheckSeconds * 1000, () => services.disk.check(), 'disk-space watch');
  if (roles.has('scheduler') && opts.timers) {
    every(1000, () => alarms.tick(), 'alarm tick');
    // Notifications: escalation timers are rows; a pass every half second, and at once after a publish.
    every(500, () => services.notify.pulse(), 'notification worker');
    services.notify.setWakeHook(() => void services.notify.pulse());
    stops.push(() => services.notify.setWakeHook(null));
    every(5000, () => alarms.flush(), 'alarm flush');
    // Workflow SLA timers (inspection due/overdue/missed, hazard deadlines) are rows; fired every few seconds.
    every(5000, () => services.workflow.runDueTimers(), 'workflow timers');
    // Inspection tasks of the next 24 h, once per occurrence (also with several schedulers); one run at start.
    every(60_000, () => services.inspection.generate(), 'inspection generator');
    void services.inspection
      .generate()
      .catch((err) => opts.log.error({ err }, 'inspection generator failed'));
    // Active permits bound to live gas tags: out-of-limit values suspend them (the 2-hourly
    // recordings into the permit are workflow timers).
    every(5000, () => services.permit.watchLive(), 'permit live gas watch');
    // Report schedules (cron) run once per occurrence; training reminders before and at expiry.
    every(60_000, () => services.reports.runSchedules(), 'report schedules');
    every(3_600_000, () => services.training.remindExpiring(), 'training reminders');
    every(60_000, () => timeseries.rollup(), 'rollup');
    every(3_600_000, () => timeseries.retention(), 'retention');
    // Raw-value partitions ahead of the clock (and for values that arrived outside them), and
    // compression of settled partitions (historian).
    every(300_000, () => timeseries.historian.maintain(), 'partition maintenance');
    every(600_000, () => timeseries.historian.compress(), 'compression');
    every(3_600_000, () => services.notify.retention(config.retentionNotifyDays), 'notification retention');
    every(3_600_000, () => ingest.expireReceipts(), 'message receipt expiry');
    // Signed audit head records outside the database: every few minutes, and one at shutdown.
    const anchor = () => services.audit.writeAnchor();
    every(config.auditAnchorMinutes * 60_000, anchor, 'audit anchor');
    stops.unshift(() =>
      anchor().then(
        () => undefined,
        (err) => opts.log.error({ err }, 'audit anchor at shutdown failed'),
      ),
    );
  }
  return async () => {
    for (const stop of stops.reverse()) await stop();
    await alarms.flush().catch(() => {});
  };
}

/**
 * Disk-space levels become notifications (alarm: high, full: critical, back: disk_ok), published
 * as connector link changes are; the first measurement is taken before anything is ingested.
 */
async function startDiskWatch(services: Services, opts: { log: FastifyBaseLogger }) {
  const { disk } = services;
  const stop = disk.onChange(async (change) => {
    const event = diskNotifyEvent(change, disk.status().thresholds, services.clock.now());
    if (!event) return;
    try {
      await services.db.transaction((tx) => services.notify.publish(tx, [event]));
      services.notify.wake();
    } catch (err) {
      opts.log.error({ err }, 'disk-space notification not stored');
    }
  });
  await disk.check();
  return stop;
}

/**
 * The first start creates `admin`: with AEGIS_ADMIN_PASSWORD when given, otherwise with a
 * one-time password that must be changed at first sign-in.
 */
export async function bootstrapAdmin(services: Services, adminPassword?: string): Promise<string | null> {
  if ((await services.users.count()) > 0) return null;
  const generated = adminPassword ? null : `${randomBytes(9).toString('base64url')}-Aa1`;
  const ctx = systemContext('bootstrap');
  const user = await services.users.create(
    ctx,
    {
      username: 'admin',
      displayName: '系统管理员 Administrator',
      password: adminPassword ?? generated!,
      employeeNo: null,
      phone: null,
      email: null,
      postId: null,
      teamId: null,
      departmentId: null,
      homeNodeId: null,
      kind: 'person',
      locale: 'zh-CN',
    },
    { mustChange: generated !== null },
  );
  await services.db.transaction(async (tx) => {
    await services.access.grantDirect(tx, user.id, 'admin', null);
    await services.audit.append(tx, ctx, {
      action: 'role.grant',
      targetType: 'user',
      targetId: user.id,
      reason: 'first administrator created at first start',
      after: { role: 'admin', nodeId: null },
    });
  });
  return generated;
}
