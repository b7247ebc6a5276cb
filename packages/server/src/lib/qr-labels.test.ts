import jsqrModule from 'jsqr';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { inspectPdf, type PdfImage } from '../test/pdf-inspect.js';
import { LABEL_HINT, type QrLabel, qrPng, renderLabelSheet } from './qr-labels.js';

const NOW = new Date('2026-03-02T08:00:00Z');

// jsQR is CommonJS with an ES-style default in its types: take whichever shape arrives.
type JsQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR = ((jsqrModule as unknown as { default?: JsQr }).default ?? jsqrModule) as unknown as JsQr;

/** Decodes a QR code from raw pixels the way the phone does (jsQR). */
function decode(img: PdfImage): string | null {
  const rgba = new Uint8ClampedArray(img.width * img.height * 4);
  for (let i = 0; i < img.width * img.height; i++) {
    const v = img.channels === 1 ? img.pixels[i]! : img.pixels[i * img.channels]!;
    rgba.set([v, v, v, 255], i * 4);
  }
  return jsQR(rgba, img.width, img.height)?.data ?? null;
}

const labels = (n: number): QrLabel[] =>
  Array.from({ length: n }, (_, i) => ({
    title: `${i + 1}号压力机润滑点`,
    subtitle: '冲压车间 · 一号巡检路线',
    code: `A-PRS-${String(i + 1).padStart(2, '0')}`,
    qrText: `aegis:cp:${i + 1}.v1.${'k9F3xQ7mZp2Lw8Rt'.repeat(4)}.${i}`,
  }));

describe('QR label sheets', () => {
  it('lays out 8 labels per A4 page: 9 labels make two pages, none makes one', async () => {
    const nine = await renderLabelSheet(labels(9), { heading: '冲压车间 巡检签到码', now: NOW });
    expect(nine.subarray(0, 5).toString()).toBe('%PDF-');
    const read = inspectPdf(nine);
    expect(read.pageCount).toBe(2);
    expect(read.images.map((p) => p.length)).toEqual([8, 1]);
    expect(inspectPdf(await renderLabelSheet(labels(8), { heading: 'h', now: NOW })).pageCount).toBe(1);
    expect(inspectPdf(await renderLabelSheet([], { heading: 'h', now: NOW })).pageCount).toBe(1);
  }, 60_000);

  it("prints each checkpoint's name, code and the hint as text, with heading, page and footer", async () => {
    const pdf = await renderLabelSheet(labels(3), {
      heading: '冲压车间 巡检签到码',
      footer: '一厂 安环部',
      now: NOW,
    });
    const [page] = inspectPdf(pdf).pages;
    expect(page).toContain('冲压车间 巡检签到码');
    expect(page).toContain('1 / 1');
    for (const l of labels(3)) {
      expect(page).toContain(l.title);
      expect(page).toContain(l.code);
    }
    expect(page).toContain('冲压车间 · 一号巡检路线');
    expect(page!.split(LABEL_HINT)).toHaveLength(4);
    // printed at 16:00 Shanghai time
    expect(page).toMatch(/一厂 安环部 {2}· {2}打印于 2026年3月2日 16:00/);
  }, 60_000);

  it('embeds QR codes that decode back to the exact token, at 300 dpi or more when printed', async () => {
    const ls = labels(10);
    const read = inspectPdf(await renderLabelSheet(ls, { heading: '签到码', now: NOW }));
    const found = read.images.flat();
    expect(found.map(decode)).toEqual(ls.map((l) => l.qrText));
    // 46 mm wide on paper
    for (const img of found) expect(img.width / (46 / 25.4)).toBeGreaterThanOrEqual(300);
  }, 60_000);

  it('renders a QR PNG a phone decodes, also scaled down like a photo of the print', async () => {
    const text = 'aegis:cp:42.v1.测试-token';
    const png = await qrPng(text, 130);
    const small = await sharp(png)
      .resize(300)
      .removeAlpha()
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(
      decode({ width: small.info.width, height: small.info.height, channels: 1, pixels: small.data }),
    ).toBe(text);
  });
});
