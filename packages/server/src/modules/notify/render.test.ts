import { describe, expect, it } from 'vitest';
import { sampleEvent } from './channels/testing.js';
import { escapeMarkdown, markdownUrl, renderMessage } from './render.js';

const opts = {
  locale: 'zh-CN' as const,
  publicUrl: 'https://mes.example.com/',
  timezone: 'Asia/Shanghai',
  template: null,
  idempotencyKey: 'd-7',
};

describe('rendering a notification for people', () => {
  it('says what happened in Chinese: priority word, names, value, unit and limit, plant time and the deep link', () => {
    const m = renderMessage([sampleEvent()], opts);
    expect(m.subject).toBe('[紧急] 反应釜 R-101 温度 高高报 98.5 °C (限值 > 95 °C)');
    expect(m.text).toContain('时间：2026-11-30 22:35:02'); // 14:35 UTC in Shanghai
    expect(m.text).toContain('位置：反应釜 R-101');
    expect(m.link).toBe('https://mes.example.com/alarms?key=alarm%3A9%3AHH');
    expect(m.text).toContain(m.link!);
    expect(m.html).toContain('<html lang="zh-CN">');
    expect(m.html).toContain('href="https://mes.example.com/alarms?key=alarm%3A9%3AHH"');
    expect(m.markdown).toContain('[打开查看](https://mes.example.com/alarms?key=alarm%3A9%3AHH)');
    expect(m).toMatchObject({ idempotencyKey: 'd-7', locale: 'zh-CN', priority: 'critical', count: 1 });
  });

  it('says it in English for an English reader, in the plant time zone', () => {
    const m = renderMessage([sampleEvent()], { ...opts, locale: 'en-US', timezone: 'Europe/Berlin' });
    expect(m.subject).toBe('[Critical] Reactor R-101 temperature high-high 98.5 °C (limit > 95 °C)');
    expect(m.text).toContain('Time: 2026-11-30 15:35:02');
    expect(m.html).toContain('<html lang="en-US">');
    expect(m.html).toContain('Open in Aegis');
  });

  it('names the kind of event when it is not a new alarm, and uses the title without an alarm text', () => {
    const m = renderMessage(
      [
        sampleEvent({
          kind: 'connector.down',
          priority: null,
          alarmText: null,
          title: { zh: 'PLC-3 采集', en: 'PLC-3 connector' },
        }),
      ],
      opts,
    );
    expect(m.subject).toBe('采集连接中断：PLC-3 采集');
  });

  it('has no link when no public address is configured', () => {
    const m = renderMessage([sampleEvent()], { ...opts, publicUrl: null });
    expect(m.link).toBeNull();
    expect(m.html).not.toContain('href=');
    expect(m.text).not.toContain('打开查看');
  });

  it('groups several events into one message: the most urgent heads it, up to 10 lines, the rest counted', () => {
    const events = Array.from({ length: 12 }, (_, i) =>
      sampleEvent({
        id: i + 1,
        priority: i === 5 ? 'critical' : 'medium',
        at: `2026-11-30T14:${String(10 + i)}:00.000Z`,
      }),
    );
    const zh = renderMessage(events, opts);
    expect(zh.count).toBe(12);
    expect(zh.subject).toMatch(/^\[紧急\] .* 等 12 条$/);
    expect(zh.text).toContain('共 12 条：');
    expect(zh.text.split('\n').filter((l) => l.startsWith('- ') && l.includes('R-101'))).toHaveLength(10);
    expect(zh.text).toContain('- 另有 2 条');
    const en = renderMessage(events.slice(0, 3), { ...opts, locale: 'en-US' });
    expect(en.subject).toMatch(/ and 2 more$/);
  });

  it('makes user-entered alarm texts inert in HTML and in robot markdown', () => {
    const custom = '<img src=x onerror=alert(1)> **bold** [click](http://evil) <@all>\n# heading';
    const e = sampleEvent({ alarmText: { ...sampleEvent().alarmText!, custom } });
    const m = renderMessage([e], opts);
    expect(m.html).not.toContain('<img');
    expect(m.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(m.markdown).not.toContain('<@all>');
    expect(m.markdown).not.toContain('[click](http://evil)');
    expect(m.markdown).not.toMatch(/\n# heading/);
    expect(markdownUrl('https://x/a (b)')).toBe('https://x/a%20%28b%29');
    expect(escapeMarkdown('a*b_c[d](e) <@all>')).toBe('a＊b_c［d］(e) ＜@all＞');
  });

  it('uses a policy’s own wording with {{…}} variables, escaped per format', () => {
    const template = '{{priority}}级报警：{{text}}\n地点 {{place}}，{{time}}，共 {{count}} 条 {{link}}';
    const m = renderMessage([sampleEvent()], { ...opts, template });
    expect(m.text).toBe(
      '紧急级报警：反应釜 R-101 温度 高高报 98.5 °C (限值 > 95 °C)\n地点 反应釜 R-101，2026-11-30 22:35:02，共 1 条 https://mes.example.com/alarms?key=alarm%3A9%3AHH',
    );
    expect(m.html).toContain('紧急级报警');
    expect(m.html).toContain('<br>');
    // A template that no longer compiles falls back to the standard wording instead of failing.
    expect(renderMessage([sampleEvent()], { ...opts, template: '{{nope}}' }).text).toContain('时间：');
  });
});
