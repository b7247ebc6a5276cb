import type { ItemResult, TaskResult, TaskState, TemplateItem } from '@aegis/shared';

/** antd Tag colours of the task states: done green, late gold, overdue orange, missed red. */
export const TASK_STATE_COLOR: Record<TaskState, string> = {
  planned: 'default',
  open: 'blue',
  in_progress: 'processing',
  done: 'green',
  overdue: 'orange',
  done_late: 'gold',
  missed: 'red',
  cancelled: 'default',
};

export const TASK_RESULT_COLOR: Record<TaskResult, string> = {
  ok: 'green',
  abnormal: 'red',
  not_checked: 'volcano',
};

/** Still to be done: the states a manager may cancel or hand to someone else. */
export const isPending = (s: TaskState) =>
  s === 'planned' || s === 'open' || s === 'in_progress' || s === 'overdue';

/** A numeric reading with the item's decimals, or the raw value for other kinds. */
export function formatReading(item: TemplateItem | undefined, value: ItemResult['value']): string {
  if (value === null || value === undefined || value === '') return '—';
  if (item?.kind === 'numeric' && typeof value === 'number') {
    const s = item.decimals === null ? String(value) : value.toFixed(item.decimals);
    return item.unit ? `${s} ${item.unit}` : s;
  }
  return String(value);
}

/** Which limit a numeric reading breaks, if any (the server decides "abnormal"; this marks the side). */
export function limitBreach(
  item: TemplateItem | undefined,
  value: ItemResult['value'],
): 'low' | 'high' | null {
  if (item?.kind !== 'numeric' || typeof value !== 'number') return null;
  if (item.low !== null && value < item.low) return 'low';
  if (item.high !== null && value > item.high) return 'high';
  return null;
}

/**
 * The manual reading against the bound tag's live value: the difference, and whether it is
 * more than the item's tolerance (the server flags the same as live_mismatch).
 */
export function liveDifference(
  item: TemplateItem | undefined,
  value: ItemResult['value'],
  live: number | null | undefined,
): { diff: number; beyond: boolean } | null {
  if (typeof value !== 'number' || typeof live !== 'number') return null;
  const diff = Math.round((value - live) * 1e6) / 1e6;
  const tolerance = item?.tolerance ?? null;
  return { diff, beyond: tolerance !== null && Math.abs(diff) > tolerance };
}
