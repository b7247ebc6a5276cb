import type { FastifyBaseLogger } from 'fastify';

/**
 * Connector secrets live apart: never inside a URL, an error text, a log line or the audit trail.
 * A URL written with credentials (mqtt://user:pw@host) is split when it is saved; what drivers
 * and libraries say is passed through redactSecrets before anyone reads it.
 */

const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i;

function decode(part: string) {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** Splits `scheme://user:password@host…` into the URL without them and the credentials. */
export function splitUrlCredentials(url: string): { url: string; username?: string; password?: string } {
  const m = USERINFO.exec(url);
  if (!m) return { url };
  const userinfo = m[2]!;
  const colon = userinfo.indexOf(':');
  const username = decode(colon < 0 ? userinfo : userinfo.slice(0, colon));
  const password = colon < 0 ? '' : decode(userinfo.slice(colon + 1));
  return {
    url: m[1]! + url.slice(m[0].length),
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
  };
}

const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi;
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The text with every URL's credentials and every known secret (as written or URL-encoded)
 * replaced by ***. Secrets shorter than 3 characters are not searched for: they would hide
 * ordinary words, and are too weak to protect anything.
 */
export function redactSecrets(text: string, secrets: readonly (string | null | undefined)[] = []): string {
  let out = text.replace(URL_USERINFO, '$1***@');
  for (const secret of secrets) {
    if (!secret || secret.length < 3) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)]))
      out = out.replace(new RegExp(escapeRegExp(form), 'g'), '***');
  }
  return out;
}

function redactValue(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value, secrets);
  if (depth > 3 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return {
      type: value.name,
      message: redactSecrets(value.message, secrets),
      ...(value.stack ? { stack: redactSecrets(value.stack, secrets) } : {}),
      ...(code !== undefined ? { code } : {}),
    };
  }
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, secrets, depth + 1)]));
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/** A logger whose every message and field (errors included) goes through redactSecrets. */
export function redactingLogger(log: FastifyBaseLogger, secrets: readonly string[]): FastifyBaseLogger {
  return new Proxy(log, {
    get(target, prop, receiver) {
      if (prop === 'child') {
        return (...args: Parameters<FastifyBaseLogger['child']>) =>
          redactingLogger(target.child(...args), secrets);
      }
      if ((LEVELS as readonly PropertyKey[]).includes(prop)) {
        const method = Reflect.get(target, prop, target) as (...a: unknown[]) => void;
        return (...args: unknown[]) =>
          method.apply(
            target,
            args.map((a) => redactValue(a, secrets)),
          );
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
