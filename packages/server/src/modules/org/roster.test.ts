import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Client,
  createTestUser,
  seedTwoWorkshops,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';

/** 排班 shift roster and "who is on duty", as workshop leads and as the notification module sees it. */
let app: TestApp;
let admin: Client;
let leadA: Client;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;
let day: { id: number };
let night: { id: number };
/** Four teams of workshop A, each with a leader and two operators. */
const teams: { id: number; leaderId: number; memberIds: number[] }[] = [];
let teamB: { id: number };
let leaderB: { id: number };

const reason = 'roster for March';

async function person(username: string, homeNodeId: number, teamId: number | null = null) {
  const u = await createTestUser(app, { username });
  const res = await admin.patch(`/api/users/${u.id}`, { homeNodeId, teamId });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return u;
}

beforeAll(async () => {
  app = await startTestApp(); // plant time zone: Asia/Shanghai (UTC+8)
  p = await seedTwoWorkshops(app);
  admin = await app.as('admin');
  leadA = await app.as('lead.a');
  day = (
    await admin.post('/api/org/shifts', { code: 'D', name: '白班', startTime: '08:00', endTime: '20:00' })
  ).body;
  night = (
    await admin.post('/api/org/shifts', { code: 'N', name: '夜班', startTime: '20:00', endTime: '08:00' })
  ).body;
  for (const n of [1, 2, 3, 4]) {
    const leader = await person(`a${n}.lead`, p.a.area.id);
    const team = await admin.post('/api/org/teams', {
      code: `A-${n}`,
      name: `${'甲乙丙丁'[n - 1]}班`,
      nodeId: p.a.area.id,
      leaderId: leader.id,
    });
    expect(team.status).toBe(201);
    await admin.patch(`/api/users/${leader.id}`, { teamId: team.body.id });
    const m1 = await person(`a${n}.op1`, p.a.area.id, team.body.id);
    const m2 = await person(`a${n}.op2`, p.a.area.id, team.body.id);
    teams.push({ id: team.body.id, leaderId: leader.id, memberIds: [leader.id, m1.id, m2.id] });
  }
  leaderB = await person('b1.lead', p.b.area.id);
  teamB = (await admin.post('/api/org/teams', { code: 'B-1', name: 'B 甲班', nodeId: p.b.area.id })).body;
});
afterAll(() => app.close());

const rotate = (client: Client, body: Record<string, unknown>) =>
  client.post('/api/org/roster/rotate', {
    pattern: 'rotate',
    nodeId: p.a.area.id,
    from: '2026-03-01',
    days: 28,
    shiftIds: [day.id, night.id],
    teamIds: teams.map((t) => t.id),
    reason,
    ...body,
  });

