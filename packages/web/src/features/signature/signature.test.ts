import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SIGNATURE_MEANINGS, SIGNATURE_STATUSES } from '@aegis/shared';
import { describe, expect, it } from 'vitest';
import {
  addPoint,
  cropRect,
  dataUrlBytes,
  fitWithin,
  imageTooLarge,
  meaningWord,
  reauthDetails,
  STATUS_COLOR,
  statusWord,
} from './helpers';
import enUS from './locales/en-US.json';
import zhCN from './locales/zh-CN.json';

type Tree = { [k: string]: string | Tree };
const keys = (t: Tree, prefix = ''): string[] =>
  Object.entries(t).flatMap(([k, v]) =>
    typeof v === 'string' ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`),
  );

describe('the signature pad export', () => {
  it('scales a drawing down to fit 600×200, keeping its shape, never up', () => {
    expect(fitWithin(1200, 400)).toEqual({ width: 600, height: 200 });
    expect(fitWithin(900, 150)).toEqual({ width: 600, height: 100 });
    expect(fitWithin(300, 600)).toEqual({ width: 100, height: 200 });
    expect(fitWithin(120, 40)).toEqual({ width: 120, height: 40 });
    expect(fitWithin(0, 10)).toEqual({ width: 1, height: 1 });
    expect(fitWithin(10_000, 1)).toEqual({ width: 600, height: 1 });
  });

  it('crops to the ink plus a margin, in device pixels, inside the canvas', () => {
    let b = addPoint(null, 50, 40);
    b = addPoint(b, 150, 60);
    expect(b).toEqual({ minX: 50, minY: 40, maxX: 150, maxY: 60 });
    expect(cropRect(b, 8, 2000, 480, 2)).toEqual({ x: 84, y: 64, width: 232, height: 72 });
    // near the edge: clipped to the canvas
    expect(cropRect(addPoint(null, 2, 155), 8, 700, 160, 1)).toEqual({ x: 0, y: 147, width: 10, height: 13 });
  });

  it('knows the decoded size of a data URL without decoding it', () => {
    const bytes = Buffer.from('hello, signature!');
    const url = `data:image/png;base64,${bytes.toString('base64')}`;
    expect(dataUrlBytes(url)).toBe(bytes.length);
    expect(imageTooLarge(url)).toBe(false);
    expect(imageTooLarge(`data:image/png;base64,${'A'.repeat(410_000)}`)).toBe(true);
  });
});

describe('signature words', () => {
  it('names every meaning and status in both languages, invalid and changed in red', () => {
    expect(meaningWord('approve', 'zh-CN')).toBe('审批');
    expect(meaningWord('brief_receive', 'en-US')).toBe('Briefing received');
    for (const m of SIGNATURE_MEANINGS) expect(meaningWord(m, 'zh-CN')).not.toBe('');
    expect(statusWord('changed_after_signing', 'zh-CN')).toBe('签字后内容被修改');
    expect(statusWord('invalid', 'zh-CN')).toBe('签名无效（非本记录）');
    for (const s of SIGNATURE_STATUSES) expect(STATUS_COLOR[s]).toBe(s === 'valid' ? 'green' : 'red');
  });

  it("reads the server's refusal details", () => {
    expect(reauthDetails({ attemptsLeft: 2, maxAttempts: 5, lockedUntil: null })).toEqual({
      attemptsLeft: 2,
      lockedUntil: null,
      expired: false,
    });
    expect(reauthDetails({ attemptsLeft: null, expired: true })?.expired).toBe(true);
    expect(reauthDetails(undefined)).toBeNull();
  });

  it('has the same keys in Chinese and English, and every key the components use', () => {
    expect(keys(enUS as Tree).sort()).toEqual(keys(zhCN as Tree).sort());
    const known = new Set(keys(zhCN as Tree));
    const dir = import.meta.dirname;
    const used = readdirSync(dir)
      .filter((f) => f.endsWith('.tsx'))
      .flatMap((f) => [...readFileSync(path.join(dir, f), 'utf8').matchAll(/'(signature\.[A-Za-z0-9_.]+)'/g)])
      .map((m) => m[1] as string);
    expect(used.length).toBeGreaterThan(10);
    expect(used.filter((k) => !known.has(k))).toEqual([]);
  });
});
