import { describe, expect, it } from 'vitest';
import { inspectPdf } from '../test/pdf-inspect.js';
import { createPdfDocument, pdfToBuffer, textRuns, writeText } from './pdf.js';

const NOW = new Date('2026-03-02T08:00:00Z');

describe('PDF documents with Chinese text', () => {
  it('writes Chinese, Latin and digits so that a viewer can copy and search them', async () => {
    const doc = createPdfDocument({ title: '点检记录 Inspection record', now: NOW });
    writeText(doc, '一号压力机 A-PRS-01：油温 65.5 °C，合格', { size: 14 });
    writeText(doc, '隐患等级：重大 (major)', { size: 12, bold: true });
    const pdf = await pdfToBuffer(doc);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const read = inspectPdf(pdf);
    expect(read.pageCount).toBe(1);
    expect(read.pages[0]).toContain('一号压力机 A-PRS-01：油温 65.5 °C，合格');
    expect(read.pages[0]).toContain('隐患等级：重大 (major)');
  }, 30_000);

  it('embeds the Noto Sans SC fonts (regular and bold) as subsets', async () => {
    const doc = createPdfDocument({ title: 't', now: NOW });
    writeText(doc, '常规 regular');
    writeText(doc, '粗体 bold', { bold: true });
    const pdf = await pdfToBuffer(doc);
    const read = inspectPdf(pdf);
    expect(read.fonts).toHaveLength(2);
    for (const f of read.fonts) expect(f).toMatch(/^NotoSansSC/);
    // a subset, not the 1.5 MB font file
    expect(pdf.length).toBeLessThan(100_000);
  }, 30_000);

  it('sets the title, Creator Aegis and the creation date from the injected clock', async () => {
    const pdf = await pdfToBuffer(createPdfDocument({ title: '巡检签到码 Labels', now: NOW }));
    const { info } = inspectPdf(pdf);
    expect(info.Title).toBe('巡检签到码 Labels');
    expect(info.Creator).toBe('Aegis');
    expect(info.CreationDate).toBe('D:20260302080000Z');
  }, 30_000);

  it('keeps text in one run where the Chinese font has every glyph, and keeps going where none has it', () => {
    expect(textRuns('压力机 A-01 123')).toEqual([{ font: 'cjk', text: '压力机 A-01 123' }]);
    expect(textRuns('粗体 Bold', 'bold')).toEqual([{ font: 'cjk-bold', text: '粗体 Bold' }]);
    // ✓ is in neither subset: drawn (as a box) with the main font rather than lost
    expect(
      textRuns('合格 ✓')
        .map((r) => r.text)
        .join(''),
    ).toBe('合格 ✓');
  });
});
