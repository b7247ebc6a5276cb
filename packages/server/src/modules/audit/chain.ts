import { createHash } from 'node:crypto';

/** The fields an audit hash covers, in the form they are stored. */
export interface ChainedFields {
  seq: number;
  at: string;
  actorId: number | null;
  actorName: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  nodeId: number | null;
  outcome: 'success' | 'failure' | 'denied';
  reason: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  ip: string | null;
  /** Names captured at write time for people to read; hashed only when present (older entries have none). */
  actorDisplayName?: string | null;
  targetLabel?: string | null;
}

/** JSON with object keys sorted at every depth, so equal values always hash equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** hash_n = sha256(hash_{n-1} ‖ canonical(entry_n)): changing, removing or reordering any entry breaks every later link. */
export function chainHash(prevHash: string, entry: ChainedFields): string {
  const { actorDisplayName, targetLabel, ...core } = entry;
  // Absent labels leave the hash as it was before labels existed, so older chains still verify.
  const covered = {
    ...core,
    actorDisplayName: actorDisplayName ?? undefined,
    targetLabel: targetLabel ?? undefined,
  };
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(covered)).digest('hex');
}

/** Values as they come back from JSONB: plain JSON, no Dates or undefined. */
export function toJsonValue(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

export const GENESIS_HASH = 'genesis';

export interface StoredEntry extends ChainedFields {
  prevHash: string;
  hash: string;
  /** HMAC of the hash with the key kept outside the database; null on entries older than the key. */
  mac?: string | null;
}

export interface VerifyState {
  expectedSeq: number;
  prevHash: string;
  checked: number;
}

/** Checks one stored entry against the running chain; returns the problem, or null when it links. */
export function checkLink(state: VerifyState, entry: StoredEntry): string | null {
  if (entry.seq !== state.expectedSeq) {
    return entry.seq > state.expectedSeq
      ? `entries ${state.expectedSeq}..${entry.seq - 1} are missing (deleted)`
      : `entry ${entry.seq} is out of order`;
  }
  if (entry.prevHash !== state.prevHash) return `entry ${entry.seq} does not link to the entry before it`;
  const { prevHash: _p, hash, mac: _m, ...fields } = entry;
  if (chainHash(entry.prevHash, fields) !== hash)
    return `entry ${entry.seq} was altered after it was written`;
  return null;
}
