// A cron expression in words, for the plan editor and the plan list. Only the shapes people
// write by hand are described (fixed times on days of the week or month, every n hours or
// minutes); anything else returns null and the page shows the expression as it is.

type Lang = 'zh' | 'en';

const DAY_ZH = ['日', '一', '二', '三', '四', '五', '六'];
const DAY_EN = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

const lang = (l: string): Lang => (l === 'en-US' ? 'en' : 'zh');
const pad = (n: number) => String(n).padStart(2, '0');

/** A field of single numbers, lists and ranges ("1,3,5", "1-5"); null for steps, names or '*'. */
function numbers(field: string, min: number, max: number): number[] | null {
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) return null;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (a < min || b > max || a > b) return null;
    for (let i = a; i <= b; i++) out.add(i);
  }
  return [...out].sort((x, y) => x - y);
}

/** Consecutive runs, so 1,2,3,4,5 reads "Mon–Fri" and 1,3,5 reads "Mon, Wed, Fri". */
function runs(values: number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const v of values) {
    const last = out[out.length - 1];
    if (last && last[1] === v - 1) last[1] = v;
    else out.push([v, v]);
  }
  return out;
}

/** "每周一至周五" / "Mon–Fri"; Sunday may be 0 or 7. */
export function weekdays(dow: number[], uiLang: string): string {
  const l = lang(uiLang);
  // cron allows 7 for Sunday; the week reads Monday first
  const days = [...new Set(dow.map((d) => (d === 7 ? 0 : d)))].map((d) => (d === 0 ? 7 : d));
  days.sort((a, b) => a - b);
  const name = (d: number) => (l === 'zh' ? DAY_ZH[d % 7] : DAY_EN[d % 7]) ?? '';
  const parts = runs(days).map(([a, b]) => {
    if (a === b) return name(a);
    if (b === a + 1) return l === 'zh' ? `${name(a)}、${name(b)}` : `${name(a)}, ${name(b)}`;
    return l === 'zh' ? `${name(a)}至周${name(b)}` : `${name(a)}–${name(b)}`;
  });
  return l === 'zh' ? `每周${parts.join('、')}` : parts.join(', ');
}

export function describeCron(expr: string, uiLang: string): string | null {
  const l = lang(uiLang);
  const f = expr.trim().split(/\s+/);
  if (f.length !== 5) return null;
  const [min = '', hour = '', dom = '', month = '', dow = ''] = f;
  if (month !== '*') return null;

  const step = (s: string) => /^\*\/(\d+)$/.exec(s)?.[1];
  const minutes = numbers(min, 0, 59);

  // every n minutes / every hour at :mm / every n hours at :mm
  if (dom === '*' && dow === '*') {
    const minStep = step(min);
    if (minStep && hour === '*') return l === 'zh' ? `每 ${minStep} 分钟` : `Every ${minStep} minutes`;
    if (minutes?.length === 1 && hour === '*')
      return l === 'zh' ? `每小时第 ${minutes[0]} 分` : `Every hour at minute ${minutes[0]}`;
    const hourStep = step(hour);
    if (minutes?.length === 1 && hourStep)
      return l === 'zh'
        ? `每 ${hourStep} 小时（第 ${minutes[0]} 分）`
        : `Every ${hourStep} hours at minute ${minutes[0]}`;
  }

  const hours = numbers(hour, 0, 23);
  if (minutes?.length !== 1 || !hours || hours.length > 6) return null;
  const times = hours.map((h) => `${pad(h)}:${pad(minutes[0] ?? 0)}`).join(l === 'zh' ? '、' : ', ');

  if (dom === '*' && dow === '*') return l === 'zh' ? `每天 ${times}` : `Every day at ${times}`;
  if (dom === '*') {
    const days = numbers(dow, 0, 7);
    if (!days) return null;
    return l === 'zh' ? `${weekdays(days, uiLang)} ${times}` : `${weekdays(days, uiLang)} at ${times}`;
  }
  if (dow === '*') {
    const days = numbers(dom, 1, 31);
    if (!days) return null;
    return l === 'zh'
      ? `每月 ${days.join('、')} 日 ${times}`
      : `Day ${days.join(', ')} of every month at ${times}`;
  }
  return null;
}
