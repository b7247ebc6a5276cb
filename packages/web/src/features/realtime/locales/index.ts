import type { i18n as I18n } from 'i18next';
import enUS from './en-US.json';
import zhCN from './zh-CN.json';

/**
 * The strings of the live view, trends, alarms, tags and connectors, kept beside those features
 * and merged (deeply, so `nav.*` joins the shell's menu labels) into the app's translations.
 */
export function registerRealtimeLocales(i18n: I18n) {
  i18n.addResourceBundle('zh-CN', 'translation', zhCN, true, false);
  i18n.addResourceBundle('en-US', 'translation', enUS, true, false);
}
