import { z } from 'zod';

/** The longest range one raw export may span (it is streamed; the cap keeps one request bounded). */
export const RAW_EXPORT_MAX_DAYS = 31;

/** Every stored value of one tag in [from, to), as CSV, whatever form it is stored in. */
export const RawExportQuerySchema = z
  .object({
    tagId: z.coerce.number().int().positive(),
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
  })
  .refine((q) => Date.parse(q.from) < Date.parse(q.to), {
    message: '"from" must be before "to"',
    path: ['to'],
  })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= RAW_EXPORT_MAX_DAYS * 86_400_000, {
    message: `at most ${RAW_EXPORT_MAX_DAYS} days per export`,
    path: ['to'],
  });
