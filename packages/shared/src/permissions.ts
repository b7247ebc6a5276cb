/**
 * The permission catalogue. Every API route declares one of these; roles group them; a role is
 * held at a node of the plant tree (or globally) and applies to that node's subtree.
 */
export const PERMISSIONS = {
  'plant.read': { zh: '查看工厂模型', en: 'View plant model' },
  'plant.write': { zh: '维护工厂模型', en: 'Edit plant model' },
  'org.read': { zh: '查看组织', en: 'View organisation' },
  'org.write': { zh: '维护组织', en: 'Edit organisation' },
  'user.read': { zh: '查看用户', en: 'View users' },
  'user.write': { zh: '维护用户', en: 'Edit users' },
  'role.read': { zh: '查看角色', en: 'View roles' },
  'role.write': { zh: '维护角色与授权', en: 'Edit roles and grants' },
  'audit.read': { zh: '查看审计日志', en: 'View audit trail' },
  'audit.export': { zh: '导出审计日志', en: 'Export audit trail' },
  'token.manage': { zh: '管理 API 令牌', en: 'Manage API tokens' },
  'tag.read': { zh: '查看位号与实时数据', en: 'View tags and live data' },
  'tag.write': { zh: '写入设备（联锁/设定）', en: 'Write to equipment (interlocks/setpoints)' },
  'tag.manage': { zh: '维护位号与报警规则', en: 'Edit tags and alarm rules' },
  'connector.manage': { zh: '维护数据采集连接', en: 'Edit data connectors' },
  'data.ingest': { zh: '写入采集数据', en: 'Ingest data' },
  'alarm.read': { zh: '查看报警', en: 'View alarms' },
  'alarm.ack': { zh: '确认报警', en: 'Acknowledge alarms' },
  'alarm.shelve': { zh: '搁置报警', en: 'Shelve alarms' },
  'inspection.read': { zh: '查看点检', en: 'View inspections' },
  'inspection.perform': { zh: '执行点检', en: 'Perform inspections' },
  'inspection.manage': { zh: '维护点检计划', en: 'Edit inspection plans' },
  'permit.read': { zh: '查看作业票', en: 'View work permits' },
  'permit.request': { zh: '申请作业票', en: 'Request work permits' },
  'permit.approve': { zh: '审批作业票', en: 'Approve work permits' },
  'report.read': { zh: '查看报表', en: 'View reports' },
  'notify.read': { zh: '查看通知发送记录', en: 'View notification deliveries' },
  'notify.manage': { zh: '维护通知渠道与升级策略', en: 'Edit notification channels and policies' },
} as const;

export type Permission = keyof typeof PERMISSIONS;
export const PERMISSION_KEYS = Object.keys(PERMISSIONS) as Permission[];

const READ_ALL: Permission[] = PERMISSION_KEYS.filter((p) => p.endsWith('.read'));

export const BUILTIN_ROLES: Record<string, { zh: string; en: string; permissions: Permission[] }> = {
  admin: { zh: '系统管理员', en: 'Administrator', permissions: PERMISSION_KEYS },
  safety_officer: {
    zh: '安环专员',
    en: 'Safety officer',
    permissions: [
      ...READ_ALL,
      'audit.export',
      'alarm.ack',
      'alarm.shelve',
      'tag.manage',
      'inspection.manage',
      'permit.approve',
      'notify.manage',
    ],
  },
  plant_manager: {
    zh: '厂长',
    en: 'Plant manager',
    permissions: [...READ_ALL, 'plant.write', 'org.write', 'user.write', 'permit.approve', 'alarm.ack'],
  },
  workshop_lead: {
    zh: '车间主任',
    en: 'Workshop lead',
    permissions: [
      'plant.read',
      'plant.write',
      'org.read',
      'org.write',
      'user.read',
      'tag.read',
      'tag.manage',
      'alarm.read',
      'alarm.ack',
      'alarm.shelve',
      'inspection.read',
      'inspection.manage',
      'permit.read',
      'permit.approve',
      'report.read',
    ],
  },
  team_lead: {
    zh: '班组长',
    en: 'Team lead',
    permissions: [
      'plant.read',
      'org.read',
      'user.read',
      'tag.read',
      'alarm.read',
      'alarm.ack',
      'inspection.read',
      'inspection.perform',
      'permit.read',
      'permit.request',
    ],
  },
  operator: {
    zh: '操作员',
    en: 'Operator',
    permissions: [
      'plant.read',
      'tag.read',
      'alarm.read',
      'alarm.ack',
      'inspection.read',
      'inspection.perform',
      'permit.read',
      'permit.request',
    ],
  },
  inspector: {
    zh: '点检员',
    en: 'Inspector',
    permissions: ['plant.read', 'tag.read', 'alarm.read', 'inspection.read', 'inspection.perform'],
  },
  maintenance: {
    zh: '维修工',
    en: 'Maintenance',
    permissions: [
      'plant.read',
      'tag.read',
      'alarm.read',
      'alarm.ack',
      'inspection.read',
      'permit.read',
      'permit.request',
    ],
  },
  auditor: { zh: '审计员（只读）', en: 'Auditor (read-only)', permissions: [...READ_ALL, 'audit.export'] },
  integration: {
    zh: '系统集成（机器）',
    en: 'Integration (machine)',
    permissions: ['plant.read', 'tag.read', 'alarm.read', 'data.ingest'],
  },
};
