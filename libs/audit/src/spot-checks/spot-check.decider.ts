import type { Decider } from '@dukao/event-store';
import type { EvidenceRef } from '@dukao/evidence-store';
import { CycleErrors } from '@dukao/targets';
import { SpotCheckErrors } from './spot-check.errors';
import type { SpotCheckEvent, SpotCheckOutcome } from './spot-check.events';
import type { FrameRule, SpotCheckPopulation } from './spot-check.frame';
import {
  type FrameItem,
  SAMPLING_ALGORITHM,
  type SampleSize,
  type Strata,
  deriveSeed,
  drawSample,
  frameDigest,
  logDigest,
  sampleSizeProblem,
} from './spot-check.sampler';

/** Who may draw (the discipline inspectors and the assessment office) and who records findings (inspectors). */
export const SPOT_CHECK_DRAWERS: readonly string[] = ['inspector', 'assessmentAdmin'];
export const SPOT_CHECK_VERIFIERS: readonly string[] = ['inspector'];

type SampledState = FrameItem & { outcome: SpotCheckOutcome | null };

export type SpotCheckState =
  | { status: 'none' }
  | {
      status: 'drawn';
      spotCheckId: string;
      cycleId: string;
      population: SpotCheckPopulation;
      items: Record<string, SampledState>;
    };

export type SpotCheckCommand =
  | {
      type: 'DrawSpotCheck';
      spotCheckId: string;
      title: string;
      rule: FrameRule;
      size: SampleSize;
      strata: Strata;
      /** Built by `buildFrame` from the log up to `log.position`. */
      frame: FrameItem[];
      /** The event at the draw's log position (the seed's source). */
      log: { position: number; eventId: string; hash: string };
      cycleKnown: boolean;
      role: string;
      at: string;
    }
  | {
      type: 'RecordSpotCheckOutcome';
      spotCheckId: string;
      itemId: string;
      outcome: SpotCheckOutcome;
      /** The report the finding is about; for a sampled report, its own id or null. */
      reportId: string | null;
      findings: string | null;
      evidence: EvidenceRef[];
      /** The reports of the item's target as the log has them now (to check `reportId`). */
      targetReports: Array<{ reportId: string; period: string }>;
      /** The id of the false-report case, should this outcome confirm one. */
      caseId: string;
      role: string;
      at: string;
    };

/**
 * A spot check (察访核验), one stream per draw (`spotcheck-<id>`). Drawing: by an inspector or the
 * assessment office, for a known cycle, with a usable size and a non-empty frame; the seed is derived
 * from the log digest at the draw's position and the draw's id, and the sample from the frame, seed
 * and rule (`drawSample`), so the decider records what anyone can recompute. Outcomes: by an inspector,
 * once per sampled item (`confirmed`, `falseReport` 虚报, `concealment` 瞒报); a false finding needs
 * findings and evidence, and a 虚报 names the report it is about. A false finding also appends
 * `FalseReportConfirmed`, the case that is deducted and flagged.
 */
