// The words of an analysis: what a measure counts, and the finding in one plain sentence
// (zh-CN first, en-US), e.g. 夜班故障率是白班的 2.1 倍（95% CI 1.6–2.8，p < 0.001），差异显著.

import type {
  AnalysisDimension,
  AnalysisGroup,
  AnalysisMeasure,
  AnalysisTest,
  AnalysisWords,
} from '@aegis/shared';

export const MEASURE_WORDS: Record<
  AnalysisMeasure,
  { rate: AnalysisWords; events: AnalysisWords; definition: AnalysisWords }
> = {
  faults: {
    rate: { zh: '故障率', en: 'fault rate' },
    events: { zh: '故障', en: 'faults' },
    definition: {
      zh: '设备故障 = 高、紧急优先级报警的激活次数（已向操作员报警的）+ 联锁动作次数；按发生时间和设备计',
      en: 'Equipment faults = activations of high and critical priority alarms (annunciated to operators) + interlock commands, by time and equipment',
    },
  },
  alarms: {
    rate: { zh: '报警率', en: 'alarm rate' },
    events: { zh: '报警', en: 'alarms' },
    definition: {
      zh: '报警 = 所有向操作员报警的报警激活次数（不含搁置、抑制、停用期间的）',
      en: 'Alarms = all alarm activations annunciated to operators (none while shelved, suppressed or out of service)',
    },
  },
  hazards: {
    rate: { zh: '隐患上报率', en: 'hazard report rate' },
    events: { zh: '隐患', en: 'hazards' },
    definition: {
      zh: '隐患 = 上报的隐患数（不含不予立案的），按上报时间和隐患所在位置计',
      en: 'Hazards = hazards reported (not those rejected as no hazard), by report time and place',
    },
  },
  missed_inspections: {
    rate: { zh: '漏检率', en: 'missed-inspection rate' },
    events: { zh: '漏检', en: 'missed inspections' },
    definition: {
      zh: '漏检 = 未按时完成的点检/巡检任务（未检、超期完成、已超期），按应完成时间和检查点位置计',
      en: 'Missed inspections = inspection tasks not done in time (missed, done late, overdue), by due time and checkpoint place',
    },
  },
};

export const DIMENSION_WORDS: Record<AnalysisDimension, AnalysisWords> = {
  shift: { zh: '班次', en: 'shifts' },
  team: { zh: '班组', en: 'teams' },
  equipment: { zh: '设备', en: 'equipment' },
  weekday: { zh: '星期', en: 'weekdays' },
  month: { zh: '月份', en: 'months' },
};

const WEEKDAYS_ZH = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'];
const WEEKDAYS_EN = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
export const weekdayLabel = (n: number): AnalysisWords => ({
  zh: WEEKDAYS_ZH[n - 1]!,
  en: WEEKDAYS_EN[n - 1]!,
});
export const monthLabel = (ym: string): AnalysisWords => ({
  zh: `${ym.slice(0, 4)}年${Number(ym.slice(5, 7))}月`,
  en: ym,
});
export const NONE_LABEL: Record<'shift' | 'team', AnalysisWords> = {
  shift: { zh: '无班次时段', en: 'Outside any shift' },
  team: { zh: '未排班', en: 'Not on the roster' },
};

/** A p-value as people read it: "< 0.001", "= 0.046", "= 0.41". */
export function formatP(p: number) {
  if (p < 0.001) return '< 0.001';
  return `= ${p < 0.1 ? p.toFixed(3) : p.toFixed(2)}`;
}
/** A ratio or rate with two significant figures or one decimal. */
export function formatNumber(x: number) {
  if (x >= 100) return x.toFixed(0);
  if (x >= 1) return x.toFixed(1);
  if (x === 0) return '0';
  return x.toPrecision(2);
}

