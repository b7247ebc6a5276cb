import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type PermitDetail, PermitDetailSchema, type Signature } from '@aegis/shared';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectPdf } from '../../test/pdf-inspect.js';
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

let sigId = 0;
function sig(
  meaning: Signature['meaning'],
  signerId: number,
  name: string,
  username: string,
  at: string,
): Signature {
  sigId += 1;
  return {
    id: sigId,
    recordKind: 'permit',
    recordId: 7,
    meaning,
    signerId,
    printedName: name,
    username,
    signedAt: at,
    contentHash: `${sigId.toString(16).padStart(2, '0')}${'ab12cd34'.repeat(8)}`.slice(0, 64),
    authMethod: 'password',
    hasImage: false,
    status: 'valid',
  };
}

const P = (id: number, name: string) => ({ id, name });

/** A completed 一级 hot-work permit with every step signed (as GET /api/permits/:id answers it). */
function hotWorkPermit(): PermitDetail {
  sigId = 0;
  const signatures: Signature[] = [
    sig('apply', 11, '张建国', 'stamp.lead', '2026-03-02T00:05:00Z'),
    sig('analyze', 12, '李分析', 'inspector', '2026-03-02T00:32:00Z'),
    sig('confirm', 13, '王负责', 'chem.lead', '2026-03-02T00:40:00Z'),
    sig('brief', 14, '赵交底', 'safety2', '2026-03-02T00:45:00Z'),
    sig('brief_receive', 13, '王负责', 'chem.lead', '2026-03-02T00:47:00Z'),
    sig('watch', 15, '钱监护', 'operator', '2026-03-02T00:50:00Z'),
    sig('approve', 16, '孙车间', 'manager', '2026-03-02T00:55:00Z'),
    sig('approve', 17, '周安全', 'safety', '2026-03-02T01:00:00Z'),
    sig('check', 18, '吴班长', 'shift.lead', '2026-03-02T01:05:00Z'),
    sig('accept', 19, '郑验收', 'maint', '2026-03-02T06:00:00Z'),
  ];
  signatures[5]!.hasImage = true;
  signatures[7]!.status = 'changed_after_signing';
  const detail: PermitDetail = {
    id: 7,
    code: 'ZY-DH-20260302-001',
    type: 'hot_work',
    state: 'completed',
    requestedGrade: 'first',
    effectiveGrade: 'first',
    raiseReasons: [],
    title: 'GAS-N 燃气管线法兰焊接修复',
    nodeId: 5,
    path: '/1/2/5',
    location: '示范工厂 / 化工车间 / GAS-N 燃气区',
    area: { id: 5, name: 'GAS-N 燃气区', path: '/1/2/5' },
    validFrom: '2026-03-02T01:00:00Z',
    validTo: '2026-03-02T08:00:00Z',
    applicantUnit: '化工车间维修班',
    applicant: P(11, '张建国'),
    personInCharge: P(13, '王负责'),
    watcher: P(15, '钱监护'),
    suspension: null,
    submittedAt: '2026-03-02T00:05:00Z',
    workStartedAt: '2026-03-02T01:05:00Z',
    endedAt: '2026-03-02T06:00:00Z',
    createdAt: '2026-03-01T23:50:00Z',
    equipment: [{ id: 31, name: '燃气调压撬 GD-201' }],
    briefer: P(14, '赵交底'),
    acceptor: P(19, '郑验收'),
    analyst: P(12, '李分析'),
    workers: [
      { name: '陈焊工', userId: null, certificateNo: 'T320102198801011234' },
      { name: '林助手', userId: 21, certificateNo: 'T320102199002025678' },
    ],
    riskIdentification: ['管线残留天然气遇明火爆燃', '焊渣飞溅引燃周边可燃物', '高处坠落'],
    measures: [
      {
        code: 'HW01',
        text: '动火设备内部构件清洗干净，蒸汽吹扫或水洗、置换合格，达到动火条件',
        applies: true,
        confirmedBy: P(13, '王负责'),
        confirmedAt: '2026-03-02T00:40:00Z',
      },
      {
        code: 'HW04',
        text: '罐区内动火点同一防火堤内和防火间距内的储罐未同时进行脱水和取样作业',
        applies: false,
        confirmedBy: null,
        confirmedAt: null,
      },
      {
        code: 'HW08',
        text: '现场配备灭火器（2）台，灭火毯（1）块',
        applies: true,
        confirmedBy: P(13, '王负责'),
        confirmedAt: '2026-03-02T00:40:00Z',
      },
    ],
    windLevel: 2,
    fields: { type: 'hot_work', method: '电焊', fireWatchEquipment: '干粉灭火器 2 台' },
    gasTags: [
      {
        tagId: 201,
        gas: 'CH4',
        tagCode: 'GD-201',
        tagName: '燃气区可燃气体探测器',
        unit: '%LEL',
        value: 1,
        at: '2026-03-02T05:59:00Z',
        verdict: 'pass',
        reason: null,
      },
    ],
    analyses: [
      {
        id: 1,
        source: 'manual',
        takenAt: '2026-03-02T00:30:00Z',
        recordedAt: '2026-03-02T00:32:00Z',
        samplePoint: '法兰下方 0.5 m',
        analyst: P(12, '李分析'),
        verdict: 'pass',
        readings: [
          {
            gas: 'CH4',
            value: 4,
            unit: '%LEL',
            percentVol: 0.2,
            limitText: '≤ 0.5 %vol',
            verdict: 'pass',
            reason: { zh: '0.2 %vol ≤ 0.5 %vol', en: '0.2 %vol ≤ 0.5 %vol' },
          },
          {
            gas: 'O2',
            value: 20.8,
            unit: '%vol',
            percentVol: null,
            limitText: '19.5–21 %vol',
            verdict: 'pass',
            reason: { zh: '氧含量正常', en: 'oxygen normal' },
          },
        ],
        signatureId: 2,
      },
      {
        id: 2,
        source: 'live',
        takenAt: '2026-03-02T03:05:00Z',
        recordedAt: '2026-03-02T03:05:00Z',
        samplePoint: 'GD-201 燃气区可燃气体探测器',
        analyst: null,
        verdict: 'fail',
        readings: [
          {
            gas: 'H2S',
            value: 12,
            unit: 'mg/m3',
            percentVol: null,
            limitText: '≤ 10 mg/m3',
            verdict: 'fail',
            reason: { zh: '硫化氢 12 mg/m3 超过 10 mg/m3', en: 'H2S 12 mg/m3 above 10' },
          },
        ],
        signatureId: null,
      },
    ],
    approvals: [
      {
        order: 1,
        level: 'unit',
        addedFor: null,
        state: 'approved',
        approver: P(16, '孙车间'),
        at: '2026-03-02T00:55:00Z',
        opinion: '同意动火',
        eligible: [],
      },
      {
        order: 2,
        level: 'safety_department',
        addedFor: null,
        state: 'approved',
        approver: P(17, '周安全'),
        at: '2026-03-02T01:00:00Z',
        opinion: '',
        eligible: [],
      },
    ],
    conflicts: [],
    signatures,
    history: [
      {
        id: 1,
        action: 'submit',
        fromState: 'draft',
        toState: 'awaiting_analysis',
        actor: P(11, '张建国'),
        at: '2026-03-02T00:05:00Z',
        reason: null,
        data: {},
      },
      {
        id: 2,
        action: 'expire',
        fromState: 'active',
        toState: 'completed',
        actor: { id: null, name: 'system' },
        at: '2026-03-02T06:00:00Z',
        reason: '完工',
        data: {},
      },
    ],
    links: {
      supersedes: null,
      supersededBy: null,
      linked: [{ id: 9, code: 'ZY-SX-20260302-002', type: 'confined_space', state: 'completed' }],
    },
    rule: {
      type: 'hot_work',
      grade: 'first',
      maxValidityHours: 8,
      hardMaxValidityHours: null,
      needsGasAnalysis: true,
      analysisMaxAgeMin: 30,
      retestAfterInterruptionMin: 30,
      continuousMonitoring: false,
      liveRecordEveryMin: 120,
      approvals: ['unit', 'safety_department'],
      retentionDays: 365,
      source: 'GB 30871-2022 5.2',
    },
    cancelReason: null,
    actions: [],
    timers: [],
  };
  // the fixture is what the route's response schema lets through
  return PermitDetailSchema.parse(detail);
}

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
