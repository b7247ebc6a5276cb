import {
  type SignatureAuthMethod,
  type SignatureMeaning,
  SignatureMeaningSchema,
  type Signature as SignatureRecord,
  type SignInput,
} from '@aegis/shared';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { RequestContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { AppError } from '../../errors.js';
import { AccessDeniedError } from '../access/index.js';
import type { AuditService } from '../audit/index.js';
import { wallClock } from '../org/index.js';
import { type UserRow, type UsersService, verifyPassword } from '../users/index.js';
import { contentHash, type MacFields, macMatches, sha256Hex, signatureMac } from './hash.js';
import { parseSignatureImage } from './image.js';
import * as repo from './repo.js';

/** How long a confirmed password may back a signature: the signing action must follow at once. */
export const PROOF_TTL_MS = 2 * 60_000;

/**
 * What `reauthenticate` hands back: the signer as re-identified just now. Only proofs issued by this
 * module are accepted by `sign` (they are remembered in a WeakSet), so a caller cannot make one up.
 */
export interface SignProof {
  readonly userId: number;
  readonly printedName: string;
  readonly username: string;
  readonly authMethod: SignatureAuthMethod;
  readonly image: Buffer | null;
  readonly at: Date;
}

export interface SignRequest {
  /** The owner module's record kind, e.g. 'permit', 'sop_run', 'lockout', 'emergency_run'. */
  recordKind: string;
  recordId: number;
  meaning: SignatureMeaning;
  /** What is signed; its canonical JSON is hashed. The owner must be able to rebuild it for verify(). */
  content: unknown;
  /** The record's plant node, for the audit trail. */
  nodeId?: number | null;
}

/** How an owner module lets a signature's drawn image be read: may the caller see the record? */
export interface SignatureOwner {
  readable(ctx: RequestContext, recordId: number, db: Db): Promise<boolean>;
}

export type Signature = SignatureRecord;

const RECORD_KIND = /^[a-z][a-z0-9_]*$/;

export function createSignatureService(deps: {
  db: Db;
  audit: AuditService;
  clock: Clock;
  users: UsersService;
  config: Pick<Config, 'lockoutMaxAttempts' | 'lockoutMinutes' | 'timezone'>;
  /** secrets.deriveKey('esign'): the MAC key, never stored in the database. */
  key: Buffer;
}) {
  const { db, audit, clock, users, config, key } = deps;
  const issued = new WeakSet<SignProof>();
  const owners = new Map<string, SignatureOwner>();

  const macFields = (r: repo.SignatureRow): MacFields => ({
    recordKind: r.record_kind,
    recordId: r.record_id,
    meaning: r.meaning,
    signerId: r.signer_id,
    signedAt: r.signed_at,
    contentHash: r.content_hash,
    imageSha256: r.image_sha256,
    printedName: r.printed_name,
    username: r.username,
    authMethod: r.auth_method,
  });

  function present(r: repo.SignatureRow, status: Signature['status'], statusText?: string): Signature {
    return {
      id: r.id,
      recordKind: r.record_kind,
      recordId: r.record_id,
      meaning: r.meaning,
      signerId: r.signer_id,
      printedName: r.printed_name,
      username: r.username,
      signedAt: r.signed_at.toISOString(),
      contentHash: r.content_hash,
      authMethod: r.auth_method,
      hasImage: r.image_sha256 !== null,
      status,
      ...(statusText ? { statusText } : {}),
    };
  }

  /**
   * The MAC is recomputed from the row's own fields, record kind and id included: a row copied or
   * re-pointed to another record, or with any manifested field edited, does not verify.
   */
  const macStatus = (r: repo.SignatureRow): Signature =>
    macMatches(key, macFields(r), r.mac)
      ? present(r, 'valid')
      : present(
          r,
          'invalid',
          'The signature does not belong to this record or was altered (its MAC does not verify) · 签名不属于本记录或已被改动',
        );

  const plantTime = (d: Date) => {
    const w = wallClock(d, config.timezone);
    return `${w.day} ${String(Math.floor(w.minute / 60)).padStart(2, '0')}:${String(w.minute % 60).padStart(2, '0')}`;
  };

  /**
   * The second factor, in this one place. Aegis has no MFA enrolment yet, so no user has a factor:
   * a code sent anyway is refused rather than recorded as 'password+otp' unchecked. When enrolment
   * exists, verify `otp` against the user's factor here and return 'password+otp'.
   */
  function secondFactor(_user: UserRow, otp: string | undefined): SignatureAuthMethod {
    if (otp !== undefined)
      throw new AppError(
        'validation_failed',
        'This account has no second factor set up: sign with the password only',
        [{ path: 'signature.otp', message: 'no second factor for this account' }],
      );
    return 'password';
  }

  async function refused(ctx: RequestContext, user: UserRow | null, reason: string, extra = {}) {
    await audit.record(ctx, {
      action: 'signature.refused',
      outcome: 'failure',
      targetType: 'user',
      targetId: user?.id ?? ctx.actor?.userId ?? null,
      nodeId: user?.home_node_id ?? null,
      after: { reason, ...extra },
    });
  }

  /**
   * Step 1, OUTSIDE any transaction (a wrong password must stay counted when the signing action
   * fails): the signed-in person types their password again. Wrong passwords count towards the
   * same lockout as sign-in; a correct one resets nothing (the next sign-in does, as usual).
   */
  async function reauthenticate(ctx: RequestContext, input: SignInput): Promise<SignProof> {
    const actor = ctx.actor;
    if (!actor || actor.userId === null) throw new AppError('unauthenticated', 'Sign in first');
    const user = await users.byId(actor.userId);
    if (actor.kind === 'machine' || !user || user.kind === 'machine') {
      await refused(ctx, user, 'machine account');
      throw new AppError('forbidden', 'Machine accounts cannot sign electronically; a person must sign');
    }
    if (!user.active) {
      await refused(ctx, user, 'account disabled');
      throw new AppError('account_disabled', 'This account is disabled');
    }
    // The drawn image is checked before the password, so a bad drawing never costs an attempt.
    const image = input.image ? await parseSignatureImage(input.image) : null;
    const now = clock.now();
    const max = config.lockoutMaxAttempts;
    if (user.locked_until && user.locked_until > now) {
      await refused(ctx, user, 'locked', { lockedUntil: user.locked_until.toISOString() });
      throw new AppError(
        'reauthentication_failed',
        `Your account is locked until ${plantTime(user.locked_until)} after ${max} wrong passwords; you cannot sign until then`,
        { attemptsLeft: 0, maxAttempts: max, lockedUntil: user.locked_until.toISOString() },
      );
    }
    if (!(await verifyPassword(input.password, user.password_hash))) {
      // counted atomically in the row, so two wrong signatures at once are both counted
      const attempts = await users.recordFailedLogin(db, user.id, null);
      if (attempts >= max) {
        const until = new Date(now.getTime() + config.lockoutMinutes * 60_000);
        await db.transaction(async (tx) => {
          await users.recordFailedLogin(tx, user.id, until);
          await audit.append(tx, ctx, {
            action: 'auth.lockout',
            outcome: 'failure',
            targetType: 'user',
            targetId: user.id,
            nodeId: user.home_node_id,
            after: { lockedUntil: until.toISOString(), failedAttempts: attempts, by: 'signature' },
          });
          await audit.append(tx, ctx, {
            action: 'signature.refused',
            outcome: 'failure',
            targetType: 'user',
            targetId: user.id,
            nodeId: user.home_node_id,
            after: { reason: `wrong password (${attempts}/${max}), account locked` },
          });
        });
        throw new AppError(
          'reauthentication_failed',
          `Wrong password. After ${max} wrong passwords your account is locked until ${plantTime(until)} (${config.lockoutMinutes} minutes): you can neither sign nor sign in until then`,
          { attemptsLeft: 0, maxAttempts: max, lockedUntil: until.toISOString() },
        );
      }
      await refused(ctx, user, `wrong password (${attempts}/${max})`);
      const left = max - attempts;
      throw new AppError(
        'reauthentication_failed',
        `Wrong password: ${left} attempt${left === 1 ? '' : 's'} left before your account is locked for ${config.lockoutMinutes} minutes`,
        { attemptsLeft: left, maxAttempts: max, lockedUntil: null },
      );
    }
    const authMethod = secondFactor(user, input.otp);
    const proof: SignProof = Object.freeze({
      userId: user.id,
      printedName: user.display_name,
      username: user.username,
      authMethod,
      image,
      at: now,
    });
    issued.add(proof);
    return proof;
  }

  /**
   * Step 2, INSIDE the caller's transaction, with the record change it signs: stores the signature
   * bound to the record and to the content hash, and audits it. One proof may back several
   * signatures of the same action (the same person, the same two minutes).
   */
  async function sign(tx: Db, ctx: RequestContext, proof: SignProof, req: SignRequest): Promise<Signature> {
    if (!issued.has(proof)) throw new Error('sign() needs a proof returned by reauthenticate()');
    if (ctx.actor?.userId !== proof.userId)
      throw new AppError('forbidden', 'A signature can only be made by the person who typed the password');
    if (!RECORD_KIND.test(req.recordKind)) throw new Error(`Bad signature record kind ${req.recordKind}`);
    if (!Number.isSafeInteger(req.recordId) || req.recordId <= 0)
      throw new Error(`Bad signature record id ${req.recordId}`);
    const meaning = SignatureMeaningSchema.parse(req.meaning);
    const signedAt = clock.now();
    if (signedAt.getTime() - proof.at.getTime() > PROOF_TTL_MS)
      throw new AppError(
        'reauthentication_failed',
        'The password was confirmed more than 2 minutes ago: sign again',
        { attemptsLeft: null, expired: true },
      );
    const imageSha256 = proof.image ? sha256Hex(proof.image) : null;
    const fields: MacFields = {
      recordKind: req.recordKind,
      recordId: req.recordId,
      meaning,
      signerId: proof.userId,
      signedAt,
      contentHash: contentHash(req.content),
      imageSha256,
      printedName: proof.printedName,
      username: proof.username,
      authMethod: proof.authMethod,
    };
    const row = await repo.insert(tx, {
      record_kind: fields.recordKind,
      record_id: fields.recordId,
      meaning,
      signer_id: fields.signerId,
      printed_name: fields.printedName,
      username: fields.username,
      signed_at: signedAt,
      content_hash: fields.contentHash,
      auth_method: proof.authMethod,
      mac: signatureMac(key, fields),
      image: proof.image,
      image_sha256: imageSha256,
      node_id: req.nodeId ?? null,
    });
    await audit.append(tx, ctx, {
      action: 'signature.sign',
      targetType: req.recordKind,
      targetId: req.recordId,
      nodeId: req.nodeId ?? null,
      after: {
        signatureId: row.id,
        meaning,
        printedName: row.printed_name,
        signedAt: signedAt.toISOString(),
        contentHash: row.content_hash,
        authMethod: row.auth_method,
        imageSha256,
      },
    });
    return present(row, 'valid');
  }

  /** A record's signatures, oldest first, with status from the MAC only (no content check). */
  async function list(dbOrTx: Db, recordKind: string, recordId: number): Promise<Signature[]> {
    return (await repo.listFor(dbOrTx, recordKind, recordId)).map(macStatus);
  }

  /**
   * A record's signatures checked in full: 'invalid' when the MAC does not verify for this record,
   * 'changed_after_signing' when the content the owner rebuilds for a signature (`contentOf`)
   * hashes differently from what was signed, else 'valid'.
   */
  async function verify(
    dbOrTx: Db,
    recordKind: string,
    recordId: number,
    contentOf: (sig: Signature) => unknown | Promise<unknown>,
  ): Promise<Signature[]> {
    const out: Signature[] = [];
    for (const row of await repo.listFor(dbOrTx, recordKind, recordId)) {
      const sig = macStatus(row);
      if (sig.status !== 'valid') {
        out.push(sig);
        continue;
      }
      const now = contentHash(await contentOf(sig));
      out.push(
        now === row.content_hash
          ? sig
          : present(
              row,
              'changed_after_signing',
              `The signed content was changed after signing (hash ${row.content_hash.slice(0, 12)}… now ${now.slice(0, 12)}…) · 签字后内容被修改`,
            ),
      );
    }
    return out;
  }

  /** The drawn PNG of a signature, for a caller who may read its record (else 404). */
  async function imageFor(ctx: RequestContext, id: number): Promise<Buffer> {
    if (!ctx.actor) throw new AppError('unauthenticated', 'Sign in first');
    const row = await repo.byId(db, id);
    if (!row) throw new AppError('not_found', `Signature ${id} not found`);
    const owner = owners.get(row.record_kind);
    if (!owner || !(await owner.readable(ctx, row.record_id, db)))
      throw new AccessDeniedError('not_found', `Signature ${id} not found`, {
        permission: `${row.record_kind}.read`,
        targetType: 'signature',
        targetId: String(id),
        nodeId: row.node_id,
      });
    const bytes = await repo.imageOf(db, id);
    if (!bytes) throw new AppError('not_found', `Signature ${id} has no drawn image`);
    return bytes;
  }

  return {
    reauthenticate,
    sign,
    list,
    verify,
    /** The drawn PNG, without an access check (for owner modules: PDF rendering). */
    image: (dbOrTx: Db, id: number) => repo.imageOf(dbOrTx, id),
    imageFor,
    /** The owner module of a record kind says who may read its signatures' images. */
    registerOwner(recordKind: string, owner: SignatureOwner) {
      if (!RECORD_KIND.test(recordKind)) throw new Error(`Bad signature record kind ${recordKind}`);
      owners.set(recordKind, owner);
    },
    contentHash,
  };
}

export type SignatureService = ReturnType<typeof createSignatureService>;
