import { systemContext } from '../context.js';
import { addDays, wallClock } from '../modules/org/index.js';
import type { Services } from '../services.js';

const REASON = 'demo report schedules seeded by aegis start --demo';

/**
 * Demo: report schedules e-mailed to the safety officer (the daily shift report every morning,
 * the weekly safety report on Mondays) through a report.ready policy on the demo mail sink, and a
 * few reports of the seeded history in the archive. Those are queued and generated in the
 * background, so the demo start does not wait for them.
 */
export async function seedDemoReports(s: Services): Promise<void> {
  const ctx = systemContext('demo-seed');
  const site = (await s.plant.byCode('SZ01', 'site'))[0];
  if (!site) return;
  const safety = await s.users.byUsername('safety');
  const channels = await s.notify.listChannels(ctx);
  const channelIds = channels.filter((c) => c.code === 'app' || c.code === 'demo-mail').map((c) => c.id);
  if (channelIds.length)
    await s.notify.createPolicy(ctx, {
      code: 'reports-ready',
      name: '定时报表推送 Scheduled reports',
      enabled: true,
      match: { kinds: ['report.ready'], priorities: [], nodeId: null, window: null },
      // the schedule's recipients: e-mail with the PDF, in-app with the link
      levels: [{ delayMinutes: 0, recipients: [{ type: 'assignee' }], channelIds }],
      repeat: { count: 0, intervalMinutes: 30 },
      stopOn: ['ack', 'clear', 'shelve'],
      groupSeconds: 0,
      template: null,
      reason: REASON,
    });
  const recipients = { userIds: safety ? [safety.id] : [], roleIds: [] };
  await s.reports.createSchedule(ctx, {
    name: '全厂交接班日报（每天 08:00）',
    kind: 'shift_daily',
    nodeId: site.id,
    period: 'yesterday',
    cron: '0 8 * * *',
    recipients,
    enabled: true,
    reason: REASON,
  });
  await s.reports.createSchedule(ctx, {
    name: '全厂安全周报（每周一 08:00）',
    kind: 'weekly_safety',
    nodeId: site.id,
    period: 'last_week',
    cron: '0 8 * * 1',
    recipients,
    enabled: true,
    reason: REASON,
  });
  // The archive: yesterday's shifts, the last seven days and the alarm performance of four weeks.
  const today = wallClock(s.clock.now(), s.config.timezone).day;
  const yesterday = addDays(today, -1);
  await s.reports.generate(ctx, 'shift_daily', { nodeId: site.id, from: yesterday, to: yesterday });
  await s.reports.generate(ctx, 'weekly_safety', {
    nodeId: site.id,
    from: addDays(today, -7),
    to: yesterday,
  });
  await s.reports.generate(ctx, 'monthly_alarm', {
    nodeId: site.id,
    from: addDays(today, -28),
    to: yesterday,
  });
}
