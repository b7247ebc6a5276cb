import { describe, expect, it } from 'vitest';
import { CSV_BOM, csvCell, csvLine, parseCsv, toCsv } from './csv.js';

describe('the CSV module', () => {
  it('defuses every cell a spreadsheet would run as a formula (OWASP CSV injection)', () => {
    for (const formula of ['=1+2', '+SUM(A1)', '-2+3', '@cmd', '\tcalc', '\rcalc', '=HYPERLINK("x")']) {
      const cell = csvCell(formula);
      expect(cell.replace(/^"/, '')).toMatch(/^'/);
    }
    expect(csvCell("=cmd|' /C calc'!A0")).toBe("'=cmd|' /C calc'!A0");
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
  });

  it('leaves plain numbers and ordinary text alone', () => {
    expect(csvCell(-40)).toBe('-40');
    expect(csvCell('-40')).toBe('-40');
    expect(csvCell('+1.5e3')).toBe('+1.5e3');
    expect(csvCell('GD-207 硫化氢')).toBe('GD-207 硫化氢');
    expect(csvCell(null)).toBe('');
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
  });

  it('quotes commas, quotes and line breaks and reads them back', () => {
    const text = toCsv(
      ['name', 'note'],
      [
        ['a,b', 'line 1\nline 2'],
        ['say "hi"', 'x\r\ny'],
      ],
    );
    expect(text.startsWith(CSV_BOM)).toBe(true);
    expect(text).toContain('"a,b","line 1\nline 2"\r\n');
    expect(parseCsv(text)).toEqual([
      ['name', 'note'],
      ['a,b', 'line 1\nline 2'],
      ['say "hi"', 'x\r\ny'],
    ]);
  });

  it('reads with or without a BOM, from text or bytes, and skips blank lines', () => {
    const body = 'equipment,code\r\nA-PRS-01,VIB\r\n\r\n,\r\n';
    expect(parseCsv(body)).toEqual([
      ['equipment', 'code'],
      ['A-PRS-01', 'VIB'],
    ]);
    expect(parseCsv(`${CSV_BOM}${body}`)).toEqual(parseCsv(body));
    expect(parseCsv(Buffer.from(`${CSV_BOM}${body}`, 'utf8'))).toEqual(parseCsv(body));
    expect(parseCsv(Buffer.from(`${CSV_BOM}${body}`, 'utf8'))[0]![0]).toBe('equipment');
  });

  it('re-imports an export unchanged: defused formulas come back as they were', () => {
    const row = ['=1+2', '-40', '@home', "'quoted already"];
    expect(parseCsv(csvLine(row))).toEqual([row]);
  });

  it('refuses an unclosed quote with a line number instead of swallowing the rest of the file', () => {
    expect(() => parseCsv('a,b\n1,"open\n2,3\n')).toThrow(/quote not closed.*line \d/i);
  });
});
