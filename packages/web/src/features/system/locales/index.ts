import type { i18n as I18n } from 'i18next';
import enUS from './en-US.json';
import zhCN from './zh-CN.json';

/** The strings of the system (server health) banners, merged deeply into the app's. */
export function registerSystemLocales(i18n: I18n) {
  i18n.addResourceBundle('zh-CN', 'translation', zhCN, true, false);
  i18n.addResourceBundle('en-US', 'translation', enUS, true, false);
}
