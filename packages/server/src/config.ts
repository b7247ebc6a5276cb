import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { parseAllowList } from './modules/net/outbound.js';
import { parseMasterKey } from './modules/secrets/key.js';

export const ALL_ROLES = ['api', 'realtime', 'connectors', 'scheduler'] as const;

function isAddressOrCidr(s: string) {
  const [addr, bits, ...rest] = s.split('/');
  const v = isIP(addr ?? '');
  if (!v || rest.length) return false;
  if (bits === undefined) return true;
  return /^\d+$/.test(bits) && Number(bits) <= (v === 4 ? 32 : 128);
}

/**
 * Every setting in one schema: environment variables (AEGIS_*), an optional JSON file
 * (AEGIS_CONFIG or --config) and CLI flags, in rising precedence. Validated once at start-up.
 */
export const ConfigSchema = z
  .object({
    port: z.coerce.number().int().min(0).max(65535).default(8080),
    host: z.string().min(1).default('0.0.0.0'),
    dataDir: z.string().min(1).default('./data'),
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    /** The database role the application runs as (SET ROLE); created by migrations when allowed. */
    dbAppRole: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/)
      .default('aegis_app'),
    dbPoolSize: z.coerce.number().int().min(1).max(200).default(10),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** auto: readable single lines in a terminal, JSON otherwise (log collectors). */
    logFormat: z.enum(['auto', 'pretty', 'json']).default('auto'),
    /** Kept for existing installations: true means logFormat pretty. */
    logPretty: z.stringbool().default(false),
    roles: z
      .string()
      .default(ALL_ROLES.join(','))
      .transform((s) => s.split(',').map((r) => r.trim()))
      .pipe(z.array(z.enum(ALL_ROLES)).min(1))
      // Multi-node is not there yet: the alarm state lives in one process and every node would run
      // the timers, so a node must run every role (docs/architecture.md, "Process roles").
      .refine((roles) => ALL_ROLES.every((r) => roles.includes(r)), {
        message: `splitting the process roles across nodes is not supported yet (the alarm state lives in one process, timers would run on every node): run all roles in one process (${ALL_ROLES.join(',')}, the default)`,
      }),
    adminPassword: z.string().min(1).optional(),
    cookieSecure: z.stringbool().default(false),
    /**
     * Which peers may set X-Forwarded-For/-Proto/-Host: off (default; the socket address counts),
     * a hop count (1 = the nearest proxy), or a comma-separated list of proxy addresses/CIDRs.
     */
    trustProxy: z
      .union([z.number(), z.string()])
      .default('off')
      .transform((v, ctx): false | number | string[] => {
        const s = String(v).trim();
        if (s === '' || /^(off|false|no|0)$/i.test(s)) return false;
        if (/^\d+$/.test(s)) return Number(s);
        const list = s
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean);
        const bad = list.filter((x) => !isAddressOrCidr(x));
        if (bad.length) {
          ctx.addIssue({
            code: 'custom',
            message: `not an IP address or CIDR: ${bad.join(', ')} (use off, a hop count, or addresses such as 10.0.0.5,192.168.1.0/24)`,
          });
          return z.NEVER;
        }
        return list;
      }),
    /**
     * Origins besides the server's own that may send state-changing requests with the session
     * cookie and open /api/live (e.g. https://aegis.example.com when a proxy rewrites Host).
     */
    allowedOrigins: z
      .union([z.array(z.string()), z.string()])
      .default([])
      .transform((v, ctx) => {
        const list = (Array.isArray(v) ? v : v.split(',')).map((x) => x.trim()).filter(Boolean);
        const out: string[] = [];
        for (const o of list) {
          let url: URL | null = null;
          try {
            url = new URL(o);
          } catch {}
          if (!url || !/^https?:$/.test(url.protocol) || url.origin !== o.replace(/\/$/, '')) {
            ctx.addIssue({
              code: 'custom',
              message: `${o} is not an origin (scheme://host[:port], e.g. https://aegis.example.com)`,
            });
            return z.NEVER;
          }
          out.push(url.origin);
        }
        return out;
      }),
    sessionTtlHours: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 30)
      .default(12),
    sessionIdleMinutes: z.coerce
      .number()
      .int()
      .min(5)
      .max(24 * 60)
      .default(120),
    passwordMinLength: z.coerce.number().int().min(8).max(128).default(10),
    /** How many of lower, upper, digit, symbol a password must mix. */
    passwordMinClasses: z.coerce.number().int().min(1).max(4).default(3),
    lockoutMaxAttempts: z.coerce.number().int().min(1).max(100).default(5),
    lockoutMinutes: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(15),
    loginRateLimitPerMinute: z.coerce.number().int().min(1).max(10000).default(30),
    webDir: z.string().optional(),
    mqttUrl: z
      .string()
      .regex(/^(mqtts?|wss?|tcp):\/\//, 'must be an mqtt://, mqtts://, ws:// or wss:// URL')
      .optional(),
    /** Embedded broker ports. Unset: 1883 and 8083, or any free port (with a warning) when those are taken. */
    mqttPort: z.coerce.number().int().min(0).max(65535).optional(),
    mqttWsPort: z.coerce.number().int().min(0).max(65535).optional(),
    /** Where the embedded broker listens: this machine only unless devices elsewhere must reach it. */
    mqttHost: z.string().min(1).default('127.0.0.1'),
    /** The client id of the connection to MQTT_URL; default `aegis-<installation id>`, unique per installation. */
    mqttClientId: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits and _ . : - only, at most 64')
      .optional(),
    /** Raw values older than this are deleted (0 = keep for ever); rollups keep the trend. */
    retentionRawDays: z.coerce.number().int().min(0).max(36500).default(90),
    retention1mDays: z.coerce.number().int().min(0).max(36500).default(400),
    retention1hDays: z.coerce.number().int().min(0).max(36500).default(0),
    /** Raw values are kept in one table partition per plant-local day, week or month. */
    tsPartition: z.enum(['day', 'week', 'month']).default('day'),
    /** Partitions are created this many days ahead of the clock. */
    tsPartitionsAheadDays: z.coerce.number().int().min(1).max(60).default(3),
    /** Partitions older than this are rewritten into compressed blocks (0 = never compress). */
    tsCompressAfterDays: z.coerce.number().int().min(0).max(3650).default(1),
    /** Free disk space (percent) below which Aegis warns, raises an alarm, and refuses new values. */
    diskWarnPercent: z.coerce.number().min(0).max(100).default(15),
    diskAlarmPercent: z.coerce.number().min(0).max(100).default(8),
    diskRefusePercent: z.coerce.number().min(0).max(100).default(2),
    /** Further paths whose disk is watched besides dataDir (e.g. a local PostgreSQL's data directory). */
    diskWatchPaths: z
      .union([z.array(z.string()), z.string()])
      .default([])
      .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((x) => x.trim()).filter(Boolean)),
    /** How often the watched disks are measured. */
    diskCheckSeconds: z.coerce.number().int().min(1).max(3600).default(30),
    /** Sent and ended notifications (delivery log, notification centres) kept this long (0 = keep). */
    retentionNotifyDays: z.coerce.number().int().min(0).max(36500).default(400),
    /** Values stamped further than this in the future are stored with bad quality at arrival time. */
    futureToleranceSeconds: z.coerce.number().int().min(0).max(86400).default(300),
    /** Signed audit head records (anchors), one JSON line each; default: <dataDir>/audit-anchors.jsonl. */
    auditAnchorFile: z.string().min(1).optional(),
    /** The key that signs anchors and audit entries, never in the database; default: <dataDir>/audit-anchor.key. */
    auditAnchorKeyFile: z.string().min(1).optional(),
    /** Minutes between anchors of the audit chain (and one at shutdown). */
    auditAnchorMinutes: z.coerce.number().int().min(1).max(1440).default(5),
    /**
     * Loopback and private destinations outbound connections (connectors) may reach: addresses,
     * CIDR ranges and host names, comma-separated. Metadata and link-local addresses never.
     */
    outboundAllow: z
      .string()
      .default('')
      .superRefine((text, ctx) => {
        try {
          parseAllowList(text);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: (e as Error).message });
        }
      }),
    /** OPC UA server certificates: approved by an administrator on first use, or trusted blindly. */
    opcuaCertificateTrust: z
      .enum(['trust-on-first-use-with-approval', 'trust-all'])
      .default('trust-on-first-use-with-approval'),
    /** The plant's time zone (IANA): shift times, the on-call roster and quiet hours are read in it. */
    timezone: z
      .string()
      .default('Asia/Shanghai')
      .refine(
        (tz) => {
          try {
            new Intl.DateTimeFormat('en-US', { timeZone: tz });
            return true;
          } catch {
            return false;
          }
        },
        { message: 'not an IANA time zone (e.g. Asia/Shanghai, Europe/Berlin)' },
      ),
    /**
     * The key that encrypts stored secrets (SMTP passwords, robot secrets, connector passwords):
     * 32 bytes as 64 hex digits or base64. Unset: <dataDir>/master.key, created on first start.
     */
    masterKey: z
      .string()
      .min(1)
      .optional()
      .superRefine((text, ctx) => {
        if (text === undefined) return;
        try {
          parseMasterKey(text);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: (e as Error).message });
        }
      }),
    masterKeyFile: z.string().min(1).optional(),
    /** The address people open Aegis at; links in e-mails and chat messages point there. */
    publicUrl: z
      .string()
      .regex(/^https?:\/\/[^\s]+$/, 'must be an http:// or https:// URL, e.g. https://aegis.example.com')
      .optional(),
    /** The notification worker: deliveries sent at once per channel, attempts before dead-letter. */
    notifyConcurrency: z.coerce.number().int().min(1).max(64).default(4),
    notifyMaxAttempts: z.coerce.number().int().min(1).max(50).default(8),
    /** Photo evidence: the largest photo accepted (bytes), and how far back reuse is looked for (days). */
    evidenceMaxBytes: z.coerce
      .number()
      .int()
      .min(100_000)
      .max(200 * 1024 * 1024)
      .default(15 * 1024 * 1024),
    evidenceReuseDays: z.coerce.number().int().min(1).max(3650).default(90),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

