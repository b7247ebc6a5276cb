import { renderAlarmText } from '@aegis/shared';
import { createBus } from './bus.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Database, Db } from './db/index.js';
import { accessGuard, createAccessService } from './modules/access/index.js';
import { createAlarmService } from './modules/alarms/index.js';
import { createAnalysisService } from './modules/analysis/index.js';
import { anchorSettings, createAuditService } from './modules/audit/index.js';
import { createAuthService } from './modules/auth/index.js';
import { createConnectorService } from './modules/connectors/index.js';
import { createDemoControl } from './modules/demo/index.js';
import { createDiskWatch, refuseWhen } from './modules/disk/index.js';
import { createEmergencyService } from './modules/emergency/index.js';
import { createEvidenceService } from './modules/evidence/index.js';
import { createHazardService } from './modules/hazard/index.js';
import { createIngestPipeline } from './modules/ingest/index.js';
import { createInspectionService } from './modules/inspection/index.js';
import { createKpiService } from './modules/kpi/index.js';
import { createLiveHub } from './modules/live/index.js';
import { createOutboundPolicy } from './modules/net/index.js';
import { SendError } from './modules/notify/channels/types.js';
import {
  alarmNotifyEvents,
  createNotifyService,
  floodNotifyEvents,
  interlockNotifyEvent,
  type NotifyEventInput,
} from './modules/notify/index.js';
import { createOrgService } from './modules/org/index.js';
import { createOverviewService } from './modules/overview/index.js';
import { createPermitService } from './modules/permit/index.js';
import { createPlantService } from './modules/plant/index.js';
import { createReportService } from './modules/report/index.js';
import { createRiskService } from './modules/risk/index.js';
import { createScreenService } from './modules/screen/index.js';
import type { SecretBox } from './modules/secrets/index.js';
import { createSignatureService } from './modules/signature/index.js';
import { createSopService } from './modules/sop/index.js';
import { createTagDirectory, createTagService } from './modules/tags/index.js';
import { createTimeseriesService } from './modules/timeseries/index.js';
import { createTrainingService } from './modules/training/index.js';
import { createUsersService } from './modules/users/index.js';
import { createWorkflowService } from './modules/workflow/index.js';

const AREA_PLACEHOLDER = '\u0000area\u0000';

