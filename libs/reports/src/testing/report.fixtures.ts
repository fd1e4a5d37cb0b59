import { Workbook } from 'exceljs';
import type { MonthlyRanking, MonthlyRankingRow } from '@dukao/scoring';
import type { AccountabilityActionView, RoundView, SupervisionNoticeView } from '@dukao/supervision';
import type { WarningView } from '@dukao/warnings';

/** Small documents of the views the reports read, shaped as the projections write them. */

export const row = (overrides: Partial<MonthlyRankingRow> & { unitId: string }): MonthlyRankingRow => ({
  unitName: null,
  total: 0,
  totalThousandths: 0,
  rank: 1,
  grade: 'pass',
  flagged: false,
  scores: [],
  completionPct: null,
  expectedPct: null,
  vsExpected: null,
  vsAverage: null,
  lastYear: null,
  ...overrides,
});

export const ranking = (
  month: string,
  rows: MonthlyRankingRow[],
  overrides: Partial<MonthlyRanking> = {},
): MonthlyRanking => ({
  _id: `2026:towns:${month}`,
  cycleId: '2026',
  category: 'towns',
  year: 2026,
  month,
  at: '',
  final: false,
  schemeVersion: 1,
  treeVersion: 1,
  scale: 1000,
  indicators: [
    { indicatorId: 'economy', name: '经济发展', points: 600 },
    { indicatorId: 'livelihood', name: '社会民生', points: 400 },
  ],
  averageCompletionPct: null,
  lastYearCycleId: null,
  rows,
  ...overrides,
});

/** The worked example's June: Town A 3.2 of 8.0 (40 % against a schedule of 50 %), Town B nothing. */
export const JUNE = ranking(
  '2026-06',
  [
    row({
      unitId: 'town-a',
      unitName: '甲镇',
      total: 240,
      totalThousandths: 240_000,
      rank: 1,
      grade: 'admonished',
      scores: [240, 0],
      completionPct: 40,
      expectedPct: 50,
      vsExpected: -10,
      vsAverage: 0,
    }),
    row({ unitId: 'town-b', unitName: '乙镇', rank: 2, grade: 'admonished', flagged: true, scores: [0, 0] }),
  ],
  { averageCompletionPct: 40 },
);
export const MARCH = ranking(
  '2026-03',
  [
    row({ unitId: 'town-a', unitName: '甲镇', total: 150, completionPct: 25, expectedPct: 25 }),
    row({ unitId: 'town-b', unitName: '乙镇', rank: 2 }),
  ],
  { averageCompletionPct: 25 },
);

export const warning = (overrides: Partial<WarningView> & { _id: string }): WarningView => ({
  cycleId: '2026',
  unitId: 'town-a',
  category: 'towns',
  level: 'red',
  reasons: [],
  schemeVersion: 1,
  since: '2026-06-20T02:00:00.000Z',
  history: [],
  ...overrides,
});

const who = { userId: 'u-office', role: 'supervisor', unitId: null };
export const round = (overrides: Partial<RoundView>): RoundView => ({
  round: 1,
  reason: null,
  demand: '整改',
  deadline: '2026-06-10',
  deadlineAt: '2026-06-10T16:00:00.000Z',
  originalDeadline: '2026-06-10',
  tracker: null,
  openedAt: '2026-06-02T02:00:00.000Z',
  openedBy: who,
  signedAt: null,
  signedBy: null,
  rectifications: [],
  extensions: [],
  ...overrides,
});

export const notice = (
  overrides: Partial<SupervisionNoticeView> & { noticeId: string },
): SupervisionNoticeView =>
  ({
    _id: overrides.noticeId,
    cycleId: '2026',
    unitId: 'town-a',
    title: '节点逾期',
    status: 'open',
    issuedAt: '2026-06-02T02:00:00.000Z',
    closedAt: null,
    rounds: [round({})],
    actions: [],
    ...overrides,
  }) as SupervisionNoticeView;

export const action = (
  overrides: Partial<AccountabilityActionView> & { actionId: string },
): AccountabilityActionView =>
  ({
    _id: overrides.actionId,
    cycleId: '2026',
    unitId: 'town-a',
    action: 'publicNotice',
    official: null,
    reason: '二次督办逾期',
    basis: '市督查室〔2026〕5号',
    noticeId: null,
    deduction: 1,
    occurredOn: '2026-06-22',
    recordedAt: '2026-06-22T02:00:00.000Z',
    ...overrides,
  }) as AccountabilityActionView;

/** Opens a workbook the way a reader's Excel would: from the bytes alone. */
export async function openWorkbook(content: Buffer): Promise<Workbook> {
  const workbook = new Workbook();
  // exceljs declares its own Buffer type; the bytes are what it reads.
  await workbook.xlsx.load(content as unknown as ArrayBuffer);
  return workbook;
}
