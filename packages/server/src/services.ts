import { createBus } from './bus.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Database } from './db/index.js';
import { accessGuard, createAccessService } from './modules/access/index.js';
import { createAlarmService } from './modules/alarms/index.js';
import { anchorSettings, createAuditService } from './modules/audit/index.js';
import { createAuthService } from './modules/auth/index.js';
import { createConnectorService } from './modules/connectors/index.js';
import { createDemoControl } from './modules/demo/index.js';
import { createIngestPipeline } from './modules/ingest/index.js';
import { createLiveHub } from './modules/live/index.js';
import { createOrgService } from './modules/org/index.js';
import { createOverviewService } from './modules/overview/index.js';
import { createPlantService } from './modules/plant/index.js';
import type { SecretBox } from './modules/secrets/index.js';
import { createTagDirectory, createTagService } from './modules/tags/index.js';
import { createTimeseriesService } from './modules/timeseries/index.js';
import { createUsersService } from './modules/users/index.js';

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
  const alarms = createAlarmService({ db, audit, guard, clock, directory });
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
  const demo = createDemoControl();
  const overview = createOverviewService({ plant, alarms, connectors, demo });
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
    alarms,
    live,
    connectors,
    secrets,
    demo,
    overview,
  };
}

export type Services = ReturnType<typeof createServices>;