/** The explicit wiring of every module: one place shows who depends on whom. */
export function createServices({
  config,
  db,
  clock,
  secrets,
}: {
  config: Config;
  db: Database;
  clock: Clock;
  /** Seals and opens stored secrets with the master key (startSecrets, modules/secrets). */
  secrets: SecretBox;
}) {
  const bus = createBus();
  const audit = createAuditService({ db, clock, anchor: anchorSettings(config) });
  const guard = accessGuard;
  const plant = createPlantService({ db, audit, guard, clock, bus });
  const users = createUsersService({ db, audit, guard, clock, plant, config, bus });
  const access = createAccessService({ db, audit, plant, users, bus });
  const auth = createAuthService({ db, audit, clock, users, access, config, bus });
  const org = createOrgService({ db, audit, guard, plant, users, clock, timezone: config.timezone });
  const directory = createTagDirectory(db);
  const tags = createTagService({ db, audit, guard, clock, directory });
  const ingest = createIngestPipeline({
    db,
    directory,
    clock,
    futureToleranceMs: config.futureToleranceSeconds * 1000,
  });
  const timeseries = createTimeseriesService({ db, guard, clock, directory, config });
  const disk = createDiskWatch({
    paths: [config.dataDir, ...config.diskWatchPaths],
    thresholds: {
      warnPercent: config.diskWarnPercent,
      alarmPercent: config.diskAlarmPercent,
      refusePercent: config.diskRefusePercent,
    },
    clock,
  });
  // A full disk: new values are refused before they are queued, never half-stored.
  refuseWhen(
    ingest,
    () => disk.refusal(),
    () => disk.checkSoon(),
  );
  const outbound = createOutboundPolicy({ allow: config.outboundAllow });
  const notify = createNotifyService({
    db,
    clock,
    audit,
    guard,
    secrets,
    settings: {
      timezone: config.timezone,
      publicUrl: config.publicUrl ?? null,
      concurrency: config.notifyConcurrency,
      maxAttempts: config.notifyMaxAttempts,
    },
    nodePath: async (nodeId, tx) => (await plant.byId(nodeId, tx))?.path ?? null,
    onDuty: (path, at, tx) => org.onDutyAt(path, at, tx),
    // Mail and webhooks ask the same outbound policy as connectors; a refused address is a setting to fix.
    async checkOutbound(url) {
      const kind = /^smtps?:/i.test(url) ? 'mail' : 'webhook';
      const verdict = await outbound.check(url, kind);
      // A name that does not resolve now may resolve later; any other refusal is a setting to fix.
      if (!verdict.allowed) throw new SendError(verdict.message, verdict.rule === 'unresolvable');
    },
  });
  /** Flood titles name their area; the name is looked up in the publishing transaction. */
  async function publishAlarmNotices(tx: Db, built: NotifyEventInput[]) {
    for (const e of built) {
      if (!e.subject.startsWith('flood:')) continue;
      const area = await plant.byId(Number(e.subject.slice('flood:'.length)), tx);
      const words = { zh: area?.nameZh ?? '区域', en: area?.nameEn ?? 'area' };
      e.payload.title = {
        zh: e.payload.title.zh.replace(AREA_PLACEHOLDER, words.zh),
        en: e.payload.title.en.replace(AREA_PLACEHOLDER, words.en),
      };
    }
    await notify.publish(tx, built);
  }
  const alarms = createAlarmService({
    db,
    audit,
    guard,
    clock,
    directory,
    // Alarm transitions publish notifications in their own transaction (the outbox).
    outbox: {
      build: (events, floods, now) => [
        ...alarmNotifyEvents(events, now),
        ...floodNotifyEvents(floods, () => ({ zh: AREA_PLACEHOLDER, en: AREA_PLACEHOLDER }), now),
      ],
      publish: (tx, built) => publishAlarmNotices(tx, built as NotifyEventInput[]),
      wake: () => notify.wake(),
      interlock: (i) =>
        interlockNotifyEvent({
          alarmKey: i.alarm.event.key,
          path: i.alarm.place.path,
          priority: i.alarm.event.priority,
          alarmTitle: {
            zh: i.alarm.event.text
              ? renderAlarmText(i.alarm.event.text, i.alarm.event.value, 'zh-CN')
              : i.alarm.event.message,
            en: i.alarm.event.text
              ? renderAlarmText(i.alarm.event.text, i.alarm.event.value, 'en-US')
              : i.alarm.event.message,
          },
          target: i.target,
          status: i.status,
          detail: i.detail,
          now: i.now,
        }),
    },
  });
  const live = createLiveHub({ paths: directory });
  const connectors = createConnectorService({
    db,
    audit,
    guard,
    clock,
    config,
    tags: directory,
    sink: ingest,
    secrets,
    // Devices sign in on the embedded broker with API tokens, limited to their tags' scope.
    authenticateToken: (token) => auth.authenticateToken(token),
    pathOf: (tagId) => directory.get(tagId)?.path,
  });
  // Issue 8: the workflow core, the risk register, evidence, hidden dangers and inspections.
  const workflow = createWorkflowService({ db, audit, guard, clock });
  const risk = createRiskService({ db, audit, guard, clock, plant, users });
  const evidence = createEvidenceService({
    db,
    audit,
    guard,
    clock,
    dataDir: config.dataDir,
    timezone: config.timezone,
    maxBytes: config.evidenceMaxBytes,
    reuseDays: config.evidenceReuseDays,
  });
  const hazard = createHazardService({
    db,
    audit,
    guard,
    clock,
    timezone: config.timezone,
    workflow,
    notify,
    evidence,
  });
  const inspection = createInspectionService({
    db,
    audit,
    guard,
    clock,
    timezone: config.timezone,
    plant,
    users,
    org,
    notify,
    workflow,
    qrKey: secrets.deriveKey('inspection.qr'),
    directory,
    timeseries,
    evidence,
    hazard,
  });
  // Issue 9: electronic signatures, work permits, emergency plans, SOPs and lockout.
  const signatures = createSignatureService({
    db,
    audit,
    clock,
    users,
    config,
    key: secrets.deriveKey('esign'),
  });
  const permit = createPermitService({
    db,
    audit,
    guard,
    clock,
    timezone: config.timezone,
    plant,
    users,
    org,
    access,
    notify,
    workflow,
    signatures,
    evidence,
    directory,
    timeseries,
    alarms,
    // ended permits' PDFs are archived under <dataDir>/permits
    dataDir: config.dataDir,
  });
  const emergency = createEmergencyService({
    db,
    audit,
    guard,
    clock,
    timezone: config.timezone,
    plant,
    users,
    org,
    notify,
    workflow,
    evidence,
    alarms,
  });
  const sop = createSopService({
    db,
    audit,
    guard,
    clock,
    plant,
    users,
    directory,
    timeseries,
    notify,
    workflow,
    evidence,
    signatures,
    alarms,
    connectors,
  });
  const demo = createDemoControl();
  const overview = createOverviewService({ plant, alarms, connectors, demo });
  // Issue 10: alarm KPIs, trend and shift analysis, training, reports, big screens.
  const kpi = createKpiService({ db, guard, clock, timezone: config.timezone });
  const analysis = createAnalysisService({ db, guard, clock, timezone: config.timezone, plant, org });
  const training = createTrainingService({
    db,
    audit,
    guard,
    clock,
    timezone: config.timezone,
    notify,
  });
  const reports = createReportService({
    db,
    audit,
    guard,
    clock,
    config,
    plant,
    org,
    notify,
    kpi,
    analysis,
    training,
    inspection,
    hazard,
    permit,
  });
  const screens = createScreenService({ db, audit, guard, clock, timezone: config.timezone, directory, bus });
  return {
    config,
    db,
    clock,
    bus,
    audit,
    guard,
    plant,
    users,
    access,
    auth,
    org,
    directory,
    tags,
    ingest,
    timeseries,
    disk,
    alarms,
    live,
    connectors,
    notify,
    secrets,
    workflow,
    risk,
    evidence,
    hazard,
    inspection,
    signatures,
    permit,
    emergency,
    sop,
    demo,
    overview,
    kpi,
    analysis,
    training,
    reports,
    screens,
  };
}

export type Services = ReturnType<typeof createServices>;
