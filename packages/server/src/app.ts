import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config.js';
import { systemContext } from './context.js';
import { openDatabase } from './db/index.js';
import { buildHttpApp } from './http/app.js';
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
  opts: { clock?: Clock; logger?: FastifyBaseLogger; onProgress?: (msg: string) => void; inMemoryDb?: boolean } = {},
): Promise<Aegis> {
  const clock = opts.clock ?? systemClock;
  const opened = await openDatabase(config, { onProgress: opts.onProgress, inMemory: opts.inMemoryDb });
  try {
    const services = createServices({ config, db: opened.db, clock });
    await services.access.syncBuiltinRoles();
    const bootstrapPassword = await bootstrapAdmin(services, config.adminPassword);
    const http = await buildHttpApp(services, { loggerInstance: opts.logger });
    return {
      services,
      http,
      bootstrapPassword,
      async close() {
        await http.close();
        await opened.close();
      },
    };
  } catch (e) {
    await opened.close();
    throw e;
  }
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
