import { z } from 'zod';

/**
 * Disk-space watch: how full the disks Aegis stores on are. `warning` and `alarm` tell an
 * administrator early; at `full` new values are refused (never half-stored) until space is freed.
 */
export const DISK_LEVELS = ['ok', 'warning', 'alarm', 'full'] as const;
export const DiskLevelSchema = z.enum(DISK_LEVELS);
export type DiskLevel = z.infer<typeof DiskLevelSchema>;

export const DiskPathStatusSchema = z.object({
  /** The directory watched (the data directory, or one of AEGIS_DISK_WATCH_PATHS). */
  path: z.string(),
  /** Null until measured, or when the path cannot be measured (see error). */
  level: DiskLevelSchema.nullable(),
  freeBytes: z.number().nullable(),
  totalBytes: z.number().nullable(),
  /** Free space available to Aegis, percent of the disk's size. */
  freePercent: z.number().nullable(),
  /** When the level last changed (ISO time). */
  since: z.string().nullable(),
  checkedAt: z.string().nullable(),
  error: z.string().nullable(),
});
export type DiskPathStatus = z.infer<typeof DiskPathStatusSchema>;

export const DiskStatusSchema = z.object({
  /** The worst level of all watched paths. */
  level: DiskLevelSchema,
  /** True while new values are refused (a watched path is full). */
  refusing: z.boolean(),
  thresholds: z.object({ warnPercent: z.number(), alarmPercent: z.number(), refusePercent: z.number() }),
  paths: z.array(DiskPathStatusSchema),
});
export type DiskStatus = z.infer<typeof DiskStatusSchema>;
