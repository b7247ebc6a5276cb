import type { AuditQuery, AuditVerifyResult } from '@aegis/shared';
import type { Clock } from '../../clock.js';
import type { RequestContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { csvLine } from '../../lib/csv.js';
import {
  type ChainedFields,
  chainHash,
  checkLink,
  GENESIS_HASH,
  type StoredEntry,
  toJsonValue,
} from './chain.js';
import * as repo from './repo.js';

export interface AuditInput {
  action: string;
  targetType?: string | null;
  targetId?: string | number | null;
  nodeId?: number | null;
  outcome?: 'success' | 'failure' | 'denied';
  reason?: string | null;
  before?: unknown;
  after?: unknown;
  /** For events without a signed-in actor, e.g. a failed login: the name that was tried. */
  actorName?: string;
}

export type AuditService = ReturnType<typeof createAuditService>;

export function createAuditService({ db, clock }: { db: Db; clock: Clock }) {
  /**
   * Appends an entry inside the caller's transaction, so that a change and its audit entry
   * commit together or not at all.
   */
  async function append(tx: Db, ctx: RequestContext, input: AuditInput): Promise<number> {
    const head = await repo.lockHead(tx);
    const at = clock.now();
    const fields: ChainedFields = {
      seq: head.seq + 1,
      at: at.toISOString(),
      actorId: ctx.actor?.userId ?? null,
      actorName: input.actorName ?? ctx.actor?.username ?? 'anonymous',
      action: input.action,
      targetType: input.targetType ?? null,
      targetId: input.targetId === undefined || input.targetId === null ? null : String(input.targetId),
      nodeId: input.nodeId ?? null,
      outcome: input.outcome ?? 'success',
      reason: input.reason ?? null,
      before: toJsonValue(input.before),
      after: toJsonValue(input.after),
      requestId: ctx.requestId,
      ip: ctx.ip,
    };
    const entry: StoredEntry = { ...fields, prevHash: head.hash, hash: chainHash(head.hash, fields) };
    await repo.insertEntry(tx, entry);
    ctx.audited = true;
    return entry.seq;
  }

  /** A security event on its own (login failure, denial, export): its own transaction. */
  function record(ctx: RequestContext, input: AuditInput) {
    return db.transaction((tx) => append(tx, ctx, input));
  }

  /**
   * Walks the whole chain: contiguous seq from 1, each link to the previous hash, each hash
   * over its entry, and the last entry against the head kept outside the log (a cut tail).
   */
  async function verify(
    opts: { expectHead?: string; onProgress?: (checked: number) => void } = {},
  ): Promise<AuditVerifyResult> {
    const state = { expectedSeq: 1, prevHash: GENESIS_HASH, checked: 0 };
    const fail = (seq: number | null, problem: string): AuditVerifyResult => ({
      ok: false,
      checked: state.checked,
      headSeq: state.expectedSeq - 1 || null,
      firstBrokenSeq: seq,
      problem,
    });
    let after = 0;
    for (;;) {
      const page = await repo.readChainPage(db, after, 2000);
      if (page.length === 0) break;
      after = page.at(-1)!.seq;
      for (const entry of page) {
        const problem = checkLink(state, entry);
        if (problem) return fail(Math.min(entry.seq, state.expectedSeq), problem);
        state.expectedSeq = entry.seq + 1;
        state.prevHash = entry.hash;
        state.checked++;
      }
      opts.onProgress?.(state.checked);
    }
    const head = await repo.readHead(db);
    const lastSeq = state.expectedSeq - 1;
    if (!head) return fail(null, 'the chain head record is missing');
    if (head.seq !== lastSeq || head.hash !== state.prevHash) {
      return fail(
        lastSeq + 1,
        head.seq > lastSeq
          ? `entries ${lastSeq + 1}..${head.seq} are missing at the end of the log (tail cut)`
          : 'the log does not end at the recorded chain head',
      );
    }
    if (opts.expectHead && opts.expectHead !== head.hash) {
      return fail(null, 'the chain head differs from the head hash recorded outside the database');
    }
    return {
      ok: true,
      checked: state.checked,
      headSeq: lastSeq || null,
      firstBrokenSeq: null,
      problem: null,
    };
  }

  function search(q: AuditQuery) {
    return repo.search(db, q);
  }

  /** Streams matching entries oldest first in pages, for CSV export of any size. */
  async function* entries(q: Omit<AuditQuery, 'limit' | 'offset'>) {
    let after = 0;
    for (;;) {
      const page = await repo.searchAfter(db, q, after, 2000);
      if (page.length === 0) return;
      yield page;
      after = page.at(-1)!.seq;
    }
  }

  return {
    append,
    record,
    verify,
    search,
    entries,
    count: (q: Omit<AuditQuery, 'limit' | 'offset'>) => repo.count(db, q),
    head: () => repo.readHead(db),
  };
}

const CSV_COLUMNS = [
  'seq',
  'at',
  'actorId',
  'actorName',
  'action',
  'targetType',
  'targetId',
  'nodeId',
  'outcome',
  'reason',
  'before',
  'after',
  'requestId',
  'ip',
  'hash',
] as const;

export const csvHeader = () => csvLine(CSV_COLUMNS);
export const csvRow = (e: StoredEntry) => csvLine(CSV_COLUMNS.map((c) => e[c]));
