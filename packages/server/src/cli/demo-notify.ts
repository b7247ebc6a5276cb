import { systemContext } from '../context.js';
import { type SmtpSink, startSmtpSink } from '../modules/notify/smtp-sink.js';
import type { Services } from '../services.js';

const REASON = 'demo notification channels and escalation policy seeded by aegis start --demo';
const MAIL_CHANNEL = 'demo-mail';

/**
 * The demo's notification chain: an in-app channel, an e-mail channel to the demo's own SMTP
 * sink, and an escalation policy like a safety officer would write it, so the first simulated
 * fault rings the demo users' bells and its e-mails show in the delivery log.
 */
export async function seedDemoNotify(s: Services, siteId: number) {
  const ctx = systemContext('demo-seed');
  const n = s.notify;
  const inapp = await n.createChannel(ctx, {
    code: 'app',
    name: '站内通知 In-app',
    kind: 'inapp',
    enabled: true,
    settings: {},
    secrets: {},
    reason: REASON,
  });
  const mail = await n.createChannel(ctx, {
    code: MAIL_CHANNEL,
    name: '演示邮件（本机 SMTP 收件箱）Demo e-mail',
    kind: 'email',
    enabled: true,
    // The port is the demo sink's, set again at every start (startDemoMailSink).
    settings: {
      host: '127.0.0.1',
      port: 2525,
      security: 'none',
      username: '',
      from: 'aegis-demo@demo.aegis.local',
    },
    secrets: {},
    reason: REASON,
  });
  const roles = await s.access.listRoles(ctx);
  const roleId = (code: string) => roles.find((r) => r.code === code)!.id;
  const both = [inapp.id, mail.id];
  await n.createPolicy(ctx, {
    code: 'critical-alarms',
    name: '紧急/高优先级报警升级 Critical and high alarms',
    enabled: true,
    match: {
      kinds: ['alarm.raised', 'alarm.shelve_expired'],
      priorities: ['critical', 'high'],
      nodeId: siteId,
      window: null,
    },
    levels: [
      {
        delayMinutes: 0,
        // The team on shift in the alarm's workshop (排班), each member where they may see the alarm.
        recipients: [{ type: 'shift_team' }],
        channelIds: both,
      },
      { delayMinutes: 5, recipients: [{ type: 'shift_leader' }, { type: 'on_call' }], channelIds: both },
      {
        delayMinutes: 15,
        recipients: [{ type: 'role', roleId: roleId('safety_officer') }],
        channelIds: both,
      },
    ],
    repeat: { count: 3, intervalMinutes: 10 },
    stopOn: ['ack', 'clear', 'shelve'],
    groupSeconds: 30,
    template: null,
    reason: REASON,
  });
  await n.createPolicy(ctx, {
    code: 'plant-health',
    name: '报警泛滥、联锁未确认、采集中断、磁盘空间不足 Floods, interlocks, connectors, disk space',
    enabled: true,
    match: {
      kinds: ['alarm.flood', 'interlock.unconfirmed', 'connector.down', 'storage.disk_low'],
      priorities: [],
      nodeId: null,
      window: null,
    },
    levels: [
      {
        delayMinutes: 0,
        recipients: [
          { type: 'role', roleId: roleId('safety_officer') },
          { type: 'role', roleId: roleId('admin') },
        ],
        channelIds: both,
      },
    ],
    repeat: { count: 0, intervalMinutes: 10 },
    stopOn: ['ack', 'clear', 'shelve'],
    groupSeconds: 60,
    template: null,
    reason: REASON,
  });
  // 点检 and 隐患: reminders to whoever the task or hazard names, escalation up the line when late.
  const policy = (
    code: string,
    name: string,
    kinds: Parameters<typeof n.createPolicy>[1]['match']['kinds'],
    levels: Parameters<typeof n.createPolicy>[1]['levels'],
  ) =>
    n.createPolicy(ctx, {
      code,
      name,
      enabled: true,
      match: { kinds, priorities: [], nodeId: siteId, window: null },
      levels,
      repeat: { count: 0, intervalMinutes: 30 },
      stopOn: ['ack', 'clear', 'shelve'],
      groupSeconds: 0,
      template: null,
      reason: REASON,
    });
  await policy(
    'inspection-late',
    '点检到期提醒与超期升级 Inspection reminders and escalation',
    ['inspection.due_soon', 'inspection.overdue', 'inspection.missed'],
    [
      { delayMinutes: 0, recipients: [{ type: 'assignee' }], channelIds: [inapp.id] },
      {
        delayMinutes: 30,
        recipients: [{ type: 'shift_leader' }, { type: 'role', roleId: roleId('workshop_lead') }],
        channelIds: both,
      },
    ],
  );
  await policy(
    'hazard-flow',
    '隐患上报、指派、审批与验收 Hidden dangers: triage, assignment, approval, verification',
    ['hazard.reported', 'hazard.assigned', 'hazard.verification_needed'],
    [
      {
        delayMinutes: 0,
        recipients: [{ type: 'assignee' }, { type: 'role', roleId: roleId('safety_officer') }],
        channelIds: [inapp.id],
      },
    ],
  );
  await policy(
    'hazard-overdue',
    '隐患整改超期升级 Overdue rectification',
    ['hazard.rectification_overdue'],
    [
      {
        delayMinutes: 0,
        recipients: [{ type: 'assignee' }, { type: 'role', roleId: roleId('workshop_lead') }],
        channelIds: both,
      },
      {
        delayMinutes: 120,
        recipients: [{ type: 'role', roleId: roleId('plant_manager') }],
        channelIds: both,
      },
    ],
  );
  return { channels: 2, policies: 6 };
}

/** The demo's SMTP inbox on this machine; the demo e-mail channel is pointed at its port. */
export async function startDemoMailSink(s: Services): Promise<SmtpSink | null> {
  const ctx = systemContext('demo');
  const channel = (await s.notify.listChannels(ctx)).find((c) => c.code === MAIL_CHANNEL);
  if (!channel) return null;
  const sink = await startSmtpSink({ keep: 200 });
  if (channel.settings.port !== sink.port)
    await s.notify.updateChannel(ctx, channel.id, {
      settings: { ...channel.settings, port: sink.port },
      reason: 'the demo SMTP inbox listens on a new port at this start',
    });
  return sink;
}