/** Environment variable for each key; the README's configuration table lists the same names. */
export const ENV_KEYS: Record<keyof ConfigInput, string> = {
  port: 'AEGIS_PORT',
  host: 'AEGIS_HOST',
  dataDir: 'AEGIS_DATA_DIR',
  databaseUrl: 'DATABASE_URL',
  dbAppRole: 'AEGIS_DB_APP_ROLE',
  dbPoolSize: 'AEGIS_DB_POOL_SIZE',
  logLevel: 'AEGIS_LOG_LEVEL',
  logFormat: 'AEGIS_LOG_FORMAT',
  logPretty: 'AEGIS_LOG_PRETTY',
  roles: 'AEGIS_ROLES',
  adminPassword: 'AEGIS_ADMIN_PASSWORD',
  cookieSecure: 'AEGIS_COOKIE_SECURE',
  trustProxy: 'AEGIS_TRUST_PROXY',
  allowedOrigins: 'AEGIS_ALLOWED_ORIGINS',
  sessionTtlHours: 'AEGIS_SESSION_TTL_HOURS',
  sessionIdleMinutes: 'AEGIS_SESSION_IDLE_MINUTES',
  passwordMinLength: 'AEGIS_PASSWORD_MIN_LENGTH',
  passwordMinClasses: 'AEGIS_PASSWORD_MIN_CLASSES',
  lockoutMaxAttempts: 'AEGIS_LOCKOUT_MAX_ATTEMPTS',
  lockoutMinutes: 'AEGIS_LOCKOUT_MINUTES',
  loginRateLimitPerMinute: 'AEGIS_LOGIN_RATE_LIMIT_PER_MINUTE',
  webDir: 'AEGIS_WEB_DIR',
  mqttUrl: 'MQTT_URL',
  mqttPort: 'AEGIS_MQTT_PORT',
  mqttWsPort: 'AEGIS_MQTT_WS_PORT',
  mqttHost: 'AEGIS_MQTT_HOST',
  mqttClientId: 'AEGIS_MQTT_CLIENT_ID',
  retentionRawDays: 'AEGIS_RETENTION_RAW_DAYS',
  retention1mDays: 'AEGIS_RETENTION_1M_DAYS',
  retention1hDays: 'AEGIS_RETENTION_1H_DAYS',
  tsPartition: 'AEGIS_TS_PARTITION',
  tsPartitionsAheadDays: 'AEGIS_TS_PARTITIONS_AHEAD_DAYS',
  tsCompressAfterDays: 'AEGIS_TS_COMPRESS_AFTER_DAYS',
  diskWarnPercent: 'AEGIS_DISK_WARN_PERCENT',
  diskAlarmPercent: 'AEGIS_DISK_ALARM_PERCENT',
  diskRefusePercent: 'AEGIS_DISK_REFUSE_PERCENT',
  diskWatchPaths: 'AEGIS_DISK_WATCH_PATHS',
  diskCheckSeconds: 'AEGIS_DISK_CHECK_SECONDS',
  retentionNotifyDays: 'AEGIS_RETENTION_NOTIFY_DAYS',
  futureToleranceSeconds: 'AEGIS_FUTURE_TOLERANCE_SECONDS',
  auditAnchorFile: 'AEGIS_AUDIT_ANCHOR_FILE',
  auditAnchorKeyFile: 'AEGIS_AUDIT_ANCHOR_KEY_FILE',
  auditAnchorMinutes: 'AEGIS_AUDIT_ANCHOR_MINUTES',
  outboundAllow: 'AEGIS_OUTBOUND_ALLOW',
  opcuaCertificateTrust: 'AEGIS_OPCUA_CERTIFICATE_TRUST',
  timezone: 'AEGIS_TIMEZONE',
  masterKey: 'AEGIS_MASTER_KEY',
  masterKeyFile: 'AEGIS_MASTER_KEY_FILE',
  publicUrl: 'AEGIS_PUBLIC_URL',
  notifyConcurrency: 'AEGIS_NOTIFY_CONCURRENCY',
  notifyMaxAttempts: 'AEGIS_NOTIFY_MAX_ATTEMPTS',
  evidenceMaxBytes: 'AEGIS_EVIDENCE_MAX_BYTES',
  evidenceReuseDays: 'AEGIS_EVIDENCE_REUSE_DAYS',
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  file?: string;
  overrides?: Partial<Record<keyof ConfigInput, unknown>>;
}

