import {
  PERMIT_ACTION_MEANINGS,
  PERMIT_STATE_LABELS,
  PERMIT_STATES,
  type PermitState,
  type PermitVerify,
  SIGNATURE_MEANING_LABELS,
  type SignatureMeaning,
} from '@aegis/shared';
import type { Db } from '../../db/index.js';
import type { AuditService } from '../audit/index.js';
import { wallClock } from '../org/index.js';
import type { Signature, SignatureService } from '../signature/index.js';
import type { TransitionRecord, WorkflowService } from '../workflow/index.js';
import * as repo from './repo.js';

/*
 * Checking a permit after the fact (GET /api/permits/:id/verify, `aegis permit verify`):
 * - every signature on it, against the content it signed (the core rebuilds that content from
 *   the tables: a later UPDATE in the database shows as "changed after signing") and against its
 *   MAC (a signature row copied from another permit is invalid here);
 * - every signed step of its history has its signature (a transition without one was not made
 *   through Aegis);
 * - every transition has its audit entry `permit.<action>` with the state it led to, and the
 *   state in the permit's row is where its history ends.
 * The audit chain as a whole is `aegis audit verify`. Reads only; runs outside any transaction.
 */

export type PermitVerifyProblem = PermitVerify['problems'][number];

/** What a signature signed, rebuilt from the tables now (service.ts permitContent: deterministic, by id). */
export type PermitContentOf = (db: Db, id: number, upToSignatureId: number) => Promise<unknown>;

/** The signature each signed transition carries (the machine's transitions are named like the actions). */
const SIGNED_TRANSITIONS: Readonly<Record<string, SignatureMeaning>> = PERMIT_ACTION_MEANINGS;

