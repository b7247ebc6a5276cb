import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Database } from './db/index.js';
import { accessGuard, createAccessService } from './modules/access/index.js';
import { createAuditService } from './modules/audit/index.js';
import { createAuthService } from './modules/auth/index.js';
import { createOrgService } from './modules/org/index.js';
import { createPlantService } from './modules/plant/index.js';
import { createUsersService } from './modules/users/index.js';

/** The explicit wiring of every module: one place shows who depends on whom. */
export function createServices({ config, db, clock }: { config: Config; db: Database; clock: Clock }) {
  const audit = createAuditService({ db, clock });
  const guard = accessGuard;
  const plant = createPlantService({ db, audit, guard, clock });
  const users = createUsersService({ db, audit, guard, clock, plant, config });
  const access = createAccessService({ db, audit, plant, users });
  const auth = createAuthService({ db, audit, clock, users, access, config });
  const org = createOrgService({ db, audit, guard, plant });
  return { config, db, clock, audit, guard, plant, users, access, auth, org };
}

export type Services = ReturnType<typeof createServices>;
