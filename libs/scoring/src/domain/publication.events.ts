import type { Grade } from './scoring.engine';

/**
 * 公示: a ranking published for an appeal window. The event keeps the rows exactly as published and
 * the digest of the inputs they were computed from, so later rulings never alter what was published:
 * "as published" is this event, "as recomputed now" is the engine run again at the same `at`.
 */
export type RankingPublished = {
  type: 'RankingPublished';
  data: {
    publicationId: string;
    cycleId: string;
    category: string;
    /** 'monthly' (月排名, `period` YYYY-MM) or 'final' (year end, `period` null). */
    kind: 'monthly' | 'final';
    period: string | null;
    /** The business instant scored (the month's end, or the cycle year's end). */
    at: string;
    /** What the log knew: every event recorded up to here was an input. */
    asOf: string;
    logPosition: number;
    schemeVersion: number;
    treeVersion: number;
    scale: number;
    /**
     * SHA-256 over the canonical JSON of the engine's input as known at `asOf`
     * (`inputsDigest` in inputs-digest.ts; docs/scoring.md, "Inputs digest").
     */
    inputsDigest: { algorithm: 'sha256'; value: string; canonicalization: string };
    /** In rank order. */
    rows: Array<{
      unitId: string;
      /** The unit's name when published. */
      unitName: string | null;
      total: number;
      totalThousandths: number;
      rank: number;
      grade: Grade;
      flagged: boolean;
    }>;
    publishedAt: string;
    /** Appeals are accepted until this instant (publishedAt + the window). */
    appealDeadline: string;
    appealWindowDays: number;
    note: string | null;
    /**
     * The publication of the same cycle, category, kind and period this one replaces (the latest
     * before it), or null for the first. Re-publishing is allowed; the earlier one stays as it was.
     */
    supersedes: string | null;
  };
};

export type PublicationEvent = RankingPublished;
export const PUBLICATION_EVENT_TYPES: readonly PublicationEvent['type'][] = ['RankingPublished'];

/** One stream per publication. */
export const publicationStream = (publicationId: string) => `publication-${publicationId}`;
