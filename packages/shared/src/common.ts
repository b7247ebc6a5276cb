import { z } from 'zod';

export const IdSchema = z.coerce.number().int().positive();
export const IdParamsSchema = z.object({ id: IdSchema });

/** Why a regulated record (plant model, limits, roles) was changed; kept in the audit trail. */
export const ReasonSchema = z
  .string({ error: 'A reason is required for this change' })
  .trim()
  .min(3, 'A reason of at least 3 characters is required for this change')
  .max(500);

export const CodeSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'Use letters, digits, "-", "_" or "." (no spaces)');

export const NameSchema = z.string().trim().min(1).max(200);

export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export const OkSchema = z.object({ ok: z.literal(true) });

export const LOCALES = ['zh-CN', 'en-US'] as const;
export const LocaleSchema = z.enum(LOCALES);
export type Locale = z.infer<typeof LocaleSchema>;
