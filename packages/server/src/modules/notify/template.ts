import { AppError } from '../../errors.js';

/**
 * `{{name}}` templates: SMS gateway URLs, headers and bodies, and a policy's own wording.
 * Compiled once when saved (an invalid template answers 400 with what to fix and where), rendered
 * per message. A lone `}}` is text (JSON bodies end in it); `{{` always opens a placeholder.
 */

/** The variables a policy's own wording may use (SMS gateways have their own: phone, text, secret). */
export const TEMPLATE_VARIABLES = ['title', 'text', 'priority', 'place', 'time', 'link', 'count'] as const;

export class TemplateError extends AppError {
  constructor(
    message: string,
    /** 0-based offset of the problem in the source; line and column are 1-based. */
    readonly position: { offset: number; line: number; column: number },
  ) {
    super('validation_failed', message, { position });
    this.name = 'TemplateError';
  }
}

/** Values by variable name; a variable without a value renders as empty text. */
export type TemplateVars = Readonly<Record<string, string | number | null | undefined>>;
/** `escapeValue` is applied to every value (never to the template's own text): JSON, URL, markdown… */
export type RenderTemplate = (vars: TemplateVars, escapeValue?: (value: string) => string) => string;

type Part = { text: string } | { name: string };

function where(source: string, offset: number) {
  const before = source.slice(0, offset).split('\n');
  return { offset, line: before.length, column: before[before.length - 1]!.length + 1 };
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses `source`; every placeholder must name one of `allowedVariables`.
 * Throws a TemplateError naming the problem, its line and column and the allowed variables.
 */
export function compileTemplate(source: string, allowedVariables: readonly string[]): RenderTemplate {
  const allowed = new Set(allowedVariables);
  const list = allowedVariables.map((v) => `{{${v}}}`).join(', ');
  const parts: Part[] = [];
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    if (open < 0) {
      parts.push({ text: source.slice(i) });
      break;
    }
    if (open > i) parts.push({ text: source.slice(i, open) });
    const close = source.indexOf('}}', open + 2);
    const nextOpen = source.indexOf('{{', open + 2);
    if (close < 0 || (nextOpen >= 0 && nextOpen < close)) {
      const p = where(source, open);
      throw new TemplateError(
        `The placeholder opened at line ${p.line}, column ${p.column} is not closed with }}; allowed: ${list}`,
        p,
      );
    }
    const name = source.slice(open + 2, close).trim();
    if (!NAME.test(name) || !allowed.has(name)) {
      const p = where(source, open);
      throw new TemplateError(
        name
          ? `Unknown variable {{${name}}} at line ${p.line}, column ${p.column}; allowed: ${list}`
          : `Empty placeholder {{}} at line ${p.line}, column ${p.column}; allowed: ${list}`,
        p,
      );
    }
    parts.push({ name });
    i = close + 2;
  }
  return (vars, escapeValue = (s) => s) =>
    parts
      .map((part) => {
        if ('text' in part) return part.text;
        const value = vars[part.name];
        return value === null || value === undefined ? '' : escapeValue(String(value));
      })
      .join('');
}

/** The variables a template uses, in order of first use (for previews and checks). */
export function templateVariables(source: string, allowedVariables: readonly string[]): string[] {
  compileTemplate(source, allowedVariables);
  const seen: string[] = [];
  for (const m of source.matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g))
    if (!seen.includes(m[1]!)) seen.push(m[1]!);
  return seen;
}

/** Escapes a value for the inside of a JSON string literal ("…{{text}}…"). */
export const escapeJsonString = (s: string) => JSON.stringify(s).slice(1, -1);
