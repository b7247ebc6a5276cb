import { ERROR_CODES } from '@aegis/shared';
import { createInstance } from 'i18next';
import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { errorText } from './errorText';
import enUS from './locales/en-US.json';
import zhCN from './locales/zh-CN.json';

async function translator(lng: 'zh-CN' | 'en-US') {
  const i18n = createInstance();
  await i18n.init({
    lng,
    resources: { 'zh-CN': { translation: zhCN }, 'en-US': { translation: enUS } },
    interpolation: { escapeValue: false },
  });
  return i18n.t;
}

describe('server errors in the user language', () => {
  it('has a Chinese and an English text for every error code the server sends', () => {
    for (const locale of [zhCN, enUS]) {
      const texts = (locale as { error: Record<string, string> }).error;
      const missing = ERROR_CODES.filter((code) => !texts[code]);
      expect(missing).toEqual([]);
    }
  });

  it('translates the code and keeps the server detail after it', async () => {
    const t = await translator('zh-CN');
    const e = new ApiError(400, 'validation_failed', 'The simulator has no equipment X');
    expect(errorText(t, e)).toBe('输入有误：The simulator has no equipment X');
    expect(errorText(t, new ApiError(403, 'cross_origin', ''))).toBe('请求来自其他网站，已拒绝');
    expect(errorText(t, new ApiError(502, 'http_502', 'Bad Gateway'))).toBe(
      '服务器返回错误 502：Bad Gateway',
    );
  });

  it('falls back to the server message for a code this UI does not know', async () => {
    const t = await translator('en-US');
    expect(errorText(t, new ApiError(418, 'teapot', 'I am a teapot'))).toBe('I am a teapot');
  });
});