export function loadConfig({ env = process.env, file, overrides = {} }: LoadConfigOptions = {}): Config {
  const raw: Record<string, unknown> = {};
  const configFile = file ?? env.AEGIS_CONFIG;
  if (configFile) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(configFile, 'utf8'));
    } catch (e) {
      throw new ConfigError([`config file ${configFile}: ${(e as Error).message}`]);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ConfigError([`config file ${configFile}: must hold a JSON object`]);
    }
    Object.assign(raw, parsed);
  }
  for (const [key, name] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) raw[key] = value;

  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? '');
        const envName = ENV_KEYS[key as keyof ConfigInput];
        if (issue.code === 'unrecognized_keys') return `unknown setting(s): ${issue.keys.join(', ')}`;
        return `${key}${envName ? ` (${envName})` : ''}: ${issue.message}`;
      }),
    );
  }
  const d = result.data;
  if (!(d.diskWarnPercent > d.diskAlarmPercent && d.diskAlarmPercent > d.diskRefusePercent)) {
    throw new ConfigError([
      `disk thresholds must fall in order warn > alarm > refuse (AEGIS_DISK_WARN_PERCENT ${d.diskWarnPercent}, AEGIS_DISK_ALARM_PERCENT ${d.diskAlarmPercent}, AEGIS_DISK_REFUSE_PERCENT ${d.diskRefusePercent})`,
    ]);
  }
  return {
    ...d,
    dataDir: path.resolve(d.dataDir),
    diskWatchPaths: d.diskWatchPaths.map((p) => path.resolve(p)),
  };
}
