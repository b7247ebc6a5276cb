import { parse } from 'csv-parse/sync';

/**
 * The one CSV policy of every export (tags, alarm journal, audit trail) and of the tag import:
 * RFC 4180 (comma, CRLF, double quotes), UTF-8 with a BOM so that Excel opens Chinese text
 * correctly, and formula neutralisation (OWASP "CSV injection"): a cell that starts with
 * = + - @ tab or CR gets a leading ' so a spreadsheet shows it as text instead of running it.
 * Plain numbers (-40, +1.5e3) cannot be formulas and are left as they are.
 */
export const CSV_BOM = '\uFEFF';
export const CSV_EOL = '\r\n';

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** What neutralisation produced: a ' followed by a formula trigger. */
const NEUTRALISED = /^'[=+\-@\t\r]/;

/** The text of one cell: null and undefined are empty, objects are JSON. */
function textOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** A cell a spreadsheet will show as text: formulas are prefixed with '. */
export function neutralise(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

/** One cell, neutralised, quoted when it holds a comma, a quote or a line break. */
export function csvCell(value: unknown): string {
  const text = neutralise(textOf(value));
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record with its line end. */
export function csvLine(values: readonly unknown[]): string {
  return values.map(csvCell).join(',') + CSV_EOL;
}

/** A whole document: BOM, header line, records. */
export function toCsv(header: readonly string[], rows: Iterable<readonly unknown[]>): string {
  let out = CSV_BOM + csvLine(header);
  for (const row of rows) out += csvLine(row);
  return out;
}

/**
 * Parses CSV text (with or without a BOM) into records of strings, blank lines skipped. Cells
 * that this module neutralised on export come back as they were, so an export re-imports
 * unchanged. Throws with the line number on malformed input (an unclosed quote).
 */
export function parseCsv(input: string | Buffer): string[][] {
  let records: string[][];
  try {
    records = parse(input, {
      bom: true,
      relax_column_count: true,
      // A quote inside an unquoted cell (5" pipe) is kept as text, as a spreadsheet writes it.
      relax_quotes: true,
      skip_empty_lines: true,
    }) as string[][];
  } catch (e) {
    // csv-parse names the line: "Quote Not Closed: … opening quote at line 3".
    throw new Error((e as Error).message);
  }
  return records
    .map((r) => r.map((c) => (NEUTRALISED.test(c) ? c.slice(1) : c)))
    .filter((r) => r.some((c) => c.trim() !== ''));
}
