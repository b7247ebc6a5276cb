/**
 * What the trend page shows, held in the URL so a link reproduces it:
 * `?tags=3,7&range=1h`, `?tags=3&range=custom&from=…&to=…`, `?tags=3&range=15m&live=1`.
 */

export const PRESETS = ['15m', '1h', '8h', '24h', '7d'] as const;
export type Preset = (typeof PRESETS)[number];
export type RangeKey = Preset | 'custom';

export const PRESET_MS: Record<Preset, number> = {
  '15m': 15 * 60_000,
  '1h': 3600_000,
  '8h': 8 * 3600_000,
  '24h': 24 * 3600_000,
  '7d': 7 * 24 * 3600_000,
};

/** At most this many tags in one chart: more lines are unreadable. */
export const MAX_TREND_TAGS = 8;

export interface TrendSelection {
  tagIds: number[];
  range: RangeKey;
  /** Epoch ms, only for `custom`. */
  from?: number;
  to?: number;
  /** Append pushed values (only for the 15-minute view). */
  live: boolean;
}

export function parseSelection(params: URLSearchParams): TrendSelection {
  const tagIds = [
    ...new Set(
      (params.get('tags') ?? '')
        .split(',')
        .map(Number)
        .filter((n) => Number.isInteger(n) && n > 0),
    ),
  ].slice(0, MAX_TREND_TAGS);
  const raw = params.get('range');
  const from = Date.parse(params.get('from') ?? '');
  const to = Date.parse(params.get('to') ?? '');
  if (raw === 'custom' && Number.isFinite(from) && Number.isFinite(to) && from < to) {
    return { tagIds, range: 'custom', from, to, live: false };
  }
  const range: Preset = (PRESETS as readonly string[]).includes(raw ?? '') ? (raw as Preset) : '1h';
  return { tagIds, range, live: range === '15m' && params.get('live') === '1' };
}

export function selectionParams(s: TrendSelection): Record<string, string> {
  const out: Record<string, string> = { range: s.range };
  if (s.tagIds.length) out.tags = s.tagIds.join(',');
  if (s.range === 'custom' && s.from !== undefined && s.to !== undefined) {
    out.from = new Date(s.from).toISOString();
    out.to = new Date(s.to).toISOString();
  }
  if (s.live && s.range === '15m') out.live = '1';
  return out;
}
