import type { Locale } from '@aegis/shared';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import i18n from 'i18next';
import { initReactI18next, useTranslation } from 'react-i18next';
import { registerAnalysisLocales } from '../features/analysis/locales';
import { registerEmergencyLocales } from '../features/emergency/locales';
import { registerFieldworkLocales } from '../features/fieldwork/locales';
import { registerHazardLocales } from '../features/hazard/locales';
import { registerInspectionLocales } from '../features/inspection/locales';
import { registerKpiLocales } from '../features/kpi/locales';
import { registerNotifyLocales } from '../features/notify/locales';
import { registerOrgLocales } from '../features/org/locales';
import { registerPermitLocales } from '../features/permit/locales';
import { registerRealtimeLocales } from '../features/realtime/locales';
import { registerReportLocales } from '../features/report/locales';
import { registerRiskLocales } from '../features/risk/locales';
import { registerScreenLocales } from '../features/screen/locales';
import { registerSignatureLocales } from '../features/signature/locales';
import { registerSopLocales } from '../features/sop/locales';
import { registerSystemLocales } from '../features/system/locales';
import { registerTrainingLocales } from '../features/training/locales';
import enUS from './locales/en-US.json';
import zhCN from './locales/zh-CN.json';

const STORAGE_KEY = 'aegis.lang';
export const DEFAULT_LANGUAGE: Locale = 'zh-CN';

function rememberedLanguage(): Locale {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en-US' ? 'en-US' : DEFAULT_LANGUAGE;
  } catch {
    return DEFAULT_LANGUAGE;
  }
}

function applyToPage(lng: Locale) {
  document.documentElement.lang = lng;
  dayjs.locale(lng === 'zh-CN' ? 'zh-cn' : 'en');
}

const initial = rememberedLanguage();
void i18n.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zhCN }, 'en-US': { translation: enUS } },
  lng: initial,
  fallbackLng: DEFAULT_LANGUAGE,
  supportedLngs: ['zh-CN', 'en-US'],
  interpolation: { escapeValue: false },
  initAsync: false,
});
registerRealtimeLocales(i18n);
registerOrgLocales(i18n);
registerNotifyLocales(i18n);
registerRiskLocales(i18n);
registerInspectionLocales(i18n);
registerHazardLocales(i18n);
registerFieldworkLocales(i18n);
registerPermitLocales(i18n);
registerSignatureLocales(i18n);
registerEmergencyLocales(i18n);
registerSopLocales(i18n);
registerAnalysisLocales(i18n);
registerKpiLocales(i18n);
registerReportLocales(i18n);
registerScreenLocales(i18n);
registerTrainingLocales(i18n);
registerSystemLocales(i18n);
applyToPage(initial);

export function setLanguage(lng: Locale) {
  try {
    localStorage.setItem(STORAGE_KEY, lng);
  } catch {
    // private mode: the choice lasts for this page only
  }
  applyToPage(lng);
  void i18n.changeLanguage(lng);
}

export function currentLanguage(): Locale {
  return i18n.language === 'en-US' ? 'en-US' : 'zh-CN';
}

/** Picks the Chinese or English name of a record (plant node, role, permission) by the UI language. */
export function useLocalName() {
  const { i18n: inst } = useTranslation();
  const en = inst.language === 'en-US';
  return (r: { nameZh: string; nameEn: string }) => (en ? r.nameEn || r.nameZh : r.nameZh || r.nameEn);
}

export { i18n };
