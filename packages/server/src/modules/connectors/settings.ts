import type { ConnectorKind } from '@aegis/shared';
import type { z } from 'zod';
import { invalid } from '../../errors.js';
import type { OutboundCheck } from '../net/index.js';
import { CONFIG_SCHEMAS } from './drivers.js';
import { splitUrlCredentials } from './secrets.js';

/** The settings key holding each kind's URL (Modbus has host and port instead). */
const URL_KEY: Partial<Record<ConnectorKind, 'url' | 'endpointUrl'>> = { mqtt: 'url', opcua: 'endpointUrl' };

function configError(error: z.ZodError) {
  return invalid(
    'The connector settings are not valid',
    error.issues.map((i) => ({ path: ['config', ...i.path].join('.'), message: i.message })),
  );
}

/**
 * Settings as submitted → settings as stored (no password, no credentials in the URL) and the
 * password: a string to store, null to clear, undefined to keep the stored one. Credentials
 * written in the URL are split out; given both in the URL and in the fields, they are refused.
 */
export function prepareSettings(
  kind: ConnectorKind,
  input: Record<string, unknown>,
): { config: Record<string, unknown>; password: string | null | undefined } {
  const next: Record<string, unknown> = { ...input };
  const key = URL_KEY[kind];
  const url = key ? next[key] : undefined;
  if (key && typeof url === 'string') {
    const split = splitUrlCredentials(url);
    if (split.url !== url) {
      if ((split.username && next.username) || (split.password && next.password)) {
        throw invalid('Give the user name and password either in the URL or in their fields, not both', [
          { path: `config.${key}`, message: 'credentials in the URL and in the fields' },
        ]);
      }
      next[key] = split.url;
      if (split.username) next.username = split.username;
      if (split.password) next.password = split.password;
    }
  }
  const password = next.password;
  delete next.password;
  const parsed = CONFIG_SCHEMAS[kind].safeParse(next);
  if (!parsed.success) throw configError(parsed.error);
  if (password !== undefined && password !== null && typeof password !== 'string') {
    throw invalid('The connector settings are not valid', [
      { path: 'config.password', message: 'must be a string' },
    ]);
  }
  if (typeof password === 'string' && password.length > 500) {
    throw invalid('The connector settings are not valid', [
      { path: 'config.password', message: 'at most 500 characters' },
    ]);
  }
  const { password: _ignored, ...config } = parsed.data as Record<string, unknown>;
  return { config, password: password === '' ? null : (password as string | null | undefined) };
}

/** Where a connector connects to, as the outbound policy takes it. */
export function destinationOf(kind: ConnectorKind, config: Record<string, unknown>) {
  const key = URL_KEY[kind];
  if (key) return String(config[key] ?? '');
  return { host: String(config.host ?? ''), port: Number(config.port ?? 502) };
}

/** The host a connector connects to (lower case), to tell whether a stored password may follow an edit. */
export function hostOf(kind: ConnectorKind, config: Record<string, unknown>) {
  const where = destinationOf(kind, config);
  if (typeof where !== 'string') return where.host.toLowerCase();
  try {
    return new URL(where).hostname.toLowerCase();
  } catch {
    return where;
  }
}

/** Refuses (400, naming the rule) a destination the outbound policy does not allow. */
export async function requireAllowedDestination(
  outbound: OutboundCheck,
  kind: ConnectorKind,
  config: Record<string, unknown>,
) {
  const verdict = await outbound(destinationOf(kind, config), kind);
  if (!verdict.allowed) {
    throw invalid(verdict.message, [
      { path: `config.${URL_KEY[kind] ?? 'host'}`, message: verdict.message, rule: verdict.rule },
    ]);
  }
}
