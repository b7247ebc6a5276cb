import { RISK_LEVEL_COLOURS, type RiskLevel } from '@aegis/shared';
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';

/** Text on a level colour: dark on yellow, white on the others. */
export const levelText = (level: RiskLevel) => (level === 'general' ? '#262626' : '#fff');

/** 红橙黄蓝: a risk level as a coloured tag. */
export function LevelTag({ level, short }: { level: RiskLevel; short?: boolean }) {
  const { t } = useTranslation();
  return (
    <Tag
      variant="solid"
      color={RISK_LEVEL_COLOURS[level]}
      style={{ color: levelText(level), background: RISK_LEVEL_COLOURS[level], marginInlineEnd: 0 }}
      data-testid={`risk-level-${level}`}
    >
      {t(short ? `risk.levelShort.${level}` : `risk.level.${level}`)}
    </Tag>
  );
}
