import { describe, expect, it } from 'vitest';
import {
  compileTemplate,
  escapeJsonString,
  TEMPLATE_VARIABLES,
  TemplateError,
  templateVariables,
} from './template.js';

describe('{{name}} templates', () => {
  it('fills the placeholders and escapes only the values', () => {
    const render = compileTemplate('{"to":"{{phone}}","text":"{{ text }}"}', ['phone', 'text']);
    expect(render({ phone: '+8613800000000', text: '温度 "高" \\ 报警\n' }, escapeJsonString)).toBe(
      '{"to":"+8613800000000","text":"温度 \\"高\\" \\\\ 报警\\n"}',
    );
    expect(JSON.parse(render({ phone: '1', text: '"}' }, escapeJsonString))).toEqual({ to: '1', text: '"}' });
  });

  it('keeps a lone }} as text, so JSON bodies may end in it', () => {
    const render = compileTemplate('{"a":{"b":"{{phone}}"}}', ['phone']);
    expect(render({ phone: '123' })).toBe('{"a":{"b":"123"}}');
  });

  it('renders a variable without a value as empty text', () => {
    expect(compileTemplate('[{{priority}}] {{title}}', TEMPLATE_VARIABLES)({ title: 'R-101' })).toBe(
      '[] R-101',
    );
  });

  it('refuses an unknown variable, naming it, where it is and what is allowed', () => {
    let err: unknown;
    try {
      compileTemplate('Alarm:\n  {{titel}} at {{time}}', TEMPLATE_VARIABLES);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TemplateError);
    const e = err as TemplateError;
    expect(e.status).toBe(400);
    expect(e.message).toContain('{{titel}}');
    expect(e.message).toContain('line 2, column 3');
    expect(e.message).toContain('{{title}}');
    expect(e.position).toEqual({ offset: 9, line: 2, column: 3 });
  });

  it('refuses an unclosed or empty placeholder', () => {
    expect(() => compileTemplate('text {{phone', ['phone'])).toThrow(/line 1, column 6 is not closed/);
    expect(() => compileTemplate('{{phone {{text}}', ['phone', 'text'])).toThrow(/not closed/);
    expect(() => compileTemplate('a {{ }} b', ['phone'])).toThrow(/Empty placeholder/);
  });

  it('lists the variables a template uses', () => {
    expect(templateVariables('{{text}} {{phone}} {{text}}', ['phone', 'text'])).toEqual(['text', 'phone']);
  });
});