/** The finding in one sentence, from the test and its groups. */
export function findingOf(
  measure: AnalysisMeasure,
  dimension: AnalysisDimension,
  test: AnalysisTest,
  groups: readonly AnalysisGroup[],
): AnalysisWords {
  const m = MEASURE_WORDS[measure];
  const d = DIMENSION_WORDS[dimension];
  const label = (key: string) => groups.find((g) => g.key === key)!.label;
  if (test.warnings.includes('no_events'))
    return {
      zh: `所选时段内没有${m.events.zh}，无法比较`,
      en: `No ${m.events.en} in the period: nothing to compare`,
    };
  if (test.kind === 'none' || test.pValue === null)
    return {
      zh: `有暴露时间的${d.zh}不足两组，无法检验`,
      en: `Fewer than two ${d.en} with exposure: nothing to test`,
    };
  const p = formatP(test.pValue);
  if (test.kind === 'rate_ratio' && test.ratio) {
    const a = label(test.ratio.numerator);
    const b = label(test.ratio.denominator);
    const high = test.ratio.high === null ? '∞' : formatNumber(test.ratio.high);
    const ci = `95% CI ${formatNumber(test.ratio.low)}–${high}`;
    if (test.ratio.estimate === null) {
      return test.significant
        ? {
            zh: `${a.zh}${m.rate.zh}高于${b.zh}（${b.zh}期间无${m.events.zh}，比值 ${ci}，p ${p}），差异显著`,
            en: `The ${m.rate.en} of ${a.en} is higher than that of ${b.en} (none during ${b.en}; ratio ${ci}, p ${p}): a significant difference`,
          }
        : {
            zh: `${a.zh}与${b.zh}的${m.rate.zh}无显著差异（${b.zh}期间无${m.events.zh}，p ${p}）`,
            en: `No significant difference in ${m.rate.en} between ${a.en} and ${b.en} (none during ${b.en}, p ${p})`,
          };
    }
    const ratio = formatNumber(test.ratio.estimate);
    return test.significant
      ? {
          zh: `${a.zh}${m.rate.zh}是${b.zh}的 ${ratio} 倍（${ci}，p ${p}），差异显著`,
          en: `The ${m.rate.en} of ${a.en} is ${ratio} times that of ${b.en} (${ci}, p ${p}): a significant difference`,
        }
      : {
          zh: `${a.zh}与${b.zh}的${m.rate.zh}无显著差异（比值 ${ratio}，${ci}，p ${p}）`,
          en: `No significant difference in ${m.rate.en} between ${a.en} and ${b.en} (ratio ${ratio}, ${ci}, p ${p})`,
        };
  }
  const chi = test.chiSquare!;
  const stat = `χ² = ${chi.statistic.toFixed(1)}，自由度 ${chi.df}，p ${p}`;
  const statEn = `χ² = ${chi.statistic.toFixed(1)}, df ${chi.df}, p ${p}`;
  if (!test.significant)
    return {
      zh: `各${d.zh}的${m.rate.zh}无显著差异（${stat}）`,
      en: `No significant difference in ${m.rate.en} between ${d.en} (${statEn})`,
    };
  const tested = groups.filter((g) => g.tested && g.rate !== null);
  const top = tested.reduce((x, y) => (y.rate! > x.rate! ? y : x));
  const bottom = tested.reduce((x, y) => (y.rate! < x.rate! ? y : x));
  const rate = (g: AnalysisGroup) => formatNumber(g.rate!);
  return {
    zh: `各${d.zh}的${m.rate.zh}差异显著（${stat}）：最高${top.label.zh} ${rate(top)} 次/100小时，最低${bottom.label.zh} ${rate(bottom)} 次/100小时；多组比较，两两比较需校正`,
    en: `The ${m.rate.en} differs significantly between ${d.en} (${statEn}): highest ${top.label.en} ${rate(top)} per 100 h, lowest ${bottom.label.en} ${rate(bottom)} per 100 h; with many groups, pairwise comparisons need a correction`,
  };
}
