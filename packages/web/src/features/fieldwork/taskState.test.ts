import { describe, expect, it } from 'vitest';
import { submitBody } from './api';
import { tokenCheckpointId } from './location';
import { newDraft } from './outbox';
import { inLanguage, routeOrder, shownState } from './taskState';

const now = new Date('2026-03-02T08:30:00Z');

describe('my tasks on the phone', () => {
  it('lists tasks in walking order: occurrence, plan, position on the route', () => {
    const t = (id: number, occurrenceAt: string, planId: number, seq: number) => ({
      id,
      occurrenceAt,
      planId,
      seq,
    });
    const sorted = routeOrder([
      t(1, '2026-03-02T08:00:00Z', 2, 0),
      t(2, '2026-03-02T08:00:00Z', 1, 1),
      t(3, '2026-03-02T08:00:00Z', 1, 0),
      t(4, '2026-03-02T06:00:00Z', 9, 5),
    ]);
    expect(sorted.map((x) => x.id)).toEqual([4, 3, 2, 1]);
  });

  it('shows a task waiting in the outbox as such, and an open one past due as overdue (offline copy)', () => {
    expect(shownState({ state: 'open', dueAt: '2026-03-02T09:00:00Z' }, false, now)).toBe('open');
    expect(shownState({ state: 'open', dueAt: '2026-03-02T08:00:00Z' }, false, now)).toBe('overdue');
    expect(shownState({ state: 'open', dueAt: '2026-03-02T08:00:00Z' }, true, now)).toBe('queued');
    expect(shownState({ state: 'done', dueAt: '2026-03-02T08:00:00Z' }, false, now)).toBe('done');
  });
});

describe('what the phone sends', () => {
  it('names photos by client id, sends an offline scan for the server to verify and not an online one again', () => {
    const run = {
      ...newDraft({ id: 7, revision: 4, title: 'x' }, now, '5b0f8a4e-5b7e-4f7e-9d6c-1f2e3d4c5b6a'),
      answers: { oil: { value: 'fail', note: '漏油', photos: ['c1'] } },
      submittedAt: now.toISOString(),
    };
    const scan = {
      token: 'AEGIS-CP1.3.1.abc',
      scannedAt: now.toISOString(),
      lat: null,
      lng: null,
      accuracyM: null,
    };
    expect(submitBody({ ...run, scan: { ...scan, verified: false } })).toEqual({
      clientSubmissionId: run.id,
      baseRevision: 4,
      scan: { token: scan.token, scannedAt: scan.scannedAt, lat: null, lng: null, accuracyM: null },
      answers: { oil: { value: 'fail', note: '漏油', photos: ['c1'] } },
      comment: '',
      completedAt: now.toISOString(),
    });
    expect(submitBody({ ...run, scan: { ...scan, verified: true } }).scan).toBeNull();
  });

  it('reads the checkpoint a label names, and nothing from other codes', () => {
    expect(tokenCheckpointId('AEGIS-CP1.12.3.q1w2-e3_r4')).toBe(12);
    expect(tokenCheckpointId('https://example.com/x')).toBeNull();
    expect(tokenCheckpointId('AEGIS-CP1.x.3.abc')).toBeNull();
  });
});

describe('refusals in the reader’s language', () => {
  it('takes the reader’s half of a bilingual server message', () => {
    const m = '这是另一个巡检点（CP-A-PRS）的二维码 / This QR code belongs to checkpoint CP-A-PRS';
    expect(inLanguage(m, 'zh-CN')).toBe('这是另一个巡检点（CP-A-PRS）的二维码');
    expect(inLanguage(m, 'en-US')).toBe('This QR code belongs to checkpoint CP-A-PRS');
    expect(inLanguage('Only one language', 'en-US')).toBe('Only one language');
  });
});