export const spotCheckDecider: Decider<SpotCheckCommand, SpotCheckState, SpotCheckEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve(state, event) {
    switch (event.type) {
      case 'SpotCheckDrawn': {
        const { spotCheckId, cycleId, population, frame, sample } = event.data;
        const byId = new Map(frame.map((item) => [item.itemId, item]));
        const items: Record<string, SampledState> = {};
        for (const s of sample) {
          const item = byId.get(s.itemId);
          if (item) items[s.itemId] = { ...item, outcome: null };
        }
        return { status: 'drawn', spotCheckId, cycleId, population, items };
      }
      case 'SpotCheckOutcomeRecorded': {
        if (state.status !== 'drawn') return state;
        const item = state.items[event.data.itemId];
        if (!item) return state;
        return {
          ...state,
          items: { ...state.items, [event.data.itemId]: { ...item, outcome: event.data.outcome } },
        };
      }
      case 'FalseReportConfirmed':
        return state;
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'DrawSpotCheck': {
        if (state.status !== 'none') throw SpotCheckErrors.exists(command.spotCheckId);
        if (!SPOT_CHECK_DRAWERS.includes(command.role))
          throw SpotCheckErrors.forbidden('抽取抽查样本', command.role);
        if (!command.cycleKnown) throw CycleErrors.notFound();
        const title = command.title.trim();
        if (!title) throw SpotCheckErrors.invalid('须填写抽查名称');
        const problem = sampleSizeProblem(command.size);
        if (problem) throw SpotCheckErrors.invalid(problem);
        if (command.frame.length === 0) throw SpotCheckErrors.emptyFrame();
        const digest = logDigest(command.log);
        const seed = deriveSeed(digest, command.spotCheckId);
        const { rule } = command;
        return [
          {
            type: 'SpotCheckDrawn',
            data: {
              spotCheckId: command.spotCheckId,
              title,
              cycleId: rule.cycleId,
              population: rule.population,
              period: rule.period,
              unitIds: rule.unitIds,
              categories: rule.categories,
              size: command.size,
              strata: command.strata,
              frame: command.frame,
              frameDigest: frameDigest(command.frame),
              logPosition: command.log.position,
              logEventId: command.log.eventId,
              logEventHash: command.log.hash,
              logDigest: digest,
              seed,
              algorithm: SAMPLING_ALGORITHM,
              sample: drawSample(command.frame, seed, { size: command.size, strata: command.strata }),
              drawnAt: command.at,
            },
          },
        ];
      }
      case 'RecordSpotCheckOutcome': {
        if (state.status === 'none') throw SpotCheckErrors.notFound(command.spotCheckId);
        if (!SPOT_CHECK_VERIFIERS.includes(command.role))
          throw SpotCheckErrors.forbidden('记录核验结果', command.role);
        const item = state.items[command.itemId];
        if (!item) throw SpotCheckErrors.itemNotSampled(command.itemId);
        if (item.outcome !== null) throw SpotCheckErrors.outcomeExists(command.itemId);
        let reportId: string | null;
        let period: string | null;
        if (state.population === 'reports') {
          if (command.reportId !== null && command.reportId !== item.itemId)
            throw SpotCheckErrors.invalidOutcome('抽中的是填报，不能另指其他填报');
          reportId = item.itemId;
          period = item.period;
        } else {
          reportId = command.reportId;
          period = null;
          if (reportId !== null) {
            const report = command.targetReports.find((r) => r.reportId === reportId);
            if (!report) throw SpotCheckErrors.invalidOutcome(`填报 ${reportId} 不属于抽中的目标`);
            period = report.period;
          }
        }
        const findings = command.findings?.trim() || null;
        const isFalse = command.outcome !== 'confirmed';
        if (isFalse) {
          if (command.outcome === 'falseReport' && reportId === null)
            throw SpotCheckErrors.invalidOutcome('认定虚报须指明所涉填报');
          if (!findings) throw SpotCheckErrors.invalidOutcome('认定虚报瞒报须写明核查发现');
          if (command.evidence.length === 0)
            throw SpotCheckErrors.invalidOutcome('认定虚报瞒报须附核查佐证材料');
        }
        const base = {
          spotCheckId: state.spotCheckId,
          cycleId: state.cycleId,
          itemId: item.itemId,
          unitId: item.unitId,
          category: item.category,
          targetId: item.targetId,
          reportId,
        };
        const recorded: SpotCheckEvent = {
          type: 'SpotCheckOutcomeRecorded',
          data: {
            ...base,
            outcome: command.outcome,
            findings,
            evidence: command.evidence,
            decidedAt: command.at,
          },
        };
        if (!isFalse) return [recorded];
        return [
          recorded,
          {
            type: 'FalseReportConfirmed',
            data: {
              caseId: command.caseId,
              kind: command.outcome === 'falseReport' ? 'falseReport' : 'concealment',
              ...base,
              period,
              findings: findings!,
              evidence: command.evidence,
              occurredAt: command.at,
              confirmedAt: command.at,
            },
          },
        ];
      }
      default: {
        const _exhaustive: never = command;
        return _exhaustive;
      }
    }
  },
};
