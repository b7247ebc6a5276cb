import { z } from 'zod';
import { IdSchema, ReasonSchema } from './common.js';

/**
 * Photo evidence (issue 8): photos attached to inspection tasks and hidden-danger reports.
 * The server checks every photo (type by content, size, capture time, reuse) and keeps the
 * original file unchanged; what looks wrong is flagged for review, never silently accepted.
 */

/** What a photo belongs to; the owning module decides who may read and attach. */
export const EVIDENCE_OWNER_KINDS = [
  'inspection_task',
  'hazard',
  'permit',
  'emergency_run',
  'sop_run',
] as const;
export const EvidenceOwnerKindSchema = z.enum(EVIDENCE_OWNER_KINDS);
export type EvidenceOwnerKind = z.infer<typeof EvidenceOwnerKindSchema>;

/** Why a stored photo needs a reviewer's look. */
export const EVIDENCE_FLAG_CODES = [
  /** EXIF capture time outside the owner's window (plus tolerance) */
  'captured_outside_window',
  /** no EXIF capture time: when it was taken cannot be told */
  'no_capture_time',
  /** the same bytes as an earlier photo of the same plan/scope */
  'duplicate',
  /** perceptually the same picture as an earlier photo (re-encoded, resized) */
  'near_duplicate',
] as const;
export const EvidenceFlagCodeSchema = z.enum(EVIDENCE_FLAG_CODES);
export type EvidenceFlagCode = z.infer<typeof EvidenceFlagCodeSchema>;

export const EvidenceFlagSchema = z.object({
  code: EvidenceFlagCodeSchema,
  /** words for people, with the times and the earlier photo named */
  message: z.object({ zh: z.string(), en: z.string() }),
  /** e.g. { takenAt, from, to } or { photoId, distance } */
  details: z.record(z.string(), z.unknown()),
});
export type EvidenceFlag = z.infer<typeof EvidenceFlagSchema>;

export const EVIDENCE_MIME_TYPES = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/heic',
  'image/heif',
] as const;
export const EvidenceMimeSchema = z.enum(EVIDENCE_MIME_TYPES);

export const EvidenceReviewDecisionSchema = z.enum(['accepted', 'rejected']);
export type EvidenceReviewDecision = z.infer<typeof EvidenceReviewDecisionSchema>;

const PersonRefSchema = z.object({ id: z.number().int().nullable(), name: z.string() });

export const EvidencePhotoSchema = z.object({
  id: z.number().int(),
  ownerKind: EvidenceOwnerKindSchema,
  ownerId: z.number().int(),
  /** the phone's id for this photo (offline sync): stored once however often it is sent */
  clientId: z.string().nullable(),
  fileName: z.string(),
  mime: EvidenceMimeSchema,
  bytes: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  sha256: z.string(),
  /** capture time from EXIF (ISO), null when the photo carries none */
  takenAt: z.string().nullable(),
  uploadedAt: z.string(),
  uploadedBy: PersonRefSchema,
  flags: z.array(EvidenceFlagSchema),
  review: z
    .object({
      decision: EvidenceReviewDecisionSchema,
      by: PersonRefSchema,
      at: z.string(),
      reason: z.string(),
    })
    .nullable(),
});
export type EvidencePhoto = z.infer<typeof EvidencePhotoSchema>;

/** Client ids are generated on the phone (UUIDs or similar). */
export const EvidenceClientIdSchema = z
  .string()
  .trim()
  .min(8)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');

/** POST /api/evidence?ownerKind=&ownerId=&clientId=&fileName= with the photo as the raw body. */
export const EvidenceUploadQuerySchema = z.object({
  ownerKind: EvidenceOwnerKindSchema,
  ownerId: IdSchema,
  clientId: EvidenceClientIdSchema.optional(),
  fileName: z.string().trim().min(1).max(200).optional(),
});

export const EvidenceListQuerySchema = z.object({
  ownerKind: EvidenceOwnerKindSchema,
  ownerId: IdSchema,
});

export const EvidenceReviewSchema = z.object({
  decision: EvidenceReviewDecisionSchema,
  reason: ReasonSchema,
});
export type EvidenceReviewInput = z.infer<typeof EvidenceReviewSchema>;
