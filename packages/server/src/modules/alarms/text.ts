import type { AlarmRule, AlarmText } from '@aegis/shared';
import type { Directory } from '../tags/index.js';
import { resolveTagRef } from './evaluation.js';

/**
 * The parts of an alarm's text (names, unit, limit, comparison) for one condition of a rule, from
 * the rule and the tag directory; `renderAlarmText` (shared) turns them into words per language.
 * The comparison is the engine's: a high limit is active above the setpoint (>), a low one below (<).
 */
export function alarmTextOf(
  rule: AlarmRule,
  tagId: number,
  condition: string,
  directory: Directory,
): AlarmText {
  const tag = directory.get(tagId);
  const text: AlarmText = {
    kind: rule.type,
    condition,
    equipment: tag ? { zh: tag.equipmentNameZh, en: tag.equipmentNameEn } : null,
    tag: tag ? { zh: tag.nameZh, en: tag.nameEn } : null,
    unit: tag?.unit || null,
    custom: rule.message ?? null,
  };
  switch (rule.type) {
    case 'limit': {
      const setting = rule.levels[condition as 'HH' | 'H' | 'L' | 'LL'];
      text.limit = setting?.setpoint ?? null;
      text.comparison = condition.startsWith('H') ? '>' : '<';
      break;
    }
    case 'rate_of_change':
      text.limit = rule.limit;
      text.per = rule.per;
      break;
    case 'deviation': {
      text.limit = rule.limit;
      const id = resolveTagRef(directory, rule.setpointTag);
      const sp = id === null ? undefined : directory.get(id);
      text.setpoint = sp ? { zh: sp.nameZh, en: sp.nameEn } : { zh: rule.setpointTag, en: rule.setpointTag };
      break;
    }
    case 'stale':
      text.timeoutS = rule.timeoutMs / 1000;
      break;
    case 'comm_loss':
      text.connector = rule.connector;
      break;
    case 'ewma':
      text.limit = rule.L;
      break;
    default:
      break;
  }
  return text;
}
