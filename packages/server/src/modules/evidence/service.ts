import type { EvidenceOwnerKind, EvidencePhoto, EvidenceReviewInput, Permission } from '@aegis/shared';
import type { Clock } from '../../clock.js';
import type { RequestContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { AppError } from '../../errors.js';
import { AccessDeniedError, type AccessGuard } from '../access/index.js';
import type { AuditService } from '../audit/index.js';
import { captureTime, checkSize, decode, reuseFlags, sha256Of, sniffType, timeFlags } from './checks.js';
import { createEvidenceFiles } from './files.js';
import * as repo from './repo.js';

/**
 * How the module that owns a record (inspection task, hidden danger) lets photos be read and
 * attached: it knows the record's scope and time window; evidence knows files and checks.
 */
export interface EvidenceOwner {
  /** May the caller read this owner's evidence? Its plant path, or null when it is not visible. */
  readable(ctx: RequestContext, ownerId: number, db: Db): Promise<{ path: string | null } | null>;
  /**
   * May the caller attach a photo now? Throws AppError when not. scopeKey groups photos compared
   * for reuse (e.g. `plan:12`); window is when the photo should have been taken (null: no check).
   */
  attachable(
    ctx: RequestContext,
    ownerId: number,
    tx: Db,
  ): Promise<{ path: string | null; scopeKey: string; window: { from: Date; to: Date } | null }>;
}

export interface StoreInput {
  ownerKind: EvidenceOwnerKind;
  ownerId: number;
  bytes: Buffer;
  fileName: string;
  clientId?: string | null;
}

/** Who may accept or reject a flagged photo: the owner domain's manage permission at its place. */
const REVIEW_PERMISSION: Record<EvidenceOwnerKind, Permission> = {
  inspection_task: 'inspection.manage',
  hazard: 'hazard.manage',
  permit: 'permit.approve',
  emergency_run: 'emergency.manage',
  sop_run: 'sop.manage',
};

const nodeIdOf = (path: string | null) => {
  const m = path ? /(\d+)\/$/.exec(path) : null;
  return m ? Number(m[1]) : null;
};

/** Keeps what a file name says for people, without directories or control characters. */
function cleanFileName(name: string, mime: string) {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = [...base]
    .filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f && c !== '"')
    .join('')
    .trim()
    .slice(0, 200);
  return clean || `photo.${mime === 'image/jpeg' ? 'jpg' : mime.slice(6)}`;
}

