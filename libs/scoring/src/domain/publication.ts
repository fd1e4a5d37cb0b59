import { periodEnd } from '@dukao/targets';
import { PublicationErrors } from './publication.errors';
import type { RankingPublished } from './publication.events';
import type { CategoryScore, Grade } from './scoring.engine';

export type PublicationKind = RankingPublished['data']['kind'];
export type PublishedRow = RankingPublished['data']['rows'][number];

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const DAY_MS = 86_400_000;

/**
 * The business instant a publication scores: a month's end (月排名, `period` YYYY-MM of the cycle
 * year) or the cycle year's end (final), as Shanghai calendar days end (`periodEnd`). Throws
 * `PERIOD_REQUIRED` (monthly without a month, or final with one) and `PERIOD_OUTSIDE_CYCLE`.
 */
export function publicationInstant(kind: PublicationKind, period: string | null, cycleYear: number): string {
  if (kind === 'final') {
    if (period !== null) throw PublicationErrors.periodRequired();
    return periodEnd(`${cycleYear}-12`);
  }
  const month = period === null ? null : MONTH.exec(period);
  if (period === null || !month) throw PublicationErrors.periodRequired();
  if (Number(month[1]) !== cycleYear) throw PublicationErrors.periodOutsideCycle(period, cycleYear);
  return periodEnd(period);
}

/** Appeals are accepted until `publishedAt` + the window (whole days of 24 hours). */
export function appealDeadline(publishedAt: string, appealWindowDays: number): string {
  return new Date(Date.parse(publishedAt) + appealWindowDays * DAY_MS).toISOString();
}

/** The rows a publication keeps, in rank order, with the units' names as they are now. */
export function publishedRows(
  scored: Pick<CategoryScore, 'units'>,
  names: ReadonlyMap<string, string>,
): PublishedRow[] {
  return [...scored.units]
    .sort((a, b) => a.rank - b.rank)
    .map((u) => ({
      unitId: u.unitId,
      unitName: names.get(u.unitId) ?? null,
      total: u.total,
      totalThousandths: u.totalThousandths,
      rank: u.rank,
      grade: u.grade,
      flagged: u.flagged,
    }));
}

/** One side of a comparison: a unit's row, or null when the unit is not in that ranking. */
export type ComparedSide = Pick<PublishedRow, 'total' | 'totalThousandths' | 'rank' | 'grade' | 'flagged'>;

export interface RowComparison {
  unitId: string;
  unitName: string | null;
  published: ComparedSide | null;
  recomputed: ComparedSide | null;
  /** recomputed − published, exact (null when the unit is on one side only). */
  totalDeltaThousandths: number | null;
  /** recomputed − published (negative: moved up; null when on one side only). */
  rankDelta: number | null;
  gradeChanged: boolean;
  /** Whether anything differs (total, rank, grade, flag, or presence). */
  changed: boolean;
}

const side = (r: ComparedSide): ComparedSide => ({
  total: r.total,
  totalThousandths: r.totalThousandths,
  rank: r.rank,
  grade: r.grade,
  flagged: r.flagged,
});

/**
 * "As published" against "as recomputed now", per unit: published rank order first, then units that
 * only the recomputation has (registered later), in its rank order.
 */
export function comparePublication(
  published: readonly PublishedRow[],
  recomputed: readonly (ComparedSide & { unitId: string; unitName?: string | null })[],
): RowComparison[] {
  const now = new Map(recomputed.map((r) => [r.unitId, r]));
  const then = new Set(published.map((r) => r.unitId));
  const compare = (
    unitId: string,
    unitName: string | null,
    p: ComparedSide | null,
    r: ComparedSide | null,
  ): RowComparison => {
    const both = p !== null && r !== null;
    const gradeChanged = both ? p.grade !== r.grade : false;
    const totalDeltaThousandths = both ? r.totalThousandths - p.totalThousandths : null;
    const rankDelta = both ? r.rank - p.rank : null;
    return {
      unitId,
      unitName,
      published: p && side(p),
      recomputed: r && side(r),
      totalDeltaThousandths,
      rankDelta,
      gradeChanged,
      changed:
        !both || totalDeltaThousandths !== 0 || rankDelta !== 0 || gradeChanged || p.flagged !== r.flagged,
    };
  };
  return [
    ...published.map((p) => {
      const r = now.get(p.unitId) ?? null;
      return compare(p.unitId, p.unitName ?? r?.unitName ?? null, p, r);
    }),
    ...[...recomputed]
      .filter((r) => !then.has(r.unitId))
      .sort((a, b) => a.rank - b.rank)
      .map((r) => compare(r.unitId, r.unitName ?? null, null, r)),
  ];
}

export type { Grade };
