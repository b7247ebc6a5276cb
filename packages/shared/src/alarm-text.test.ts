import { describe, expect, it } from 'vitest';
import { type AlarmText, renderAlarmText } from './alarm-text.js';

const gas: AlarmText = {
  kind: 'limit',
  condition: 'HH',
  equipment: { zh: '7号气体探测器', en: 'Gas detector 7' },
  tag: { zh: '硫化氢', en: 'H2S' },
  unit: 'ppm',
  limit: 20,
  comparison: '>',
};

describe('alarm texts', () => {
  it('reads with names, units and the limit in Chinese and in English', () => {
    expect(renderAlarmText(gas, 20.5, 'zh-CN')).toBe('7号气体探测器 硫化氢 高高报 20.5 ppm (限值 > 20 ppm)');
    expect(renderAlarmText(gas, 20.5, 'en-US')).toBe(
      'Gas detector 7 H2S high-high 20.5 ppm (limit > 20 ppm)',
    );
  });

  it('shows the sign the engine compares with (a low limit is active below it)', () => {
    const low = { ...gas, condition: 'L', limit: 19.5, comparison: '<' as const, unit: '%' };
    expect(renderAlarmText(low, 18, 'en-US')).toBe('Gas detector 7 H2S low 18 % (limit < 19.5 %)');
  });

  it('writes numbers without float noise and leaves the value out when there is none', () => {
    expect(renderAlarmText(gas, 20.500000000001, 'en-US')).toContain('high-high 20.5 ppm');
    expect(renderAlarmText(gas, null, 'zh-CN')).toBe('7号气体探测器 硫化氢 高高报 (限值 > 20 ppm)');
  });

  it('words every rule kind in both languages and keeps a text written by hand as it is', () => {
    const base = { equipment: gas.equipment, tag: gas.tag, unit: 'ppm' };
    expect(
      renderAlarmText({ ...base, kind: 'comm_loss', condition: 'COMM', connector: 'plc-7' }, null, 'zh-CN'),
    ).toBe('7号气体探测器 硫化氢 通讯中断 (plc-7)');
    expect(renderAlarmText({ ...base, kind: 'stale', condition: 'STALE', timeoutS: 30 }, null, 'en-US')).toBe(
      'Gas detector 7 H2S no new value for 30 s',
    );
    expect(
      renderAlarmText(
        {
          ...base,
          kind: 'deviation',
          condition: 'DEV',
          limit: 2,
          setpoint: { zh: '设定值', en: 'Setpoint' },
        },
        5,
        'en-US',
      ),
    ).toBe('Gas detector 7 H2S deviates from Setpoint by more than 2 ppm (now 5 ppm)');
    expect(renderAlarmText({ ...gas, custom: '风机停机，立即撤离' }, 21, 'en-US')).toBe(
      'Gas detector 7 H2S 风机停机，立即撤离',
    );
  });
});