export function createPermitVerifier(deps: {
  db: Db;
  signatures: Pick<SignatureService, 'verify'>;
  workflow: Pick<WorkflowService, 'history'>;
  audit: Pick<AuditService, 'entries'>;
  contentOf: PermitContentOf;
  timezone: string;
}) {
  const { db, signatures, workflow, audit, contentOf, timezone } = deps;

  /** Plant time, as people read it elsewhere (2026-03-02 16:00). */
  const local = (at: string | Date) => {
    const w = wallClock(new Date(at), timezone);
    return `${w.day} ${String(Math.floor(w.minute / 60)).padStart(2, '0')}:${String(w.minute % 60).padStart(2, '0')}`;
  };

  const who = (s: Signature) => {
    const m = SIGNATURE_MEANING_LABELS[s.meaning];
    return {
      zh: `第 ${s.id} 号签名（${m.zh}，${s.printedName}，${local(s.signedAt)}）`,
      en: `signature #${s.id} (${m.en}, ${s.printedName}, ${s.signedAt})`,
    };
  };

  function signatureProblems(sigs: Signature[]): PermitVerifyProblem[] {
    const out: PermitVerifyProblem[] = [];
    for (const s of sigs) {
      const w = who(s);
      if (s.status === 'changed_after_signing')
        out.push({
          code: 'changed_after_signing',
          signatureId: s.id,
          message: {
            zh: `${w.zh}：签字后内容被修改`,
            en: `${w.en}: the content was changed after signing`,
          },
        });
      else if (s.status === 'invalid')
        out.push({
          code: 'invalid_signature',
          signatureId: s.id,
          message: {
            zh: `${w.zh}：签名无效（不属于本作业票，或被伪造）`,
            en: `${w.en}: invalid (not made for this permit, or forged)`,
          },
        });
    }
    return out;
  }

  /** A signed step without a signature of its meaning by the person who took it. */
  function missingSignatures(history: readonly TransitionRecord[], sigs: Signature[]): PermitVerifyProblem[] {
    const out: PermitVerifyProblem[] = [];
    const unused = [...sigs];
    for (const t of history) {
      const meaning = SIGNED_TRANSITIONS[t.action];
      if (!meaning || t.actorId === null) continue;
      const i = unused.findIndex((s) => s.meaning === meaning && s.signerId === t.actorId);
      if (i >= 0) {
        unused.splice(i, 1);
        continue;
      }
      const m = SIGNATURE_MEANING_LABELS[meaning];
      out.push({
        code: 'missing_signature',
        signatureId: null,
        message: {
          zh: `${local(t.at)} ${t.actorName} 的「${m.zh}」（${t.action}）没有对应的电子签名`,
          en: `${t.action} by ${t.actorName} at ${t.at.toISOString()} has no "${m.en}" signature`,
        },
      });
    }
    return out;
  }

  async function auditProblems(
    id: number,
    state: PermitState,
    history: readonly TransitionRecord[],
  ): Promise<PermitVerifyProblem[]> {
    const out: PermitVerifyProblem[] = [];
    const entries: Array<{ action: string; after: unknown }> = [];
    for await (const page of audit.entries({ targetType: 'permit', targetId: String(id) }))
      for (const e of page) entries.push({ action: e.action, after: e.after });
    // transitions and their entries in the same order; other entries (signatures, exports) in between
    let next = 0;
    for (const t of history) {
      const at = entries.findIndex(
        (e, i) =>
          i >= next &&
          e.action === `permit.${t.action}` &&
          (e.after as { state?: unknown } | null)?.state === t.toState,
      );
      if (at < 0) {
        out.push({
          code: 'audit_mismatch',
          signatureId: null,
          message: {
            zh: `${local(t.at)} ${t.actorName} 的 ${t.action}（→ ${PERMIT_STATE_LABELS[t.toState as PermitState]?.zh ?? t.toState}）在审计追踪中没有记录`,
            en: `${t.action} by ${t.actorName} at ${t.at.toISOString()} (→ ${t.toState}) has no audit entry`,
          },
        });
        continue;
      }
      next = at + 1;
    }
    const last = history.at(-1);
    if (!last)
      out.push({
        code: 'audit_mismatch',
        signatureId: null,
        message: { zh: '作业票没有流转记录', en: 'The permit has no workflow history' },
      });
    else if (last.toState !== state)
      out.push({
        code: 'audit_mismatch',
        signatureId: null,
        message: {
          zh: `作业票状态为「${PERMIT_STATE_LABELS[state].zh}」，流转记录止于「${PERMIT_STATE_LABELS[last.toState as PermitState]?.zh ?? last.toState}」：状态在流程之外被修改`,
          en: `The permit is ${state} but its history ends in ${last.toState}: the state was changed outside the workflow`,
        },
      });
    return out;
  }

  /** The full check of one permit; null when there is no such permit. */
  async function verify(id: number): Promise<(PermitVerify & { code: string }) | null> {
    const p = await repo.get(db, id);
    if (!p) return null;
    const sigs = await signatures.verify(db, 'permit', id, (sig) => contentOf(db, id, sig.id));
    const history = await workflow.history(db, 'permit', id);
    const problems = [
      ...signatureProblems(sigs),
      ...missingSignatures(history, sigs),
      ...(await auditProblems(id, p.state, history)),
    ];
    return { code: p.code, ok: problems.length === 0, problems, signatures: sigs };
  }

  return {
    verify,
    /** Every submitted permit (or one), for the command line: one report per permit. */
    async verifyAll(opts: { id?: number; onProgress?: (done: number, total: number) => void } = {}) {
      const ids =
        opts.id !== undefined
          ? [opts.id]
          : (
              await repo.inStates(
                db,
                PERMIT_STATES.filter((st) => st !== 'draft'),
              )
            ).map((p) => p.id);
      const reports: Array<PermitVerify & { id: number; code: string }> = [];
      for (const [i, id] of ids.entries()) {
        const r = await verify(id);
        if (r) reports.push({ id, ...r });
        opts.onProgress?.(i + 1, ids.length);
      }
      return reports;
    },
  };
}

export type PermitVerifier = ReturnType<typeof createPermitVerifier>;
