import type { ItemResult, TemplateItem } from '@aegis/shared';

// Checks one answer against its checklist item (pure): is it complete, is it abnormal, and why —
// in words for people ("出口压力 1.9 MPa 高于上限 1.6 MPa").

export interface AnswerIn {
  value: string | number | boolean | null;
  note: string;
  photoIds: number[];
}

export interface Evaluated {
  /** what the item needs and did not get (the submission is refused) */
  error: string | null;
  result: Omit<ItemResult, 'live' | 'hazardId' | 'hazardCode'>;
}

const fmt = (n: number) => String(Number.isInteger(n) ? n : Number(n.toFixed(6)));

function blank(v: AnswerIn['value']) {
  return v === null || (typeof v === 'string' && v.trim() === '');
}

export function evaluate(item: TemplateItem, a: AnswerIn | undefined): Evaluated {
  const answer: AnswerIn = a ?? { value: null, note: '', photoIds: [] };
  const base = { key: item.key, note: answer.note, photoIds: answer.photoIds };
  const ok = (
    value: ItemResult['value'],
    abnormal = false,
    abnormalReason: string | null = null,
  ): Evaluated => ({
    error: null,
    result: { ...base, value, abnormal, abnormalReason },
  });
  const fail = (error: string): Evaluated => ({
    error,
    result: { ...base, value: answer.value, abnormal: false, abnormalReason: null },
  });
  const missing = blank(answer.value);

  switch (item.kind) {
    case 'pass_fail': {
      if (missing) return item.required ? fail(`「${item.label}」需要选择正常或异常`) : ok(null);
      const v = answer.value;
      const passed = v === true || v === 'pass' ? true : v === false || v === 'fail' ? false : null;
      if (passed === null) return fail(`「${item.label}」的答案应为 pass 或 fail`);
      return passed ? ok('pass') : ok('fail', true, `${item.label}：异常`);
    }
    case 'numeric': {
      if (missing) return item.required ? fail(`「${item.label}」需要填写读数`) : ok(null);
      const n = typeof answer.value === 'number' ? answer.value : Number(String(answer.value).trim());
      if (typeof answer.value === 'boolean' || !Number.isFinite(n))
        return fail(`「${item.label}」的读数不是数字`);
      const u = item.unit ? ` ${item.unit}` : '';
      if (item.highHigh !== null && n > item.highHigh)
        return ok(n, true, `${item.label} ${fmt(n)}${u} 高于高高限 ${fmt(item.highHigh)}${u}`);
      if (item.lowLow !== null && n < item.lowLow)
        return ok(n, true, `${item.label} ${fmt(n)}${u} 低于低低限 ${fmt(item.lowLow)}${u}`);
      if (item.high !== null && n > item.high)
        return ok(n, true, `${item.label} ${fmt(n)}${u} 高于上限 ${fmt(item.high)}${u}`);
      if (item.low !== null && n < item.low)
        return ok(n, true, `${item.label} ${fmt(n)}${u} 低于下限 ${fmt(item.low)}${u}`);
      return ok(n);
    }
    case 'choice': {
      if (missing) return item.required ? fail(`「${item.label}」需要选择一项`) : ok(null);
      const v = String(answer.value);
      if (!item.options.includes(v)) return fail(`「${item.label}」没有选项「${v}」`);
      return item.abnormal.includes(v) ? ok(v, true, `${item.label}：${v}`) : ok(v);
    }
    case 'text':
      if (missing) return item.required ? fail(`「${item.label}」需要填写`) : ok(null);
      return ok(String(answer.value));
    case 'signature':
      // a typed name; the server keeps who was signed in and when
      if (missing) return item.required ? fail(`「${item.label}」需要签名（输入姓名）`) : ok(null);
      return ok(String(answer.value).trim());
    case 'photo':
      if (answer.photoIds.length < item.minPhotos && (item.required || answer.photoIds.length > 0))
        return fail(`「${item.label}」需要至少 ${item.minPhotos} 张照片`);
      return ok(null);
  }
}
