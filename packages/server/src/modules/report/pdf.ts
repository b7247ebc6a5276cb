import { createPdfDocument, pdfToBuffer, writeText } from '../../lib/pdf.js';
import { drawChart } from '../../lib/pdf-chart.js';
import { cellText, type ReportDocument, type TableBlock } from './document.js';

/**
 * A report document as PDF (A4; landscape for wide registers): the title and its facts, then each
 * section's figures, charts (vector, lib/pdf-chart.ts), tables (cells wrap, a table breaks across
 * pages with its header repeated) and notes; every page carries the title and "第 n 页".
 */

const FOOTER = 18;

export async function renderReportPdf(
  report: ReportDocument,
  onProgress?: (fraction: number) => void,
): Promise<Buffer> {
  const doc = createPdfDocument({
    title: report.title,
    now: report.generatedAt,
    layout: report.landscape ? 'landscape' : 'portrait',
    margin: 36,
    autoFirstPage: false,
  });
  let page = 0;
  const left = 36;
  let width = 0;
  let bottom = 0;
  let y = 0;
  const newPage = () => {
    doc.addPage({ layout: report.landscape ? 'landscape' : 'portrait', margin: 36 });
    page++;
    width = doc.page.width - 72;
    bottom = doc.page.height - 36 - FOOTER;
    // The footer is drawn inside the bottom margin: lift the margin so pdfkit adds no page for it.
    const margin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    writeText(doc, `${report.title} · 第 ${page} 页`, {
      x: left,
      y: doc.page.height - 36 - 8,
      size: 7,
      color: '#777',
      width,
      align: 'right',
      lineBreak: false,
    });
    doc.page.margins.bottom = margin;
    doc.fillColor('#000');
    y = 36;
  };
  const ensure = (h: number) => {
    if (y + h > bottom) newPage();
  };

  newPage();
  writeText(doc, report.title, { x: left, y, size: 17, bold: true, width, align: 'center' });
  y = doc.y + 6;
  for (const [k, v] of report.facts) {
    writeText(doc, `${k}：${v}`, { x: left, y, size: 9, width, color: '#333' });
    y = doc.y + 1;
  }
  y += 8;

  const totalBlocks = Math.max(
    1,
    report.sections.reduce((s, x) => s + x.blocks.length, 0),
  );
  let blockNo = 0;
  for (const section of report.sections) {
    ensure(60);
    doc.save().rect(left, y, 3, 13).fill('#1f6fd1').restore();
    writeText(doc, section.heading, {
      x: left + 8,
      y,
      size: 12,
      bold: true,
      color: '#000',
      width: width - 8,
    });
    y = doc.y + 6;
    for (const block of section.blocks) {
      switch (block.type) {
        case 'note': {
          doc.fontSize(8.5);
          ensure(doc.heightOfString(block.text, { width }) + 4);
          writeText(doc, block.text, { x: left, y, size: 8.5, width, color: '#444' });
          y = doc.y + 6;
          break;
        }
        case 'figures': {
          const perRow = report.landscape ? 6 : 4;
          const w = width / perRow;
          const h = 40;
          for (let i = 0; i < block.items.length; i += perRow) {
            ensure(h + 4);
            block.items.slice(i, i + perRow).forEach((it, j) => {
              const x = left + j * w;
              doc
                .save()
                .lineWidth(0.5)
                .strokeColor('#ccc')
                .rect(x + 1, y, w - 4, h)
                .stroke()
                .restore();
              writeText(doc, it.label, {
                x: x + 5,
                y: y + 3,
                size: 7,
                color: '#555',
                width: w - 12,
                lineBreak: false,
                ellipsis: true,
              });
              writeText(doc, `${it.value}${it.unit ? ` ${it.unit}` : ''}`, {
                x: x + 5,
                y: y + 13,
                size: 13,
                bold: true,
                color: '#000',
                width: w - 12,
                lineBreak: false,
              });
              if (it.note)
                writeText(doc, it.note, {
                  x: x + 5,
                  y: y + 30,
                  size: 6.5,
                  color: '#777',
                  width: w - 12,
                  lineBreak: false,
                  ellipsis: true,
                });
            });
            y += h + 4;
          }
          y += 4;
          doc.fillColor('#000');
          break;
        }
        case 'chart': {
          const h = block.height ?? 180;
          ensure(h + 6);
          drawChart(doc, block.chart, { x: left, y, width, height: h });
          y += h + 8;
          break;
        }
        case 'table':
          drawTable(block);
          break;
      }
      onProgress?.(++blockNo / totalBlocks);
    }
    y += 6;
  }

  function drawTable(t: TableBlock) {
    const total = t.columns.reduce((s, c) => s + c.width, 0);
    const widths = t.columns.map((c) => (c.width / total) * width);
    const size = 7.5;
    const pad = 2.5;
    const heightOf = (cells: string[], bold: boolean) => {
      doc.font(bold ? 'cjk-bold' : 'cjk').fontSize(size);
      const h = Math.max(
        ...cells.map((c, i) => doc.heightOfString(c || ' ', { width: widths[i]! - 2 * pad })),
      );
      doc.font('cjk');
      return h + 2 * pad;
    };
    const headers = t.columns.map((c) => c.header);
    const headerH = heightOf(headers, true);
    const drawRow = (cells: string[], h: number, header: boolean, shade: boolean) => {
      let x = left;
      if (header || shade)
        doc
          .save()
          .rect(left, y, width, h)
          .fill(header ? '#e8eef7' : '#f7f7f7')
          .restore();
      doc.save().lineWidth(0.4).strokeColor('#bbb');
      cells.forEach((_c, i) => {
        doc.rect(x, y, widths[i]!, h).stroke();
        x += widths[i]!;
      });
      doc.restore();
      x = left;
      cells.forEach((c, i) => {
        const col = t.columns[i]!;
        if (c)
          writeText(doc, c, {
            x: x + pad,
            y: y + pad,
            size,
            bold: header,
            color: '#000',
            width: widths[i]! - 2 * pad,
            align: !header && col.type === 'number' ? 'right' : 'left',
          });
        x += widths[i]!;
      });
      y += h;
    };
    if (!t.rows.length) {
      ensure(headerH + 16);
      drawRow(headers, headerH, true, false);
      writeText(doc, t.empty ?? '（无记录）', { x: left, y: y + 3, size: 8, color: '#666', width });
      y = doc.y + 8;
      return;
    }
    ensure(headerH * 2 + 4);
    drawRow(headers, headerH, true, false);
    t.rows.forEach((row, r) => {
      const cells = row.map((v, i) => cellText(v, t.columns[i]?.type));
      const h = heightOf(cells, false);
      if (y + h > bottom) {
        // the table goes on: its header again on the new page
        newPage();
        drawRow(headers, headerH, true, false);
      }
      drawRow(cells, h, false, r % 2 === 1);
    });
    y += 8;
  }

  return pdfToBuffer(doc);
}