describe('roster', () => {
  it('lets a workshop lead generate a rotation and read it back per day and shift', async () => {
    const res = await rotate(leadA, {});
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ nodeId: p.a.area.id, from: '2026-03-01', to: '2026-03-28', written: 56 });

    const read = await leadA.get(`/api/org/roster?nodeId=${p.a.area.id}&from=2026-03-01&to=2026-03-02`);
    expect(read.status).toBe(200);
    // 白-夜-休-休: team 1 works the day shift on day 1 and the night shift on day 2
    expect(
      read.body.entries.map(
        (e: { day: string; shiftId: number; teamName: string; onCallUserId: number }) =>
          `${e.day} ${e.shiftId === day.id ? 'D' : 'N'} ${e.teamName} ${e.onCallUserId}`,
      ),
    ).toEqual([
      `2026-03-01 D 甲班 ${teams[0]!.leaderId}`,
      `2026-03-01 N 乙班 ${teams[1]!.leaderId}`,
      `2026-03-02 D 丁班 ${teams[3]!.leaderId}`,
      `2026-03-02 N 甲班 ${teams[0]!.leaderId}`,
    ]);

    // the change is audited with its reason, on the workshop
    const audit = await admin.get('/api/audit?action=org.roster.rotate&limit=5');
    expect(audit.body.items[0]).toMatchObject({ reason, nodeId: p.a.area.id, actorName: 'lead.a' });
  });

  it('replaces the days it generates as a whole, and leaves other days alone', async () => {
    await rotate(leadA, { from: '2026-04-01', days: 3 });
    const res = await rotate(leadA, {
      from: '2026-04-02',
      days: 1,
      pattern: 'cycle',
      teamIds: undefined,
      cycle: [[teams[2]!.id, null]],
      onCall: 'none',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const read = await leadA.get(`/api/org/roster?nodeId=${p.a.area.id}&from=2026-04-01&to=2026-04-03`);
    expect(read.body.entries.map((e: { day: string; teamName: string }) => `${e.day} ${e.teamName}`)).toEqual(
      [
        '2026-04-01 甲班',
        '2026-04-01 乙班',
        '2026-04-02 丙班', // the night shift of that day is now empty, and nobody is on call
        '2026-04-03 丙班',
        '2026-04-03 丁班',
      ],
    );
    expect(read.body.entries[2].onCallUserId).toBeNull();
  });

  it('sets and clears single slots with an on-call person', async () => {
    const set = await leadA.request('PUT', '/api/org/roster', {
      nodeId: p.a.area.id,
      entries: [
        { day: '2026-03-05', shiftId: day.id, teamId: teams[1]!.id, onCallUserId: teams[1]!.memberIds[1] },
        { day: '2026-03-05', shiftId: night.id, teamId: null },
      ],
      reason: 'swap for training day',
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toEqual({ set: 1, cleared: 1 });
    const read = await leadA.get(`/api/org/roster?nodeId=${p.a.area.id}&from=2026-03-05&to=2026-03-05`);
    expect(read.body.entries).toEqual([
      expect.objectContaining({
        shiftId: day.id,
        teamName: '乙班',
        onCallUserId: teams[1]!.memberIds[1],
        onCallName: 'a2.op1',
      }),
    ]);
  });

  it('refuses changes without a reason, with unknown shifts or impossible dates', async () => {
    const noReason = await leadA.request('PUT', '/api/org/roster', {
      nodeId: p.a.area.id,
      entries: [{ day: '2026-03-05', shiftId: day.id, teamId: teams[0]!.id }],
    });
    expect(noReason.status).toBe(400);
    const badDate = await leadA.request('PUT', '/api/org/roster', {
      nodeId: p.a.area.id,
      entries: [{ day: '2026-02-30', shiftId: day.id, teamId: teams[0]!.id }],
      reason,
    });
    expect(badDate.status).toBe(400);
    const unknownShift = await leadA.request('PUT', '/api/org/roster', {
      nodeId: p.a.area.id,
      entries: [{ day: '2026-03-05', shiftId: 999_999, teamId: teams[0]!.id }],
      reason,
    });
    expect(unknownShift.status).toBe(400);
    expect(unknownShift.body.error.details).toEqual([expect.objectContaining({ path: 'shiftId' })]);
    const tooFewTeams = await rotate(leadA, { teamIds: [teams[0]!.id] });
    expect(tooFewTeams.status).toBe(400);
  });
});

describe('roster scope', () => {
  it("keeps a workshop lead out of another workshop's roster, its teams and its people", async () => {
    const before = (await leadA.get(`/api/org/roster?nodeId=${p.a.area.id}&from=2026-03-01&to=2026-03-28`))
      .body;

    // writing workshop B's roster
    expect(
      (await rotate(leadA, { nodeId: p.b.area.id, shiftIds: [day.id], teamIds: [teamB.id] })).status,
    ).toBe(404);
    // reading it
    expect(
      (await leadA.get(`/api/org/roster?nodeId=${p.b.area.id}&from=2026-03-01&to=2026-03-02`)).status,
    ).toBe(404);
    expect((await leadA.get(`/api/org/on-duty?nodeId=${p.b.area.id}`)).status).toBe(404);
    // putting B's team on A's roster
    const foreignTeam = await rotate(leadA, { teamIds: [...teams.map((t) => t.id).slice(0, 3), teamB.id] });
    expect(foreignTeam.status).toBe(404);
    // putting a person of workshop B on call in A
    const foreignPerson = await leadA.request('PUT', '/api/org/roster', {
      nodeId: p.a.area.id,
      entries: [{ day: '2026-03-06', shiftId: day.id, teamId: teams[0]!.id, onCallUserId: leaderB.id }],
      reason,
    });
    expect(foreignPerson.status).toBe(404);
    // nothing of A's roster changed by the refused requests (all or nothing)
    const after = (await leadA.get(`/api/org/roster?nodeId=${p.a.area.id}&from=2026-03-01&to=2026-03-28`))
      .body;
    expect(after).toEqual(before);

    // an administrator may not put B's team on A's roster either: it works in another workshop
    const wrongWorkshop = await rotate(admin, { teamIds: [...teams.map((t) => t.id).slice(0, 3), teamB.id] });
    expect(wrongWorkshop.status).toBe(400);
    expect(wrongWorkshop.body.error.message).toContain('another workshop');
  });

  it('lets a read-only auditor read the roster and who is on duty, but not change them', async () => {
    await createTestUser(app, { username: 'auditor.roster', role: 'auditor' });
    const auditor = await app.as('auditor.roster');
    expect((await rotate(auditor, {})).status).toBe(403);
    expect(
      (await auditor.get(`/api/org/roster?nodeId=${p.a.area.id}&from=2026-03-01&to=2026-03-02`)).status,
    ).toBe(200);
    expect((await auditor.get(`/api/org/on-duty?nodeId=${p.a.press.id}`)).status).toBe(200);
  });
});

describe('on duty', () => {
  const onDutyAt = (iso: string, nodeId = p.a.press.id) =>
    app.aegis.services.org.onDutyAt((p.a.press.id === nodeId ? p.a.press : p.b.press).path, new Date(iso));

  it('resolves a node below the workshop to its roster, across the shift change at midnight', async () => {
    // 19:59 in Shanghai on 2 March: the day shift of 2 March (丁班); at 20:00 the night shift (甲班)
    const evening = await onDutyAt('2026-03-02T11:59:00Z');
    expect(evening).toMatchObject({
      day: '2026-03-02',
      shiftId: day.id,
      teamId: teams[3]!.id,
      shiftName: '白班',
    });
    const nightStart = await onDutyAt('2026-03-02T12:00:00Z');
    expect(nightStart).toMatchObject({ day: '2026-03-02', shiftId: night.id, teamId: teams[0]!.id });
    // 02:00 on 3 March is still the night shift of 2 March
    const afterMidnight = await onDutyAt('2026-03-02T18:00:00Z');
    expect(afterMidnight).toMatchObject({
      day: '2026-03-02',
      shiftId: night.id,
      nodeId: p.a.area.id,
      teamId: teams[0]!.id,
      teamName: '甲班',
      leaderId: teams[0]!.leaderId,
      onCallUserId: teams[0]!.leaderId,
    });
    expect(afterMidnight!.memberIds.sort()).toEqual([...teams[0]!.memberIds].sort());
    // 08:00 on 3 March: the day shift of 3 March (丙班)
    expect(await onDutyAt('2026-03-03T00:00:00Z')).toMatchObject({ day: '2026-03-03', teamId: teams[2]!.id });
  });

  it('answers nothing where no roster holds the shift', async () => {
    expect(await onDutyAt('2026-03-02T18:00:00Z', p.b.press.id)).toBeNull();
    expect(await onDutyAt('2027-01-01T02:00:00Z')).toBeNull();
  });

  it('lets the deepest roster node on the path win', async () => {
    await leadA.request('PUT', '/api/org/roster', {
      nodeId: p.a.line.id,
      entries: [{ day: '2026-03-02', shiftId: night.id, teamId: teams[1]!.id }],
      reason: 'line 1 has its own night crew',
    });
    expect(await onDutyAt('2026-03-02T18:00:00Z')).toMatchObject({
      nodeId: p.a.line.id,
      teamId: teams[1]!.id,
    });
    // the workshop itself still answers from its own roster
    const workshop = await app.aegis.services.org.onDutyAt(p.a.area.path, new Date('2026-03-02T18:00:00Z'));
    expect(workshop).toMatchObject({ nodeId: p.a.area.id, teamId: teams[0]!.id });
  });

  it('leaves out people who no longer work here', async () => {
    const [leader, op1, op2] = teams[2]!.memberIds;
    await admin.patch(`/api/users/${op1}`, { active: false });
    await admin.patch(`/api/users/${leader}`, { active: false });
    const found = await onDutyAt('2026-03-03T00:00:00Z');
    expect(found!.memberIds).toEqual([op2]);
    expect(found!.leaderId).toBeNull();
    expect(found!.onCallUserId).toBeNull();
    await admin.patch(`/api/users/${op1}`, { active: true });
    await admin.patch(`/api/users/${leader}`, { active: true });
  });

  it("shows who is on duty now by the app's clock, with names and phone numbers", async () => {
    await admin.patch(`/api/users/${teams[0]!.leaderId}`, { phone: '13800000001' });
    app.clock.set(new Date('2026-03-02T15:59:00Z')); // 23:59 in Shanghai
    leadA = await app.as('lead.a'); // the morning's session has expired by now
    admin = await app.as('admin');
    const before = await leadA.get(`/api/org/on-duty?nodeId=${p.a.area.id}`);
    expect(before.status).toBe(200);
    app.clock.advance(2 * 60_000); // 00:01 on 3 March
    const after = await leadA.get(`/api/org/on-duty?nodeId=${p.a.area.id}`);
    for (const res of [before, after]) {
      expect(res.body.onDuty).toMatchObject({
        day: '2026-03-02',
        shiftName: '夜班',
        teamName: '甲班',
        startsAt: '2026-03-02T12:00:00.000Z',
        endsAt: '2026-03-03T00:00:00.000Z',
        onCall: { id: teams[0]!.leaderId, displayName: 'a1.lead', phone: '13800000001' },
      });
    }
    expect(after.body.onDuty.members.map((m: { displayName: string }) => m.displayName)).toEqual([
      'a1.lead',
      'a1.op1',
      'a1.op2',
    ]);
    // at 08:00 the day shift takes over
    const morning = await leadA.get(`/api/org/on-duty?nodeId=${p.a.area.id}&at=2026-03-03T08:00:00%2B08:00`);
    expect(morning.body.onDuty).toMatchObject({ day: '2026-03-03', shiftName: '白班', teamName: '丙班' });
    const none = await leadA.get(`/api/org/on-duty?nodeId=${p.a.area.id}&at=2027-01-01T00:00:00Z`);
    expect(none.body).toEqual({ at: '2027-01-01T00:00:00.000Z', onDuty: null });
  });

  it('refuses to delete a shift or team a roster still names', async () => {
    expect((await admin.del(`/api/org/shifts/${night.id}`)).status).toBe(409);
    expect((await admin.del(`/api/org/teams/${teams[0]!.id}`)).status).toBe(409);
  });
});
