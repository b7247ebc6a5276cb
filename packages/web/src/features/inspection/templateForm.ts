import type { ItemKind, Template, TemplateItem, TemplateItemInput } from '@aegis/shared';

/**
 * One checklist item in the editor: every kind's fields side by side (antd's Form.List wants one
 * shape), only the chosen kind's fields are sent.
 */
export interface ItemValues {
  kind: ItemKind;
  key: string;
  label: string;
  hint: string;
  required: boolean;
  tagId: number | null;
  tolerance: number | null;
  unit: string;
  low: number | null;
  high: number | null;
  lowLow: number | null;
  highHigh: number | null;
  decimals: number | null;
  options: string[];
  abnormal: string[];
  minPhotos: number;
}

export interface TemplateFormValues {
  code: string;
  name: string;
  description: string;
  nodeId: number | null;
  active: boolean;
  items: ItemValues[];
}

export type TemplateFormWithReason = TemplateFormValues & { reason?: string };

const BLANK_ITEM: Omit<ItemValues, 'kind' | 'key' | 'label'> = {
  hint: '',
  required: true,
  tagId: null,
  tolerance: null,
  unit: '',
  low: null,
  high: null,
  lowLow: null,
  highHigh: null,
  decimals: null,
  options: [],
  abnormal: [],
  minPhotos: 1,
};

/** A key not used yet in the list: item-1, item-2, … (keys stay fixed once saved: answers refer to them). */
export function nextItemKey(items: Pick<ItemValues, 'key'>[]): string {
  const used = new Set(items.map((i) => i.key));
  let n = items.length + 1;
  while (used.has(`item-${n}`)) n++;
  return `item-${n}`;
}

/** A new item of a kind; a choice starts with "正常 / 异常", the second one abnormal. */
export function newItem(
  kind: ItemKind,
  items: Pick<ItemValues, 'key'>[],
  words = { ok: '正常', bad: '异常' },
) {
  const item: ItemValues = { ...BLANK_ITEM, kind, key: nextItemKey(items), label: '' };
  if (kind === 'choice') {
    item.options = [words.ok, words.bad];
    item.abnormal = [words.bad];
  }
  return item;
}

export function valuesFromItem(i: TemplateItem): ItemValues {
  const v: ItemValues = {
    ...BLANK_ITEM,
    kind: i.kind,
    key: i.key,
    label: i.label,
    hint: i.hint,
    required: i.required,
    tagId: i.tagId,
    tolerance: i.tolerance,
  };
  switch (i.kind) {
    case 'numeric':
      return {
        ...v,
        unit: i.unit,
        low: i.low,
        high: i.high,
        lowLow: i.lowLow,
        highHigh: i.highHigh,
        decimals: i.decimals,
      };
    case 'choice':
      return { ...v, options: [...i.options], abnormal: [...i.abnormal] };
    case 'photo':
      return { ...v, minPhotos: i.minPhotos };
    default:
      return v;
  }
}

const num = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: string | null | undefined) => (v ?? '').trim();

/** The item the editor row describes: the common fields and the fields of its kind only. */
export function itemFromValues(v: ItemValues): TemplateItemInput {
  const tagId = num(v.tagId);
  const base = {
    key: str(v.key),
    label: str(v.label),
    hint: str(v.hint),
    required: v.required ?? true,
    tagId,
    // a tolerance means nothing without a tag to compare with
    tolerance: tagId === null ? null : num(v.tolerance),
  };
  switch (v.kind) {
    case 'numeric':
      return {
        ...base,
        kind: 'numeric',
        unit: str(v.unit),
        low: num(v.low),
        high: num(v.high),
        lowLow: num(v.lowLow),
        highHigh: num(v.highHigh),
        decimals: num(v.decimals),
      };
    case 'choice': {
      const options = (v.options ?? []).map((o) => o.trim()).filter((o) => o !== '');
      return {
        ...base,
        kind: 'choice',
        options,
        abnormal: (v.abnormal ?? []).filter((a) => options.includes(a.trim())).map((a) => a.trim()),
      };
    }
    case 'photo':
      return { ...base, kind: 'photo', minPhotos: v.minPhotos ?? 1 };
    default:
      return { ...base, kind: v.kind };
  }
}

export function newTemplateValues(nodeId: number | null = null): TemplateFormValues {
  return { code: '', name: '', description: '', nodeId, active: true, items: [] };
}

export function valuesFromTemplate(t: Template): TemplateFormValues {
  return {
    code: t.code,
    name: t.name,
    description: t.description,
    nodeId: t.nodeId,
    active: t.active,
    items: t.items.map(valuesFromItem),
  };
}

export function createFromValues(v: TemplateFormValues) {
  return {
    code: str(v.code),
    name: str(v.name),
    description: str(v.description),
    nodeId: v.nodeId ?? 0,
    items: (v.items ?? []).map(itemFromValues),
  };
}

/** An edit sends everything; the server makes a new version only when name, description or items changed. */
export function updateFromValues(v: TemplateFormValues, reason: string) {
  return {
    name: str(v.name),
    description: str(v.description),
    items: (v.items ?? []).map(itemFromValues),
    active: v.active,
    reason: reason.trim(),
  };
}

/** "0.2 – 1.6 MPa", "≤ 1.6 MPa", "≥ 0.2 MPa" or '' for a numeric item without limits. */
export function limitsText(item: Pick<ItemValues, 'low' | 'high' | 'unit'>): string {
  const unit = item.unit ? ` ${item.unit}` : '';
  const low = num(item.low);
  const high = num(item.high);
  if (low !== null && high !== null) return `${low} – ${high}${unit}`;
  if (high !== null) return `≤ ${high}${unit}`;
  if (low !== null) return `≥ ${low}${unit}`;
  return '';
}

/** What changed between two versions of a template, item by item (keys are stable across versions). */
export function diffItems(before: TemplateItem[], after: TemplateItem[]) {
  const old = new Map(before.map((i) => [i.key, i]));
  const now = new Map(after.map((i) => [i.key, i]));
  return {
    added: after.filter((i) => !old.has(i.key)).map((i) => i.key),
    removed: before.filter((i) => !now.has(i.key)).map((i) => i.key),
    changed: after
      .filter((i) => old.has(i.key) && JSON.stringify(old.get(i.key)) !== JSON.stringify(i))
      .map((i) => i.key),
  };
}
