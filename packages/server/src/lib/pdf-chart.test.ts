import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPdfDocument, pdfToBuffer } from './pdf.js';
import { drawChart, niceScale } from './pdf-chart.js';

const run = promisify(execFile);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aegis-chart-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rendered(draw: (doc: PDFKit.PDFDocument) => void, name: string) {
  const doc = createPdfDocument({ title: name, now: new Date('2026-03-02T00:00:00Z') });
  draw(doc);
  const file = path.join(dir, `${name}.pdf`);
  await writeFile(file, await pdfToBuffer(doc));
  const text = (await run('/usr/bin/pdftotext', ['-raw', '-enc', 'UTF-8', file, '-'])).stdout.replace(
    /\s+/g,
    '',
  );
  await run('/usr/bin/pdftoppm', ['-png', '-r', '72', '-singlefile', file, path.join(dir, name)]);
  const { data, info } = await sharp(path.join(dir, `${name}.png`))
    .raw()
    .toBuffer({ resolveWithObject: true });
  /** the pixel at PDF point (x, y) (72 dpi: one point, one pixel) */
  const at = (x: number, y: number) => {
    const i = (Math.round(y) * info.width + Math.round(x)) * info.channels;
    return [data[i]!, data[i + 1]!, data[i + 2]!];
  };
  return { text, at };
}

describe('charts drawn as vectors in the PDF', () => {
  it('picks round axis steps', () => {
    expect(niceScale(9)).toEqual({ max: 10, step: 2 });
    expect(niceScale(130)).toEqual({ max: 150, step: 50 });
    expect(niceScale(0)).toEqual({ max: 1, step: 0.2 });
  });

  it('draws a bar chart with Chinese title, legend, axis labels and a bar of the right height', async () => {
    const box = { x: 40, y: 40, width: 400, height: 200 };
    const { text, at } = await rendered(
      (doc) =>
        drawChart(
          doc,
          {
            kind: 'bar',
            title: '每日报警数',
            categories: ['03-01', '03-02'],
            series: [{ name: '高优先级', values: [10, 0], color: '#ff0000' }],
            xLabel: '日期',
            yLabel: '报警数',
          },
          box,
        ),
      'bar',
    );
    for (const s of ['每日报警数', '高优先级', '日期', '报警数', '03-01', '03-02', '10'])
      expect(text).toContain(s);
    // the first category's bar is red in its middle; the second category has none
    const plotRight = box.x + box.width - 4;
    const left = box.x + 34 + 10;
    const slot = (plotRight - left) / 2;
    const mid = box.y + box.height / 2;
    expect(at(left + slot / 2, mid)).toEqual([255, 0, 0]);
    expect(at(left + slot * 1.5, mid)).not.toEqual([255, 0, 0]);
  });

  it('draws a line with its target and a pie with shares', async () => {
    const { text } = await rendered((doc) => {
      drawChart(
        doc,
        {
          kind: 'line',
          title: '报警率',
          categories: ['1', '2', '3'],
          series: [{ name: '每小时', values: [2, 8, 4] }],
          target: { value: 6, label: '目标 6/小时' },
        },
        { x: 40, y: 40, width: 400, height: 160 },
      );
      drawChart(
        doc,
        {
          kind: 'pie',
          title: '隐患等级',
          slices: [
            { label: '重大隐患', value: 1 },
            { label: '一般隐患', value: 3 },
          ],
        },
        { x: 40, y: 240, width: 400, height: 120 },
      );
    }, 'line-pie');
    for (const s of ['报警率', '目标6/小时', '隐患等级', '重大隐患：1(25.0%)', '一般隐患：3(75.0%)'])
      expect(text).toContain(s);
  });
});
