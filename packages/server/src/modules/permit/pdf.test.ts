import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { PermitDetail } from '@aegis/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectPdf } from '../../test/pdf-inspect.js';
import { hotWorkPermit, P } from './pdf.fixture.js';
import { permitSheet, plantTime, printable, renderPermitPdf } from './pdf.js';

const run = promisify(execFile);
const TZ = 'Asia/Shanghai';
const NOW = new Date('2026-03-02T10:00:00Z');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aegis-permit-pdf-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * The text a real PDF reader (poppler's pdftotext, as the CI installs it) extracts, in the order it
 * is drawn (-raw): cell by cell, so a cell's lines stay together whatever stands beside them.
 */
async function pdftotext(pdf: Buffer, name: string): Promise<string> {
  const file = path.join(dir, `${name}.pdf`);
  await writeFile(file, pdf);
  const { stdout } = await run('/usr/bin/pdftotext', ['-raw', '-enc', 'UTF-8', file, '-']);
  return stdout;
}
/** pdfinfo's page count. */
async function pdfPages(pdf: Buffer, name: string): Promise<number> {
  const file = path.join(dir, `${name}-info.pdf`);
  await writeFile(file, pdf);
  const { stdout } = await run('/usr/bin/pdfinfo', [file]);
  return Number(/Pages:\s+(\d+)/.exec(stdout)?.[1]);
}
/** Line breaks inside cells are the reader's business; compare without whitespace. */
const flat = (s: string) => s.replace(/\s+/g, '');

describe('the permit PDF (作业票) read back with poppler', () => {
  it('prints the form title, number, Chinese content, people, measures and risks', async () => {
    const pdf = await renderPermitPdf(hotWorkPermit(), { timezone: TZ, now: NOW });
    // AEGIS_KEEP_PDF=<file>: keep the rendered form to look at (pdftoppm -png -r 60 <file> page)
    if (process.env.AEGIS_KEEP_PDF) await writeFile(process.env.AEGIS_KEEP_PDF, pdf);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = flat(await pdftotext(pdf, 'content'));
    for (const s of [
      '动火安全作业票',
      '编号：ZY-DH-20260302-001',
      '状态：已验收关闭',
      '化工车间维修班',
      'GAS-N燃气管线法兰焊接修复',
      '示范工厂/化工车间/GAS-N燃气区',
      '动火级别',
      '一级',
      '动火方式',
      '电焊',
      '陈焊工',
      'T320102198801011234',
      '管线残留天然气遇明火爆燃',
      '动火设备内部构件清洗干净',
      '不涉及',
      'ZY-SX-20260302-002',
      // plant time: 01:00Z is 09:00 in Shanghai
      '自2026-03-0209:00至2026-03-0216:00止',
    ])
      expect(text).toContain(flat(s));
  }, 60_000);

  it("prints every signer's name with the meaning of the signature, the server time and the hash", async () => {
    const detail = hotWorkPermit();
    const text = flat(await pdftotext(await renderPermitPdf(detail, { timezone: TZ, now: NOW }), 'signers'));
    for (const s of detail.signatures) {
      const meaning = {
        apply: '申请',
        analyze: '分析',
        confirm: '确认',
        brief: '交底',
        brief_receive: '接受交底',
        watch: '监护',
        approve: '审批',
        check: '验票',
        accept: '验收',
      }[s.meaning as string]!;
      // in the signature block: name (username), plant time, then the meaning and the hash prefix
      expect(text).toContain(
        flat(
          `${s.printedName}（${s.username}） ${plantTime(s.signedAt, TZ)} 电子签名：${meaning} · 哈希 ${s.contentHash.slice(0, 12)}`,
        ),
      );
      // and in the register of signatures at the end
      expect(text).toContain(flat(`${meaning}${s.printedName}（${s.username}）`));
    }
    // the approval levels with their opinions
    expect(text).toContain('所在单位审批意见');
    expect(text).toContain('安全管理部门审批意见');
    expect(text).toContain('意见：同意动火');
    // a signature whose content changed afterwards says so in red words, not only in colour
    expect(text).toContain('签字后内容被修改');
  }, 60_000);

  it('prints the gas analyses: time, sample point, each reading with its limit and verdict, the analyst', async () => {
    const text = flat(
      await pdftotext(await renderPermitPdf(hotWorkPermit(), { timezone: TZ, now: NOW }), 'gas'),
    );
    expect(text).toContain(flat('2026-03-02 08:30 法兰下方 0.5 m'));
    expect(text).toContain(flat('CH4 4 %LEL（0.2 %vol） 限值 <= 0.5 %vol 合格'));
    expect(text).toContain(flat('O2 20.8 %vol 限值 19.5–21 %vol 合格'));
    expect(text).toContain('李分析');
    // the 2-hourly live record and its failure
    expect(text).toContain('在线监测记录');
    expect(text).toContain(flat('H2S 12 mg/m3 限值 <= 10 mg/m3 不合格：硫化氢 12 mg/m3 超过 10 mg/m3'));
    expect(text).toContain(flat('GD-201 燃气区可燃气体探测器（CH4，%LEL）'));
  }, 60_000);

  it('draws the handwritten signature image beside the cryptographic one', async () => {
    const detail = hotWorkPermit();
    const drawn = await sharp({
      create: { width: 300, height: 100, channels: 3, background: { r: 255, g: 255, b: 255 } },
    })
      .composite([
        {
          input: Buffer.from(
            '<svg width="300" height="100"><path d="M10 80 C 60 10, 120 10, 290 60" stroke="black" stroke-width="6" fill="none"/></svg>',
          ),
        },
      ])
      .png()
      .toBuffer();
    const watch = detail.signatures.find((s) => s.meaning === 'watch')!;
    const pdf = await renderPermitPdf(detail, {
      timezone: TZ,
      now: NOW,
      images: new Map([[watch.id, drawn]]),
    });
    const images = inspectPdf(pdf).images.flat();
    expect(images.some((i) => i.width === 300 && i.height === 100)).toBe(true);
    // without the bytes the form still prints (the image is optional, the signature is not)
    const without = inspectPdf(await renderPermitPdf(detail, { timezone: TZ, now: NOW })).images.flat();
    expect(without).toHaveLength(0);
  }, 60_000);

  it('numbers the pages "第 n 页 / 共 N 页" and repeats the permit number on every page', async () => {
    const detail = hotWorkPermit();
    // a long checklist spills over several A4 pages
    detail.measures = Array.from({ length: 60 }, (_, i) => ({
      code: `M${i}`,
      text: `第 ${i + 1} 项安全措施：作业区域已设置警戒标识，无关人员不得进入`,
      applies: i % 2 === 0,
      confirmedBy: i % 2 === 0 ? P(13, '王负责') : null,
      confirmedAt: i % 2 === 0 ? '2026-03-02T00:40:00Z' : null,
    }));
    const pdf = await renderPermitPdf(detail, { timezone: TZ, now: NOW });
    const pages = await pdfPages(pdf, 'pages');
    expect(pages).toBeGreaterThan(1);
    const text = flat(await pdftotext(pdf, 'pages'));
    for (let p = 1; p <= pages; p++) expect(text).toContain(flat(`第 ${p} 页 / 共 ${pages} 页`));
    expect(text.split(flat('动火安全作业票（续） 编号：ZY-DH-20260302-001')).length - 1).toBe(pages - 1);
    // every measure made it, none lost at a page break
    for (let i = 1; i <= 60; i++) expect(text).toContain(flat(`第 ${i} 项安全措施`));
    expect(text).toContain(flat('打印于 2026-03-02 18:00（Asia/Shanghai）'));
  }, 60_000);

  it('marks a permit not in force across the page and names the pending approvers', async () => {
    const detail = hotWorkPermit();
    detail.state = 'awaiting_approval';
    detail.signatures = detail.signatures.slice(0, 6);
    detail.approvals[1] = {
      ...detail.approvals[1]!,
      state: 'pending',
      approver: null,
      at: null,
      eligible: [P(17, '周安全'), P(22, '吴安全')],
    };
    detail.effectiveGrade = 'special';
    detail.raiseReasons = ['night'];
    const text = flat(await pdftotext(await renderPermitPdf(detail, { timezone: TZ, now: NOW }), 'pending'));
    expect(text).toContain('未生效');
    expect(text).toContain(flat('待审批（可审批人：周安全、吴安全）'));
    expect(text).toContain(flat('特级（申请 一级，因夜间作业（20:00–06:00）升级）'));
    expect(text).toContain('未验票');
  }, 60_000);

  it('prints every type with its own title and fields, and grades the fonts lack glyphs for', async () => {
    const base = hotWorkPermit();
    const height: PermitDetail = {
      ...base,
      type: 'height',
      code: 'ZY-GC-20260302-003',
      requestedGrade: 'III',
      effectiveGrade: 'III',
      fields: { type: 'height', heightM: 18, fallProtection: '双钩安全带、安全网' },
    };
    const text = flat(await pdftotext(await renderPermitPdf(height, { timezone: TZ, now: NOW }), 'height'));
    expect(text).toContain('高处安全作业票');
    expect(text).toContain(flat('作业高度 18 m'));
    expect(text).toContain(flat('高处级别 III级'));
    const blind = permitSheet(
      {
        ...base,
        type: 'blind_plate',
        effectiveGrade: 'none',
        requestedGrade: 'none',
        fields: {
          type: 'blind_plate',
          pipeline: '氮气总管',
          medium: '氮气',
          temperatureC: 25,
          pressureMPa: 0.6,
          plateMaterial: '20#钢',
          plateSpec: 'DN100 PN16',
          plateNumber: 'MB-07',
          action: 'install',
          drawingRef: 'PID-12',
        },
      },
      { timezone: TZ, now: NOW },
    );
    expect(blind.title).toBe('盲板抽堵安全作业票');
    const cells = JSON.stringify(blind.blocks);
    for (const s of ['氮气总管', 'MB-07', '堵盲板', '0.6 MPa', '25 °C']) expect(cells).toContain(s);
    expect(printable('Ⅳ级 ≤ 0.5 %vol，O₂')).toBe('IV级 <= 0.5 %vol，O2');
  }, 60_000);
});
