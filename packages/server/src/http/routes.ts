import { accessRoutes } from '../modules/access/index.js';
import { alarmRoutes } from '../modules/alarms/index.js';
import { auditRoutes } from '../modules/audit/index.js';
import { authRoutes } from '../modules/auth/index.js';
import { connectorRoutes } from '../modules/connectors/index.js';
import { demoRoutes } from '../modules/demo/index.js';
import { evidenceRoutes } from '../modules/evidence/index.js';
import { hazardRoutes } from '../modules/hazard/index.js';
import { ingestRoutes } from '../modules/ingest/index.js';
import { inspectionRoutes } from '../modules/inspection/index.js';
import { liveRoutes } from '../modules/live/index.js';
import { notifyRoutes } from '../modules/notify/index.js';
import { orgRoutes } from '../modules/org/index.js';
import { overviewRoutes } from '../modules/overview/index.js';
import { plantRoutes } from '../modules/plant/index.js';
import { riskRoutes } from '../modules/risk/index.js';
import { tagRoutes } from '../modules/tags/index.js';
import { timeseriesRoutes } from '../modules/timeseries/index.js';
import { userRoutes } from '../modules/users/index.js';
import type { Services } from '../services.js';
import type { App } from './app.js';

/** Every module's routes, registered explicitly in one list. */
export async function registerRoutes(app: App, services: Services) {
  await authRoutes(app, services);
  await plantRoutes(app, services);
  await orgRoutes(app, services);
  await userRoutes(app, services);
  await accessRoutes(app, services);
  await auditRoutes(app, services);
  await tagRoutes(app, services);
  await ingestRoutes(app, services);
  await timeseriesRoutes(app, services);
  await connectorRoutes(app, services);
  await demoRoutes(app, services);
  await alarmRoutes(app, services);
  await liveRoutes(app, services);
  await overviewRoutes(app, services);
  await notifyRoutes(app, services);
  await riskRoutes(app, services);
  await evidenceRoutes(app, services);
  await hazardRoutes(app, services);
  await inspectionRoutes(app, services);
}
