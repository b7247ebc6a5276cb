import type { PlantNode } from '@aegis/shared';
import { systemContext } from '../context.js';
import { addDays, wallClock } from '../modules/org/index.js';
import type { Services } from '../services.js';
import { DEMO_PLANT } from './demo-plant.js';

export const DEMO_PASSWORD = 'Aegis-Demo-2026';

/**
 * Seeds a realistic demo plant into an empty plant model: one site, three workshops with lines
 * and ~30 equipment items, the organisation, and a user for every built-in role.
 */
export async function seedDemo(s: Services, opts: { onProgress?: (msg: string) => void } = {}) {
  const ctx = systemContext('demo-seed');
  const reason = 'demo plant seeded by aegis start --demo';
  if ((await s.plant.list(ctx)).length > 0) return null;
  const progress = opts.onProgress ?? (() => {});

  const node = (
    parentId: number | null,
    level: PlantNode['level'],
    code: string,
    nameZh: string,
    nameEn: string,
  ) =>
    s.plant.create(ctx, {
      parentId,
      level,
      code,
      nameZh,
      nameEn,
      status: 'in_service',
      description: '',
      reason,
    });

  progress('demo: plant model');
  const ent = await node(
    null,
    'enterprise',
    DEMO_PLANT.enterprise.code,
    DEMO_PLANT.enterprise.nameZh,
    DEMO_PLANT.enterprise.nameEn,
  );
  const site = await node(
    ent.id,
    'site',
    DEMO_PLANT.site.code,
    DEMO_PLANT.site.nameZh,
    DEMO_PLANT.site.nameEn,
  );
  const areas: Record<string, PlantNode> = {};
  let equipment = 0;
  for (const w of DEMO_PLANT.workshops) {
    const area = await node(site.id, 'area', w.code, w.nameZh, w.nameEn);
    areas[w.code] = area;
    for (const l of w.lines) {
      const line = await node(area.id, 'line', l.code, l.nameZh, l.nameEn);
      for (const e of l.equipment) {
        await node(line.id, 'equipment', e.code, e.nameZh, e.nameEn);
        equipment++;
      }
    }
  }

  progress('demo: organisation');
  const posts: Record<string, number> = {};
  for (const p of DEMO_PLANT.posts)
    posts[p.code] = (await s.org.createPost(ctx, { ...p, description: '' })).id;
  for (const sh of DEMO_PLANT.shifts) await s.org.createShift(ctx, sh);
  const safetyDept = await s.org.createDepartment(ctx, {
    code: 'HSE',
    name: '安环部 HSE',
    nodeId: site.id,
    parentId: null,
  });
  const prodDept = await s.org.createDepartment(ctx, {
    code: 'PROD',
    name: '生产部 Production',
    nodeId: site.id,
    parentId: null,
  });
  const teams: Record<string, number> = {};
  for (const w of DEMO_PLANT.workshops) {
    for (const t of w.teams) {
      teams[t.code] = (
        await s.org.createTeam(ctx, {
          code: t.code,
          name: t.name,
          nodeId: areas[w.code]!.id,
          departmentId: prodDept.id,
          leaderId: null,
        })
      ).id;
    }
  }

  progress('demo: users');
  const users: string[] = [];
  const userIds: Record<string, number> = {};
  for (const u of DEMO_PLANT.users) {
    const area = u.workshop ? areas[u.workshop]! : null;
    const created = await s.users.create(
      ctx,
      {
        username: u.username,
        displayName: u.name,
        password: DEMO_PASSWORD,
        employeeNo: u.employeeNo,
        phone: u.phone,
        email: `${u.username}@demo.aegis.local`,
        postId: posts[u.post] ?? null,
        teamId: u.team ? (teams[u.team] ?? null) : null,
        departmentId: u.role === 'safety_officer' ? safetyDept.id : prodDept.id,
        homeNodeId: area?.id ?? site.id,
        kind: u.role === 'integration' ? 'machine' : 'person',
        locale: 'zh-CN',
      },
      { mustChange: false },
    );
    await s.db.transaction(async (tx) => {
      const scope = u.scope === 'site' ? site.id : u.scope === 'workshop' ? (area?.id ?? site.id) : null;
      await s.access.grantDirect(tx, created.id, u.role, scope);
      await s.audit.append(tx, ctx, {
        action: 'role.grant',
        targetType: 'user',
        targetId: created.id,
        nodeId: scope,
        reason,
        after: { role: u.role, nodeId: scope },
      });
    });
    users.push(u.username);
    userIds[u.username] = created.id;
  }

  // 排班: team leaders, and a roster from a week ago for 60 days, so "who is on call" answers at first start.
  progress('demo: roster');
  const leaders: Record<string, string> = {
    'STAMP-A': 'stamp.team',
    'STAMP-B': 'stamp.lead',
    'CHEM-A': 'chem.lead',
    'GAS-A': 'inspector',
  };
  for (const [team, username] of Object.entries(leaders))
    if (teams[team] && userIds[username])
      await s.org.updateTeam(ctx, teams[team], { leaderId: userIds[username] });
  const shiftIds = (await s.org.listShifts()).map((sh) => sh.id);
  const from = addDays(wallClock(s.clock.now(), s.config.timezone).day, -7);
  for (const w of DEMO_PLANT.workshops) {
    const [a, b = a] = w.teams.map((t) => teams[t.code]!);
    if (a === undefined) continue;
    // two teams take turns day by day; a workshop with one team covers every shift
    await s.org.rotateRoster(ctx, {
      pattern: 'cycle',
      nodeId: areas[w.code]!.id,
      from,
      days: 60,
      shiftIds,
      cycle: [shiftIds.map((_, k) => (k % 2 === 0 ? a : b)), shiftIds.map((_, k) => (k % 2 === 0 ? b : a))],
      onCall: 'leader',
      reason,
    });
  }
  return { equipment, users, password: DEMO_PASSWORD, siteId: site.id };
}