export function createEvidenceService(deps: {
  db: Db;
  audit: AuditService;
  guard: AccessGuard;
  clock: Clock;
  /** <dataDir>: files go to <dataDir>/evidence */
  dataDir: string;
  /** the plant's time zone: EXIF times without an offset are read in it */
  timezone: string;
  maxBytes: number;
  /** how many days back a photo is compared for reuse */
  reuseDays: number;
}) {
  const { db, audit, guard, clock } = deps;
  const files = createEvidenceFiles(deps.dataDir);
  const owners = new Map<EvidenceOwnerKind, EvidenceOwner>();

  function actorOf(ctx: RequestContext) {
    if (!ctx.actor) throw new AppError('unauthenticated', 'Sign in first');
    return ctx.actor;
  }

  function ownerOf(kind: EvidenceOwnerKind) {
    const owner = owners.get(kind);
    if (!owner) throw new AppError('validation_failed', `Photos cannot be attached to ${kind} records yet`);
    return owner;
  }

  /** The photo if the caller may read its owner; otherwise 404 (existence is not disclosed). */
  async function readablePhoto(ctx: RequestContext, id: number, tx: Db) {
    actorOf(ctx);
    const stored = await repo.byId(tx, id);
    if (!stored) throw new AppError('not_found', `Photo ${id} not found`);
    const visible = await ownerOf(stored.photo.ownerKind).readable(ctx, stored.photo.ownerId, tx);
    if (!visible) {
      throw new AccessDeniedError('not_found', `Photo ${id} not found`, {
        permission: `${stored.photo.ownerKind}.read`,
        targetType: 'evidence_photo',
        targetId: String(id),
        nodeId: nodeIdOf(stored.path),
      });
    }
    return { ...stored, path: visible.path };
  }

  /** What the bytes are: type by content, decoded (hash, thumbnail), sha256, EXIF capture time. */
  async function analyse(bytes: Buffer) {
    checkSize(bytes.length, deps.maxBytes);
    const mime = await sniffType(bytes);
    const decoded = await decode(bytes, mime);
    return { mime, decoded, sha256: sha256Of(bytes), takenAt: await captureTime(bytes, deps.timezone) };
  }

  async function storeOnce(
    tx: Db,
    ctx: RequestContext,
    input: StoreInput,
    analysed?: Awaited<ReturnType<typeof analyse>>,
  ): Promise<{ photo: EvidencePhoto; created: boolean }> {
    const actor = actorOf(ctx);
    const owner = ownerOf(input.ownerKind);
    const clientId = input.clientId ?? null;
    // Offline sync sends a photo again until it hears back: the first record is the answer.
    if (clientId) {
      const [existing] = await repo.byClientIds(tx, [clientId]);
      if (existing) return { photo: await sameUpload(ctx, existing, input, tx), created: false };
    }
    checkSize(input.bytes.length, deps.maxBytes);
    const where = await owner.attachable(ctx, input.ownerId, tx);
    const { mime, decoded, sha256, takenAt } = analysed ?? (await analyse(input.bytes));
    const now = clock.now();
    const earlier = await repo.earlierInScope(
      tx,
      where.scopeKey,
      new Date(now.getTime() - deps.reuseDays * 86_400_000),
    );
    const flags = [
      ...timeFlags(takenAt, where.window, deps.timezone),
      ...reuseFlags({ sha256, dhash: decoded.dhash }, earlier),
    ];
    // Written before the row: a rolled-back transaction leaves an unreferenced file, never a row without one.
    await files.save(sha256, input.bytes, decoded.thumbnail);
    const fileName = cleanFileName(input.fileName, mime);
    const id = await repo.insertPhoto(tx, {
      ownerKind: input.ownerKind,
      ownerId: input.ownerId,
      scopeKey: where.scopeKey,
      path: where.path,
      clientId,
      fileName,
      mime,
      bytes: input.bytes.length,
      width: decoded.width,
      height: decoded.height,
      sha256,
      dhash: decoded.dhash,
      takenAt,
      uploadedAt: now,
      uploadedBy: actor.userId,
      uploadedByName: actor.displayName || actor.username,
      flags,
    });
    if (id === null) {
      // the same client id arrived on another connection meanwhile
      const [existing] = await repo.byClientIds(tx, [clientId!]);
      return { photo: await sameUpload(ctx, existing!, input, tx), created: false };
    }
    await audit.append(tx, ctx, {
      action: 'evidence.store',
      targetType: 'evidence_photo',
      targetId: id,
      nodeId: nodeIdOf(where.path),
      targetLabel: fileName,
      after: {
        ownerKind: input.ownerKind,
        ownerId: input.ownerId,
        fileName,
        mime,
        bytes: input.bytes.length,
        sha256,
        takenAt: takenAt?.toISOString() ?? null,
        flags: flags.map((f) => f.code),
      },
    });
    const stored = await repo.byId(tx, id);
    return { photo: stored!.photo, created: true };
  }

  /** A repeated client id must name the same owner, and the caller must still see it. */
  async function sameUpload(ctx: RequestContext, existing: repo.StoredPhoto, input: StoreInput, tx: Db) {
    const p = existing.photo;
    if (p.ownerKind !== input.ownerKind || p.ownerId !== input.ownerId) {
      throw new AppError(
        'conflict',
        `The client id ${p.clientId} is already used by photo ${p.id} of another record: generate a new id for each photo`,
      );
    }
    await readablePhoto(ctx, p.id, tx);
    return p;
  }

  const service = {
    /** The owning modules say how their evidence is read and attached (called once at start). */
    registerOwner(kind: EvidenceOwnerKind, owner: EvidenceOwner) {
      owners.set(kind, owner);
    },

    /** Checks and stores one photo in the caller's transaction; the same clientId twice → the first record. */
    async store(tx: Db, ctx: RequestContext, input: StoreInput): Promise<EvidencePhoto> {
      return (await storeOnce(tx, ctx, input)).photo;
    },

    /** The upload route: its own transaction; created false when the clientId was stored before. */
    async upload(ctx: RequestContext, input: StoreInput) {
      actorOf(ctx);
      // Decoding takes a while for a large photo: done before the transaction, not while holding it.
      const analysed = await analyse(input.bytes);
      return db.transaction((tx) => storeOnce(tx, ctx, input, analysed));
    },

    /** An owner's photos, oldest first (no permission check: the owner module asks). */
    async list(tx: Db, ownerKind: EvidenceOwnerKind, ownerId: number): Promise<EvidencePhoto[]> {
      return (await repo.byOwner(tx, ownerKind, ownerId)).map((s) => s.photo);
    },

    async byIds(tx: Db, ids: number[]): Promise<EvidencePhoto[]> {
      return (await repo.byIds(tx, ids)).map((s) => s.photo);
    },

    async byClientIds(tx: Db, clientIds: string[]): Promise<EvidencePhoto[]> {
      return (await repo.byClientIds(tx, clientIds)).map((s) => s.photo);
    },

    /** The route's list: the owner's photos if the caller may read the owner, else 404. */
    async listFor(ctx: RequestContext, ownerKind: EvidenceOwnerKind, ownerId: number) {
      actorOf(ctx);
      const visible = await ownerOf(ownerKind).readable(ctx, ownerId, db);
      if (!visible) throw new AppError('not_found', `${ownerKind} ${ownerId} not found`);
      return service.list(db, ownerKind, ownerId);
    },

    async get(ctx: RequestContext, id: number): Promise<EvidencePhoto> {
      return (await readablePhoto(ctx, id, db)).photo;
    },

    /** The original bytes (unchanged) or the thumbnail, for the caller who may read the owner. */
    async file(ctx: RequestContext, id: number, which: 'original' | 'thumbnail') {
      const { photo } = await readablePhoto(ctx, id, db);
      try {
        const bytes =
          which === 'original'
            ? await files.readOriginal(photo.sha256)
            : await files.readThumbnail(photo.sha256);
        return { photo, bytes };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new AppError('not_found', `The file of photo ${id} is missing from the data directory`);
        }
        throw e;
      }
    },

    /** A reviewer accepts or rejects a photo (flagged ones wait for this); never the uploader themself. */
    review(ctx: RequestContext, id: number, input: EvidenceReviewInput): Promise<EvidencePhoto> {
      return db.transaction(async (tx) => {
        const actor = actorOf(ctx);
        await repo.lockPhoto(tx, id);
        const stored = await readablePhoto(ctx, id, tx);
        const p = stored.photo;
        await guard.require(
          tx,
          ctx,
          REVIEW_PERMISSION[p.ownerKind],
          { id, path: stored.path },
          'evidence photo',
          id,
        );
        if (actor.userId !== null && p.uploadedBy.id === actor.userId) {
          throw new AppError(
            'separation_of_duties',
            'Someone else must review a photo you uploaded yourself',
          );
        }
        const now = clock.now();
        await repo.setReview(tx, id, {
          decision: input.decision,
          by: actor.userId,
          byName: actor.displayName || actor.username,
          at: now,
          reason: input.reason,
        });
        await audit.append(tx, ctx, {
          action: `evidence.${input.decision === 'accepted' ? 'accept' : 'reject'}`,
          targetType: 'evidence_photo',
          targetId: id,
          nodeId: nodeIdOf(stored.path),
          targetLabel: p.fileName,
          reason: input.reason,
          before: p.review ? { decision: p.review.decision, by: p.review.by.name } : null,
          after: { decision: input.decision, flags: p.flags.map((f) => f.code) },
        });
        return (await repo.byId(tx, id))!.photo;
      });
    },
  };
  return service;
}

export type EvidenceService = ReturnType<typeof createEvidenceService>;
