import { describe, expect, it } from 'vitest';
import { describeCron } from './cron';

describe('a cron expression in words', () => {
  it('reads fixed daily times', () => {
    expect(describeCron('0 8 * * *', 'zh-CN')).toBe('每天 08:00');
    expect(describeCron('30 8,20 * * *', 'zh-CN')).toBe('每天 08:30、20:30');
    expect(describeCron('0 8 * * *', 'en-US')).toBe('Every day at 08:00');
  });

  it('reads days of the week, Monday first, with runs as ranges', () => {
    expect(describeCron('0 8 * * 1-5', 'zh-CN')).toBe('每周一至周五 08:00');
    expect(describeCron('0 8 * * 1,3,5', 'zh-CN')).toBe('每周一、三、五 08:00');
    expect(describeCron('0 9 * * 0', 'zh-CN')).toBe('每周日 09:00');
    expect(describeCron('0 9 * * 6,0', 'en-US')).toBe('Sat, Sun at 09:00');
    expect(describeCron('0 8 * * 1-5', 'en-US')).toBe('Mon–Fri at 08:00');
  });

  it('reads days of the month', () => {
    expect(describeCron('0 8 1,15 * *', 'zh-CN')).toBe('每月 1、15 日 08:00');
    expect(describeCron('0 8 1 * *', 'en-US')).toBe('Day 1 of every month at 08:00');
  });

  it('reads every n hours or minutes', () => {
    expect(describeCron('0 */2 * * *', 'zh-CN')).toBe('每 2 小时（第 0 分）');
    expect(describeCron('*/15 * * * *', 'en-US')).toBe('Every 15 minutes');
    expect(describeCron('5 * * * *', 'zh-CN')).toBe('每小时第 5 分');
  });

  it('gives up (null) on shapes it cannot say well instead of saying something wrong', () => {
    expect(describeCron('0 8 * 1 *', 'zh-CN')).toBeNull();
    expect(describeCron('0 8 1 * 1', 'zh-CN')).toBeNull();
    expect(describeCron('0 0 8 * * *', 'zh-CN')).toBeNull();
    expect(describeCron('0 8 * * MON', 'zh-CN')).toBeNull();
    expect(describeCron('nonsense', 'zh-CN')).toBeNull();
  });
});
