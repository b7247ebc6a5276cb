import { redactSecrets } from '../../connectors/secrets.js';
import { type SendContext, SendError } from './types.js';

/**
 * The one way channels speak HTTP: the outbound policy first (on scheme, host and port only, so a
 * key in the path or query never reaches a log), a bounded time, no redirects (a redirect could lead past the
 * policy to a metadata address), a bounded answer, and errors that never contain a secret.
 */

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** The answer's first 64 KiB as text. */
  body: string;
}

const MAX_ANSWER = 64 * 1024;

/** Asks the outbound policy; a refusal is final (not retryable). */
export async function checkDestination(
  ctx: SendContext,
  url: string,
  secrets: readonly (string | undefined)[],
) {
  let shown = url;
  try {
    const u = new URL(url);
    // Scheme, host and port are all the policy needs; a path or query may carry a key.
    shown = `${u.protocol}//${u.host}/`;
  } catch {
    throw new SendError('The address is not a valid URL', false);
  }
  try {
    await ctx.checkOutbound(shown);
  } catch (err) {
    if (err instanceof SendError) throw err;
    const message = redactSecrets(err instanceof Error ? err.message : String(err), secrets);
    // A name that does not resolve now may resolve later (DNS outage); every other refusal is final.
    throw new SendError(message, /\bunresolvable\b/.test(message));
  }
}

async function readBounded(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_ANSWER) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, MAX_ANSWER).toString('utf8');
}

/** What a failed fetch was, in words (the cause's code: ECONNREFUSED, ENOTFOUND…). */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return err instanceof Error ? err.message : String(err);
}

export async function httpRequest(opts: {
  ctx: SendContext;
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Values that must never appear in an error text. */
  secrets: readonly (string | undefined)[];
  /** For error texts: "WeCom robot", "webhook"… */
  what: string;
}): Promise<HttpAnswer> {
  await checkDestination(opts.ctx, opts.url, opts.secrets);
  const host = new URL(opts.url).host;
  let res: Response;
  try {
    res = await fetch(opts.url, {
      method: opts.method ?? 'POST',
      headers: opts.headers,
      body: opts.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
  } catch (err) {
    const name = (err as { name?: string })?.name;
    if (name === 'TimeoutError' || name === 'AbortError')
      throw new SendError(`${opts.what} at ${host} did not answer within ${opts.timeoutMs} ms`, true);
    throw new SendError(
      redactSecrets(`${opts.what} at ${host} could not be reached (${networkReason(err)})`, opts.secrets),
      true,
    );
  }
  let body: string;
  try {
    body = await readBounded(res);
  } catch (err) {
    throw new SendError(
      redactSecrets(`${opts.what} at ${host} broke off its answer (${networkReason(err)})`, opts.secrets),
      true,
    );
  }
  return { status: res.status, headers: res.headers, body };
}

/** Retry-After as ms: seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | null, now: Date): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

/**
 * A non-2xx answer as a SendError: 408, 429 and 5xx are worth retrying (429 with its Retry-After),
 * other 4xx are not (the request itself is wrong: fix the settings).
 */
export function statusError(
  answer: HttpAnswer,
  what: string,
  now: Date,
  secrets: readonly (string | undefined)[],
) {
  const { status } = answer;
  const excerpt = answer.body.replace(/\s+/g, ' ').trim().slice(0, 300);
  const text = redactSecrets(`${what} answered HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`, secrets);
  if (status >= 300 && status < 400)
    return new SendError(`${text} (redirects are not followed: enter the final address)`, false);
  const retryable = status === 408 || status === 429 || status >= 500;
  return new SendError(
    text,
    retryable,
    status === 429 ? retryAfterMs(answer.headers.get('retry-after'), now) : null,
  );
}

export const isOk = (status: number) => status >= 200 && status < 300;

/** Cuts text to at most `maxBytes` UTF-8 bytes without splitting a character, marking the cut. */
export function truncateBytes(text: string, maxBytes: number, mark = '…'): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.byteLength <= maxBytes) return text;
  const room = maxBytes - Buffer.byteLength(mark);
  let cut = buf.subarray(0, Math.max(0, room)).toString('utf8');
  // A split character decodes as U+FFFD at the end: drop it.
  cut = cut.replace(/\uFFFD+$/, '');
  return cut + mark;
}

/** Parses a JSON answer; null when it is not JSON. */
export function jsonOf(body: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(body) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
