import type { AuditQuery, AuditVerifyResult } from '@aegis/shared';
import type { Clock } from '../../clock.js';
import type { RequestContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { csvLine } from '../../lib/csv.js';
import type { RegisterTable } from '../../lib/register-export.js';
import {
  type AnchorRecord,
  type AnchorSettings,
  appendAnchor,
  entryMac,
  entryMacValid,
  loadOrCreateKey,
  readAnchors,
  signAnchor,
} from './anchor.js';
import {
  type ChainedFields,
  chainHash,
  checkLink,
  GENESIS_HASH,
  type StoredEntry,
  toJsonValue,
} from './chain.js';
import { labelFromRecord, labelKey, lookupLabels } from './labels.js';
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
  /** What people call the target; by default looked up from the target (or its before/after record). */
  targetLabel?: string | null;
}

export type AuditService = ReturnType<typeof createAuditService>;

export function createAuditService({
  db,
  clock,
  anchor,
}: {
  db: Db;
  clock: Clock;
  /** Where the key and the signed head records live, outside the database; without it, no MACs and no anchors. */
  anchor?: AnchorSettings;
}) {
  // Read (or created) once at start: a key that cannot be read stops the start, loudly.
  const key = anchor ? loadOrCreateKey(anchor.keyFile) : null;
  let lastAnchoredSeq: number | null = null;

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
      actorDisplayName: input.actorName === undefined ? (ctx.actor?.displayName ?? null) : null,
      targetLabel: await targetLabelOf(tx, input),
    };
    const hash = chainHash(head.hash, fields);
    const entry: StoredEntry = {
      ...fields,
      prevHash: head.hash,
      hash,
      mac: key ? entryMac(key, fields.seq, hash) : null,
    };
    await repo.insertEntry(tx, entry);
    ctx.audited = true;
    return entry.seq;
  }

  async function targetLabelOf(tx: Db, input: AuditInput): Promise<string | null> {
    if (input.targetLabel !== undefined) return input.targetLabel;
    if (!input.targetType || input.targetId === undefined || input.targetId === null) return null;
    const target = { targetType: input.targetType, targetId: String(input.targetId) };
    const found = (await lookupLabels(tx, [target])).get(labelKey(target));
    return found ?? labelFromRecord(input.after) ?? labelFromRecord(input.before);
  }

  /** A security event on its own (login failure, denial, export): its own transaction. */
  function record(ctx: RequestContext, input: AuditInput) {
    return db.transaction((tx) => append(tx, ctx, input));
  }

  /**
   * Walks the whole chain: contiguous seq from 1, each link to the previous hash, each hash
   * over its entry, each MAC (an entry not written by Aegis has none, or a wrong one), every
   * signed anchor outside the database (a chain rewritten or cut back behind it), and the last
   * entry against the head kept outside the log (a cut tail).
   */
  async function verify(
    opts: { expectHead?: string; onProgress?: (checked: number) => void; anchors?: boolean } = {},
  ): Promise<AuditVerifyResult> {
    const state = { expectedSeq: 1, prevHash: GENESIS_HASH, checked: 0 };
    let latest: AnchorRecord | null = null;
    const fail = (seq: number | null, problem: string): AuditVerifyResult => ({
      ok: false,
      checked: state.checked,
      headSeq: state.expectedSeq - 1 || null,
      firstBrokenSeq: seq,
      problem,
      anchor: latest && { seq: latest.seq, at: latest.at },
    });
    const anchored = new Map<number, AnchorRecord>();
    if (key && anchor && opts.anchors !== false) {
      const read = readAnchors(anchor.file, key);
      if (read.problem) return fail(null, read.problem);
      for (const a of read.anchors) {
        const seen = anchored.get(a.seq);
        if (seen && seen.hash !== a.hash)
          return fail(
            a.seq,
            `two signed anchors disagree on entry ${a.seq}: the chain was rewritten between them`,
          );
        anchored.set(a.seq, a);
        if (!latest || a.seq >= latest.seq) latest = a;
      }
    }
    let macSeen = false;
    let after = 0;
    for (;;) {
      const page = await repo.readChainPage(db, after, 2000);
      if (page.length === 0) break;
      after = page.at(-1)!.seq;
      for (const entry of page) {
        const problem = checkLink(state, entry);
        if (problem) return fail(Math.min(entry.seq, state.expectedSeq), problem);
        if (key) {
          if (entry.mac) {
            if (!entryMacValid(key, entry.seq, entry.hash, entry.mac))
              return fail(
                entry.seq,
                `entry ${entry.seq} carries a MAC that does not verify: it was not written by Aegis`,
              );
            macSeen = true;
          } else if (macSeen) {
            return fail(
              entry.seq,
              `entry ${entry.seq} has no MAC although the entries before it do: it was not written by Aegis`,
            );
          }
        }
        const a = anchored.get(entry.seq);
        if (a && a.hash !== entry.hash)
          return fail(
            entry.seq,
            `entry ${entry.seq} differs from the anchor signed at ${a.at}: the chain was rewritten`,
          );
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
    if (latest && latest.seq > lastSeq) {
      return fail(
        lastSeq + 1,
        `the log ends at entry ${lastSeq}, before entry ${latest.seq} anchored at ${latest.at}: entries were removed`,
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
      anchor: latest && { seq: latest.seq, at: latest.at },
    };
  }

  /**
   * Appends a signed head record (seq, hash, time) to the anchor file, unless the head has not
   * moved since the last one. Run every few minutes and at shutdown.
   */
  async function writeAnchor(): Promise<AnchorRecord | null> {
    if (!key || !anchor) return null;
    const head = await repo.readHead(db);
    if (!head || head.seq === 0) return null;
    if (lastAnchoredSeq === null) {
      const { anchors } = readAnchors(anchor.file, key);
      lastAnchoredSeq = anchors.at(-1)?.seq ?? -1;
    }
    if (head.seq === lastAnchoredSeq) return null;
    const record = signAnchor(key, { seq: head.seq, hash: head.hash, at: clock.now().toISOString() });
    appendAnchor(anchor.file, record);
    lastAnchoredSeq = head.seq;
    return record;
  }

  /** Entries with the names people read: captured at write time, looked up for older entries. */
  async function withNames(items: StoredEntry[]): Promise<StoredEntry[]> {
    const missing = items.filter((e) => e.targetLabel == null && e.targetId !== null);
    const labels = missing.length ? await lookupLabels(db, missing) : new Map<string, string>();
    const actorIds = [
      ...new Set(
        items.filter((e) => e.actorDisplayName == null && e.actorId !== null).map((e) => e.actorId!),
      ),
    ];
    const actors = actorIds.length
      ? await lookupLabels(
          db,
          actorIds.map((id) => ({ targetType: 'user', targetId: String(id) })),
        )
      : new Map<string, string>();
    return items.map((e) => ({
      ...e,
      targetLabel:
        e.targetLabel ??
        labels.get(labelKey(e)) ??
        labelFromRecord(e.after) ??
        labelFromRecord(e.before) ??
        null,
      actorDisplayName:
        e.actorDisplayName ??
        (e.actorId === null
          ? null
          : (actors
              .get(labelKey({ targetType: 'user', targetId: String(e.actorId) }))
              ?.replace(/ \([^)]*\)$/, '') ?? null)),
    }));
  }

  async function search(q: AuditQuery) {
    const { items, total } = await repo.search(db, q);
    return { items: await withNames(items), total };
  }

  /** Streams matching entries oldest first in pages, for CSV export of any size. */
  async function* entries(q: Omit<AuditQuery, 'limit' | 'offset'>) {
    let after = 0;
    for (;;) {
      const page = await repo.searchAfter(db, q, after, 2000);
      if (page.length === 0) return;
      yield await withNames(page);
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
    writeAnchor,
  };
}

const CSV_COLUMNS = [
  'seq',
  'at',
  'actorId',
  'actorName',
  'actorDisplayName',
  'action',
  'targetType',
  'targetId',
  'targetLabel',
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

/** The audit-trail extract as one table for XLSX: seq as a number, the time in plant time. */
export function auditTable(entries: readonly StoredEntry[]): RegisterTable {
  return {
    sheet: '审计记录 Audit trail',
    columns: CSV_COLUMNS.map((c) => ({
      header: c,
      width: c === 'before' || c === 'after' ? 40 : c === 'hash' ? 20 : 16,
      ...(c === 'seq' ? { kind: 'number' as const } : c === 'at' ? { kind: 'datetime' as const } : {}),
    })),
    rows: entries.map((e) =>
      CSV_COLUMNS.map((c) => {
        const v = e[c];
        if (v === null || v === undefined) return null;
        if (typeof v === 'number' || typeof v === 'string' || v instanceof Date) return v;
        return JSON.stringify(v);
      }),
    ),
  };
}
