import { describe, expect, it } from 'vitest';
import { historySteps, taskTimeline } from './timeline';

const base = {
  occurrenceAt: '2026-03-02T08:00:00Z',
  opensAt: '2026-03-02T08:00:00Z',
  dueAt: '2026-03-02T10:00:00Z',
  missedAt: '2026-03-02T11:00:00Z',
  startedAt: null,
  doneAt: null,
  doneByName: null,
  state: 'open' as const,
  scan: null,
  flags: [],
};

describe('a task history', () => {
  it('shows an open task as generated, opened and due later', () => {
    const steps = taskTimeline(base, new Date('2026-03-02T09:00:00Z'));
    expect(steps.map((s) => s.kind)).toEqual(['generated', 'opened', 'due']);
    expect(steps[2]?.future).toBe(true);
  });

  it('lists a done task in the order things happened, with who scanned and who submitted', () => {
    const steps = taskTimeline(
      {
        ...base,
        state: 'done',
        startedAt: '2026-03-02T08:20:00Z',
        scan: { at: '2026-03-02T08:21:00Z', by: 7, distanceM: 3, lat: null, lng: null },
        flags: [
          {
            code: 'live_mismatch',
            itemKey: 'p',
            message: '读数与实时值相差 0.35 MPa',
            details: null,
            at: '2026-03-02T08:30:00Z',
          },
        ],
        doneAt: '2026-03-02T08:30:00Z',
        doneByName: '王巡检',
      },
      new Date('2026-03-02T12:00:00Z'),
      [
        {
          at: '2026-03-02T08:10:00Z',
          action: 'inspection_task.reassign',
          actorDisplayName: '李主任',
          actorName: 'li',
          reason: '张三请假',
        },
        {
          at: '2026-03-02T08:30:00Z',
          action: 'inspection_task.submit',
          actorDisplayName: '王巡检',
          actorName: 'wang',
          reason: null,
        },
      ],
      { user: (id) => (id === 7 ? '王巡检' : null) },
    );
    expect(steps.map((s) => s.kind)).toEqual([
      'generated',
      'opened',
      'audit',
      'started',
      'scanned',
      'flag',
      'done',
    ]);
    // the reassignment comes from the audit trail; the submission there is already the "done" step
    expect(steps[2]).toMatchObject({ who: '李主任', text: '张三请假', action: 'inspection_task.reassign' });
    expect(steps[4]?.who).toBe('王巡检');
    expect(steps[5]).toMatchObject({ bad: true, text: '读数与实时值相差 0.35 MPa' });
    expect(steps[6]).toMatchObject({ kind: 'done', who: '王巡检' });
  });

  it('ends a missed task with "missed" at its missed time, and a cancelled one without a due step', () => {
    const missed = taskTimeline({ ...base, state: 'missed' }, new Date('2026-03-02T12:00:00Z'));
    expect(missed.at(-1)).toMatchObject({ kind: 'missed', at: '2026-03-02T11:00:00Z', bad: true });
    const cancelled = taskTimeline({ ...base, state: 'cancelled' }, new Date('2026-03-02T12:00:00Z'));
    expect(cancelled.map((s) => s.kind)).toEqual(['generated', 'opened']);
  });

  it('does not show "opened" before the window opens', () => {
    const steps = taskTimeline(
      { ...base, opensAt: '2026-03-02T07:45:00Z' },
      new Date('2026-03-02T07:00:00Z'),
    );
    expect(steps.map((s) => s.kind)).toEqual(['generated', 'due']);
  });
});

describe('the workflow history in the timeline', () => {
  it('adds reassignments with who and why from the history, without repeating steps the fields show', () => {
    const steps = historySteps([
      {
        id: 1,
        action: 'create',
        fromState: null,
        toState: 'planned',
        actor: { id: null, name: 'scheduler' },
        at: '2026-03-02T00:00:00Z',
        reason: null,
        data: {},
      },
      {
        id: 2,
        action: 'reassign',
        fromState: 'open',
        toState: 'open',
        actor: { id: 3, name: '王安全' },
        at: '2026-03-02T01:00:00Z',
        reason: '原点检员请假',
        data: {},
      },
    ]);
    expect(steps.map((s) => s.action)).toEqual(['inspection_task.create', 'inspection_task.reassign']);
    const shown = taskTimeline(
      {
        occurrenceAt: '2026-03-02T00:00:00Z',
        opensAt: '2026-03-02T00:00:00Z',
        dueAt: '2026-03-02T04:00:00Z',
        missedAt: '2026-03-02T05:00:00Z',
        startedAt: null,
        doneAt: null,
        doneByName: null,
        state: 'open',
        scan: null,
        flags: [],
      },
      new Date('2026-03-02T02:00:00Z'),
      steps,
    ).filter((s) => s.kind === 'audit');
    expect(shown).toEqual([
      expect.objectContaining({ action: 'inspection_task.reassign', who: '王安全', text: '原点检员请假' }),
    ]);
  });
});
