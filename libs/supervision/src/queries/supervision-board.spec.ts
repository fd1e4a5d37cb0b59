import type { SupervisionNoticeView } from '../projections/supervision-notices.projection';
import { noticeCandidates, noticeOverdue, supervisionBoard } from './supervision-board';

const notice = (overrides: Partial<SupervisionNoticeView>): SupervisionNoticeView =>
  ({
    _id: 'n',
    unitId: 'town-a',
    status: 'open',
    stage: 'signed',
    round: 1,
    deadlineAt: '2026-04-15T16:00:00.000Z',
    tracker: null,
    targets: [],
    ...overrides,
  }) as SupervisionNoticeView;
const now = '2026-04-20T02:00:00.000Z';

describe('noticeOverdue', () => {
  it('is overdue from the end of the deadline day while nothing awaits the office', () => {
    expect(noticeOverdue(notice({}), '2026-04-15T15:59:59.999Z')).toBe(false);
    expect(noticeOverdue(notice({}), '2026-04-15T16:00:00.000Z')).toBe(true);
    expect(noticeOverdue(notice({ stage: 'returned' }), now)).toBe(true);
    expect(noticeOverdue(notice({ stage: 'reported' }), now)).toBe(false);
    expect(noticeOverdue(notice({ status: 'closed', stage: 'closed' }), now)).toBe(false);
  });
});

describe('supervisionBoard', () => {
  it('counts open, overdue, round 2 and closed, by unit and by tracker', () => {
    const board = supervisionBoard(
      [
        notice({ _id: 'a1' }),
        notice({ _id: 'a2', round: 2, tracker: 'u-t', deadlineAt: '2026-04-30T16:00:00.000Z' }),
        notice({ _id: 'a3', status: 'closed', stage: 'closed' }),
        notice({ _id: 'b1', unitId: 'town-b', round: 2, tracker: 'u-t' }),
      ],
      now,
    );
    expect(board.totals).toEqual({ open: 3, overdue: 2, round2: 2, closed: 1, total: 4 });
    expect(board.byUnit).toEqual([
      { unitId: 'town-a', open: 2, overdue: 1, round2: 1, closed: 1, total: 3 },
      { unitId: 'town-b', open: 1, overdue: 1, round2: 1, closed: 0, total: 1 },
    ]);
    expect(board.byTracker).toEqual([
      { tracker: 'u-t', open: 2, overdue: 1, round2: 2, closed: 0, total: 2 },
    ]);
  });
});

describe('noticeCandidates', () => {
  const reason = (milestoneId: string | null, level: 'red' | 'yellow' = 'red') => ({
    rule: milestoneId ? ('milestoneOverdue' as const) : ('gapAboveRed' as const),
    level,
    detail: '红牌',
    period: null,
    milestoneId,
    dueDate: null,
  });
  const red = {
    targetId: 't1',
    cycleId: '2026',
    unitId: 'town-a',
    category: 'towns',
    since: '2026-04-02T01:00:00.000Z',
    reasons: [reason('m1'), reason('m2'), reason(null), reason('m3', 'yellow')],
  };

  it('offers each red milestone and the target itself, not the yellow ones', () => {
    expect(noticeCandidates([red], []).map((c) => [c.targetId, c.milestoneId, c.reasons.length])).toEqual([
      ['t1', 'm1', 1],
      ['t1', 'm2', 1],
      ['t1', null, 1],
    ]);
  });

  it('leaves out what an open case covers: the same milestone, or every part of a whole target', () => {
    expect(
      noticeCandidates([red], [{ targets: [{ targetId: 't1', milestoneId: 'm1' }] }]).map(
        (c) => c.milestoneId,
      ),
    ).toEqual(['m2', null]);
    expect(noticeCandidates([red], [{ targets: [{ targetId: 't1', milestoneId: null }] }])).toEqual([]);
  });
});
