// 点检看板: one cell per day × workshop × shift, coloured by how its tasks went.

/** How the tasks of one cell stand: planned counts all tasks of the cell, the others are parts of it. */
export interface BoardCounts {
  planned: number;
  done: number;
  overdue: number;
  missed: number;
}

/** The worst thing that happened in a cell decides its colour: missed, then overdue, then open work. */
export type CellTone = 'empty' | 'missed' | 'overdue' | 'open' | 'partial' | 'done';

export function cellTone(c: BoardCounts): CellTone {
  if (c.planned === 0) return 'empty';
  if (c.missed > 0) return 'missed';
  if (c.overdue > 0) return 'overdue';
  if (c.done >= c.planned) return 'done';
  return c.done > 0 ? 'partial' : 'open';
}

/** Background, border and text colours of a cell (antd's palette: red, orange, blue, green). */
export const TONE_COLOURS: Record<CellTone, { bg: string; border: string; text: string }> = {
  empty: { bg: '#fafafa', border: '#f0f0f0', text: '#bfbfbf' },
  missed: { bg: '#fff1f0', border: '#ff4d4f', text: '#cf1322' },
  overdue: { bg: '#fff7e6', border: '#fa8c16', text: '#d46b08' },
  open: { bg: '#f0f5ff', border: '#adc6ff', text: '#1d39c4' },
  partial: { bg: '#e6f4ff', border: '#69b1ff', text: '#0958d9' },
  done: { bg: '#f6ffed', border: '#73d13d', text: '#389e0d' },
};

/** Share of the planned tasks done, as a whole percent (0 for an empty cell). */
export function donePercent(c: BoardCounts): number {
  return c.planned === 0 ? 0 : Math.round((c.done / c.planned) * 100);
}

export function addCounts(a: BoardCounts, b: BoardCounts): BoardCounts {
  return {
    planned: a.planned + b.planned,
    done: a.done + b.done,
    overdue: a.overdue + b.overdue,
    missed: a.missed + b.missed,
  };
}

export const NO_COUNTS: BoardCounts = { planned: 0, done: 0, overdue: 0, missed: 0 };

/** The days from `from` to `to` (YYYY-MM-DD, both included), at most `max` of them. */
export function daysBetween(from: string, to: string, max = 62): string[] {
  const out: string[] = [];
  const d = new Date(`${from}T00:00:00Z`);
  const end = new Date(`${to}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || Number.isNaN(end.getTime())) return out;
  while (d <= end && out.length < max) {
    out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

export interface BoardCellInput extends BoardCounts {
  date: string;
  workshopId: number;
  workshopName: string;
  shiftId: number | null;
  shiftName: string | null;
  abnormal: number;
}

export interface BoardRow {
  key: string;
  workshopId: number;
  workshopName: string;
  shiftId: number | null;
  shiftName: string | null;
  /** date → the cell's counts; a day without tasks is absent */
  byDate: Record<string, BoardCounts & { abnormal: number }>;
  total: BoardCounts;
}

/**
 * The board's rows: one per workshop × shift, workshops by name, shifts in id order (the order
 * they were defined, usually the day's order), tasks without a shift last.
 */
export function boardRows(cells: readonly BoardCellInput[]): BoardRow[] {
  const rows = new Map<string, BoardRow>();
  for (const c of cells) {
    const key = `${c.workshopId}:${c.shiftId ?? '-'}`;
    let row = rows.get(key);
    if (!row) {
      row = {
        key,
        workshopId: c.workshopId,
        workshopName: c.workshopName,
        shiftId: c.shiftId,
        shiftName: c.shiftName,
        byDate: {},
        total: NO_COUNTS,
      };
      rows.set(key, row);
    }
    const prev = row.byDate[c.date] ?? { ...NO_COUNTS, abnormal: 0 };
    row.byDate[c.date] = { ...addCounts(prev, c), abnormal: prev.abnormal + c.abnormal };
    row.total = addCounts(row.total, c);
  }
  return [...rows.values()].sort(
    (a, b) =>
      a.workshopName.localeCompare(b.workshopName, 'zh-CN') ||
      a.workshopId - b.workshopId ||
      (a.shiftId ?? Number.MAX_SAFE_INTEGER) - (b.shiftId ?? Number.MAX_SAFE_INTEGER),
  );
}

/** The whole range per day (the phone's day list and the table's footer). */
export function dayTotals(cells: readonly BoardCellInput[]): Record<string, BoardCounts> {
  const out: Record<string, BoardCounts> = {};
  for (const c of cells) out[c.date] = addCounts(out[c.date] ?? NO_COUNTS, c);
  return out;
}

/** A board cell as the page selects it: a day's row ('any' shift) or one shift's cell. */
export interface SelectedCell {
  date: string;
  workshopId: number | null;
  shiftId: number | null | 'any';
}

/** The task list query behind a cell: its day, its workshop (else the board's node) and its shift. */
export function cellTaskQuery(cell: SelectedCell, nodeId: number | null) {
  return {
    from: cell.date,
    to: cell.date,
    nodeId: cell.workshopId ?? nodeId ?? undefined,
    // the board's "no shift" row holds the tasks outside every shift
    shiftId: cell.shiftId === 'any' ? undefined : (cell.shiftId ?? ('none' as const)),
    limit: 1000,
    offset: 0,
  };
}
