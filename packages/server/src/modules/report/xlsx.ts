import ExcelJS from 'exceljs';
import { neutralise } from '../../lib/csv.js';
import type { ReportDocument } from './document.js';

/**
 * A report document as a workbook: a 概要 sheet (title, facts, figures, chart data as small
 * tables) and one sheet per table with typed cells (numbers as numbers, plant-time dates as
 * dates), a frozen bold header and an autofilter. Text gets the CSV export's formula
 * neutralisation, so a name like "=HYPERLINK(…)" stays text.
 */
export async function renderReportXlsx(report: ReportDocument): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Aegis';
  wb.created = report.generatedAt;
  const summary = wb.addWorksheet('概要');
  summary.columns = [{ width: 28 }, { width: 22 }, { width: 16 }, { width: 16 }, { width: 16 }];
  summary.addRow([report.title]).font = { bold: true, size: 14 };
  for (const [k, v] of report.facts) summary.addRow([k, neutralise(v)]);
  const used = new Set(['概要']);
  for (const section of report.sections) {
    summary.addRow([]);
    summary.addRow([section.heading]).font = { bold: true, size: 12 };
    for (const block of section.blocks) {
      if (block.type === 'note') summary.addRow([neutralise(block.text)]);
      else if (block.type === 'figures') {
        for (const f of block.items)
          summary.addRow([
            neutralise(f.label),
            typeof f.value === 'number' ? f.value : neutralise(f.value),
            f.unit ?? '',
            neutralise(f.note ?? ''),
          ]);
      } else if (block.type === 'chart') {
        const c = block.chart;
        summary.addRow([neutralise(c.title)]).font = { italic: true };
        if (c.kind === 'pie') for (const s of c.slices) summary.addRow([neutralise(s.label), s.value]);
        else {
          summary.addRow(['', ...c.series.map((s) => neutralise(s.name))]).font = { bold: true };
          c.categories.forEach((cat, i) => {
            summary.addRow([neutralise(cat), ...c.series.map((s) => s.values[i] ?? null)]);
          });
        }
      } else {
        let name = block.sheet.replace(/[\\/*?:[\]]/g, ' ').slice(0, 31);
        for (let n = 2; used.has(name); n++) name = `${block.sheet.slice(0, 28)} ${n}`;
        used.add(name);
        summary.addRow([`→ ${name}`, block.rows.length, '行']);
        const ws = wb.addWorksheet(name);
        ws.columns = block.columns.map((c) => ({ header: c.header, width: Math.max(8, c.width) }));
        ws.getRow(1).font = { bold: true };
        ws.views = [{ state: 'frozen', ySplit: 1 }];
        for (const row of block.rows) ws.addRow(row.map((v) => (typeof v === 'string' ? neutralise(v) : v)));
        block.columns.forEach((c, i) => {
          const col = ws.getColumn(i + 1);
          if (c.type === 'datetime') col.numFmt = 'yyyy-mm-dd hh:mm';
          else if (c.type === 'date') col.numFmt = 'yyyy-mm-dd';
        });
        if (block.columns.length)
          ws.autoFilter = {
            from: { row: 1, column: 1 },
            to: { row: Math.max(1, block.rows.length + 1), column: block.columns.length },
          };
      }
    }
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
