import type { ScreenLayout } from '@aegis/shared';
import { systemContext } from '../context.js';
import type { Services } from '../services.js';

const REASON = 'demo big screen seeded by aegis start --demo';
// Pressures, temperatures and gas first: what a control room watches.
const KEY_TAG = /PT|TT|PRESS|TEMP|H2S|NH3|GAS|LEL|CO/i;

/**
 * Demo: the site's control-room screen (中控室大屏) with two rotating pages (overview tiles, alarms
 * and KPIs; key process values with sparklines), a recorded last-incident day, and a kiosk token.
 * Returns the kiosk path with the token (`/kiosk#…`): shown once, in the start-up lines.
 */
export async function seedDemoScreens(s: Services): Promise<{ kioskPath: string } | null> {
  const ctx = systemContext('demo');
  if ((await s.screens.list(ctx)).length) return null;
  const site = (await s.plant.list(ctx)).find((n) => n.level === 'site');
  if (!site) return null;
  const tags = s.directory
    .all()
    .filter((t) => t.type === 'number' && t.path.startsWith(site.path))
    .sort((a, b) => Number(KEY_TAG.test(b.code)) - Number(KEY_TAG.test(a.code)) || a.id - b.id);
  const picked: number[] = [];
  const seenEquipment = new Set<string>();
  for (const t of tags) {
    if (picked.length >= 8) break;
    if (seenEquipment.has(t.equipmentCode) && tags.length > 8) continue;
    seenEquipment.add(t.equipmentCode);
    picked.push(t.id);
  }
  const layout: ScreenLayout = {
    theme: 'dark',
    pages: [
      {
        title: '总览',
        dwellSeconds: 45,
        widgets: [
          { id: 'clock', kind: 'clock', x: 0, y: 0, w: 24, h: 1, settings: {} },
          { id: 'tiles', kind: 'status_tiles', x: 0, y: 1, w: 8, h: 4, settings: {} },
          { id: 'prio', kind: 'alarms_by_priority', x: 8, y: 1, w: 8, h: 4, settings: {} },
          { id: 'safe', kind: 'safe_days', x: 16, y: 1, w: 8, h: 4, settings: {} },
          { id: 'list', kind: 'alarm_list', x: 0, y: 5, w: 10, h: 8, settings: { limit: 12 } },
          { id: 'rate', kind: 'alarm_rate', x: 10, y: 5, w: 7, h: 4, settings: {} },
          { id: 'ilk', kind: 'interlocks', x: 17, y: 5, w: 7, h: 4, settings: {} },
          { id: 'insp', kind: 'inspections', x: 10, y: 9, w: 5, h: 4, settings: {} },
          { id: 'haz', kind: 'hazards', x: 15, y: 9, w: 4, h: 4, settings: {} },
          { id: 'permits', kind: 'permits', x: 19, y: 9, w: 5, h: 4, settings: {} },
        ],
      },
      {
        title: '关键工艺参数',
        dwellSeconds: 30,
        widgets: [
          { id: 'clock', kind: 'clock', x: 0, y: 0, w: 24, h: 1, settings: {} },
          ...(picked.length
            ? [
                {
                  id: 'pv',
                  kind: 'tag_values' as const,
                  x: 0,
                  y: 1,
                  w: 16,
                  h: 12,
                  title: '关键工艺参数(近1小时)',
                  settings: { tagIds: picked, sparkline: true },
                },
              ]
            : []),
          { id: 'tiles', kind: 'status_tiles', x: 16, y: 1, w: 8, h: 5, settings: {} },
          { id: 'list', kind: 'alarm_list', x: 16, y: 6, w: 8, h: 7, settings: { limit: 8 } },
        ],
      },
    ],
  };
  const screen = await s.screens.create(ctx, { name: '中控室大屏', nodeId: site.id, layout, reason: REASON });
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: s.config.timezone }).format(
    new Date(s.clock.now().getTime() - 127 * 86_400_000),
  );
  await s.screens.recordSafeSince(ctx, {
    nodeId: site.id,
    since: today,
    reason: '上一次可记录事故：冲压车间手部划伤(轻伤)，演示数据',
  });
  const { secret } = await s.screens.createToken(ctx, screen.id, {
    name: '中控室大屏电脑',
    expiresInDays: null,
    reason: REASON,
  });
  return { kioskPath: `/kiosk#${secret}` };
}
