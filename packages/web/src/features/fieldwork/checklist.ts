import type { TemplateItem } from '@aegis/shared';
import type { DraftAnswer } from './outbox';

/**
 * The checklist rules the phone applies while the inspector fills it in — the server applies the
 * same ones again on submit; here they colour the form and say what is still missing.
 */

export type ItemKind = 'pass_fail' | 'numeric' | 'choice' | 'text' | 'photo' | 'signature';

export interface ChecklistItem {
  key: string;
  label: string;
  kind: ItemKind;
  required: boolean;
  /** numeric items */
  unit: string | null;
  low: number | null;
  high: number | null;
  /** choice items: the options, and which of them count as abnormal */
  options: { value: string; label: string; abnormal: boolean }[];
  /** a photo for every answer, only for an abnormal one, or none */
  photo: 'always' | 'abnormal' | 'never';
  /** how many photos are asked for when one is */
  minPhotos: number;
  /** bound to a live tag: how far the reading may be from the live value before it is flagged */
  tagId: number | null;
  maxLiveDiff: number | null;
  hint: string;
}

/** The template's item as the phone's form needs it (the plan decides about photos of abnormal answers). */
export function checklistItem(item: TemplateItem, requirePhotoOnAbnormal: boolean): ChecklistItem {
  return {
    key: item.key,
    label: item.label,
    kind: item.kind,
    required: item.required,
    unit: item.kind === 'numeric' ? item.unit || null : null,
    low: item.kind === 'numeric' ? item.low : null,
    high: item.kind === 'numeric' ? item.high : null,
    options:
      item.kind === 'choice'
        ? item.options.map((o) => ({ value: o, label: o, abnormal: item.abnormal.includes(o) }))
        : [],
    photo: item.kind === 'photo' ? 'always' : requirePhotoOnAbnormal ? 'abnormal' : 'never',
    minPhotos: item.kind === 'photo' ? item.minPhotos : 1,
    tagId: item.tagId,
    maxLiveDiff: item.tolerance,
    hint: item.hint,
  };
}

export function hasValue(a: DraftAnswer | undefined): boolean {
  if (!a) return false;
  if (a.value === null || a.value === '') return false;
  return !(typeof a.value === 'number' && Number.isNaN(a.value));
}

/** A numeric reading outside its limits (either side open when not set). */
export function outOfLimits(item: Pick<ChecklistItem, 'low' | 'high'>, value: number): boolean {
  return (item.low !== null && value < item.low) || (item.high !== null && value > item.high);
}

/** Does this answer report a problem (→ a hidden-danger report on the server)? */
export function isAbnormal(item: ChecklistItem, a: DraftAnswer | undefined): boolean {
  if (!a || !hasValue(a)) return false;
  switch (item.kind) {
    case 'pass_fail':
      return a.value === 'fail' || a.value === false;
    case 'numeric':
      return typeof a.value === 'number' && outOfLimits(item, a.value);
    case 'choice':
      return item.options.some((o) => o.value === a.value && o.abnormal);
    default:
      return false;
  }
}

/** Must the item have a photo, given the answer so far? */
export function photoNeeded(item: ChecklistItem, a: DraftAnswer | undefined): boolean {
  if (item.kind === 'photo') return true;
  if (item.photo === 'always') return true;
  return item.photo === 'abnormal' && isAbnormal(item, a);
}

/** A reading far from the live value of the bound tag (the sensor or the inspector may be wrong). */
export function differsFromLive(
  item: ChecklistItem,
  a: DraftAnswer | undefined,
  live: number | null,
): boolean {
  if (item.kind !== 'numeric' || live === null || item.maxLiveDiff === null) return false;
  if (!a || typeof a.value !== 'number') return false;
  return Math.abs(a.value - live) > item.maxLiveDiff;
}

/** The keys of items still missing an answer or a photo, in checklist order. */
export function missingItems(items: ChecklistItem[], answers: Record<string, DraftAnswer>): string[] {
  return items
    .filter((item) => {
      const a = answers[item.key];
      const needsValue = item.kind !== 'photo' && item.required;
      if (needsValue && !hasValue(a)) return true;
      return photoNeeded(item, a) && (a?.photos.length ?? 0) < item.minPhotos;
    })
    .map((i) => i.key);
}

export function abnormalItems(items: ChecklistItem[], answers: Record<string, DraftAnswer>): string[] {
  return items.filter((i) => isAbnormal(i, answers[i.key])).map((i) => i.key);
}

/** "12.5" → 12.5; "" or "abc" → null (the input keeps what was typed, the answer holds a number). */
export function parseReading(text: string): number | null {
  const s = text.trim().replace(',', '.');
  if (s === '' || !/^-?\d*\.?\d+(e-?\d+)?$/i.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}
