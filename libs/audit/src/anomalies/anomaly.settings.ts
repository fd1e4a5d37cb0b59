import { z } from 'zod';

export const ANOMALY_SIGNALS = [
  'lastMinuteJump',
  'evidenceReuse',
  'correctionAfterCheck',
  'backdated',
  'staleOnTrack',
  'outlier',
  'milestoneWithoutEvidence',
  'falseReportConfirmed',
] as const;
/**
 * The 虚报瞒报 signals:
 * - `lastMinuteJump`: completion jumps by ≥ `jumpPoints` percentage points in a report recorded
 *   within `lastMinuteHours` of its due date's end, or after it (e.g. 10% → 100% at the deadline);
 * - `evidenceReuse`: the same evidence file (SHA-256) in reports of another unit or another period;
 * - `correctionAfterCheck`: a correction makes the value worse after a spot check drew the target or
 *   the report, or after the report was verified;
 * - `backdated`: business time (`occurredAt`, or a milestone's `completedOn`) more than
 *   `backdateDays` before the report was recorded;
 * - `staleOnTrack`: `staleReports` consecutive reports with the same value, each saying work is on
 *   track (a phrase of `onTrackPhrases`), the target not yet complete;
 * - `outlier`: completion % far from the peers' (same cycle, category, indicator and period): robust
 *   z-score (median, MAD) above `outlierZ`, with at least `outlierMinPeers` peers;
 * - `milestoneWithoutEvidence`: a report marks milestones done and attaches no evidence;
 * - `falseReportConfirmed`: not a signal but the confirmed finding of a spot check, ranked first.
 */
export type AnomalySignal = (typeof ANOMALY_SIGNALS)[number];

export const anomalySettingsSchema = z
  .object({
    lastMinuteHours: z
      .number()
      .min(0)
      .max(24 * 31),
    jumpPoints: z.number().positive().max(1000),
    backdateDays: z.number().min(0).max(3660),
    staleReports: z.number().int().min(2).max(24),
    onTrackPhrases: z.array(z.string().trim().min(1).max(50)).max(50),
    outlierZ: z.number().positive().max(100),
    outlierMinPeers: z.number().int().min(3).max(10_000),
    weights: z.object(
      Object.fromEntries(ANOMALY_SIGNALS.map((s) => [s, z.number().min(0).max(100)])) as Record<
        AnomalySignal,
        z.ZodNumber
      >,
    ),
  })
  .strict();

export type AnomalySettings = z.infer<typeof anomalySettingsSchema>;

/** The defaults, in force until inspectors publish a version of their own (docs/audit.md). */
export const DEFAULT_ANOMALY_SETTINGS: AnomalySettings = {
  lastMinuteHours: 24,
  jumpPoints: 50,
  backdateDays: 45,
  staleReports: 3,
  onTrackPhrases: ['按计划', '正常推进', '进展顺利', '序时推进', '稳步推进', '有序推进'],
  outlierZ: 3.5,
  outlierMinPeers: 4,
  weights: {
    lastMinuteJump: 3,
    evidenceReuse: 2,
    correctionAfterCheck: 3,
    backdated: 2,
    staleOnTrack: 1,
    outlier: 1,
    milestoneWithoutEvidence: 1,
    falseReportConfirmed: 10,
  },
};
