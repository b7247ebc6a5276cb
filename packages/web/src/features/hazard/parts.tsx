import {
  HAZARD_GRADE_LABELS,
  HAZARD_SOURCE_LABELS,
  HAZARD_STATE_LABELS,
  HAZARD_TREATMENT_LABELS,
  HAZARD_TYPE_LABELS,
  type HazardGrade,
  type HazardState,
} from '@aegis/shared';
import { Tag } from 'antd';
import type { TFunction } from 'i18next';
import { ApiError } from '../../app/api';
import { currentLanguage } from '../../app/i18n';
import { errorText } from '../../app/notify';

/** Words of a shared label table in the UI language. */
export function word(table: Record<string, { zh: string; en: string }>, key: string | null | undefined) {
  if (!key) return '';
  const w = table[key];
  if (!w) return key;
  return currentLanguage() === 'zh-CN' ? w.zh : w.en;
}
export const stateWord = (s: string) => word(HAZARD_STATE_LABELS, s);
export const gradeWord = (g: string | null) => word(HAZARD_GRADE_LABELS, g);
export const typeWord = (x: string | null) => word(HAZARD_TYPE_LABELS, x);
export const sourceWord = (x: string) => word(HAZARD_SOURCE_LABELS, x);
export const treatmentWord = (x: string | null) => word(HAZARD_TREATMENT_LABELS, x);

const STATE_COLOR: Record<HazardState, string> = {
  reported: 'gold',
  approval: 'purple',
  rectifying: 'blue',
  verifying: 'cyan',
  closed: 'green',
  rejected: 'default',
};
export function StateTag({ state }: { state: HazardState }) {
  return (
    <Tag color={STATE_COLOR[state]} data-testid={`hazard-state-${state}`}>
      {stateWord(state)}
    </Tag>
  );
}

/** 重大 red, 一般 orange; solid so it reads at a glance on a phone. */
export function GradeTag({ grade }: { grade: HazardGrade | null }) {
  if (!grade) return null;
  return (
    <Tag
      variant="solid"
      color={grade === 'major' ? '#cf1322' : '#fa8c16'}
      data-testid={`hazard-grade-${grade}`}
    >
      {gradeWord(grade)}
    </Tag>
  );
}

export const when = (iso: string | null | undefined) =>
  iso ? new Date(iso).toLocaleString(currentLanguage(), { dateStyle: 'short', timeStyle: 'short' }) : '';

/** A refusal in the words of this page (separation of duties said plainly), else the general text. */
export function refusalText(t: TFunction, e: unknown): string {
  if (e instanceof ApiError) {
    const own = t(`hazard.refused.${e.code}`, { defaultValue: '' });
    if (own) return own;
  }
  return errorText(t, e);
}
