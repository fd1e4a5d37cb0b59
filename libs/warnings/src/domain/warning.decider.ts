import type { Decider } from '@dukao/event-store';
import type { RaisedLevel, WarningLevel, WarningReason, WarningThresholds } from './warning-level';

/**
 * A target's warning history as its own stream, `warning-<targetId>`: one event per change of level,
 * so the log says when a target turned red and under which scheme version. The level itself is
 * computed by `evaluateWarning` (pure policy); this decider only records changes.
 */
export const warningStream = (targetId: string) => `warning-${targetId}`;

/** What caused an evaluation: an event in the log (its id), or the scheduled tick. */
export type EvaluationCause = { kind: 'event'; eventId: string } | { kind: 'tick'; eventId: null };

/** A reason as the events store it: absent optional fields are null, so the JSON shape is fixed. */
export type WarningReasonData = {
  rule: WarningReason['rule'];
  level: RaisedLevel;
  detail: string;
  period: string | null;
  milestoneId: string | null;
  dueDate: string | null;
};

export const reasonData = (reason: WarningReason): WarningReasonData => ({
  rule: reason.rule,
  level: reason.level,
  detail: reason.detail,
  period: reason.period ?? null,
  milestoneId: reason.milestoneId ?? null,
  dueDate: reason.dueDate ?? null,
});

/**
 * The thresholds an evaluation applied: `thresholds` the whole set (the scheme version's with the
 * target's own in their place), `overrides` the target's own (null: none). Both absent on events
 * recorded before per-target thresholds existed, which applied the scheme version's alone.
 */
export type AppliedThresholds = {
  thresholds?: WarningThresholds;
  overrides?: Partial<WarningThresholds> | null;
};

export type WarningRaised = {
  type: 'WarningRaised';
  data: {
    targetId: string;
    cycleId: string;
    unitId: string;
    category: string;
    level: RaisedLevel;
    previousLevel: WarningLevel;
    reasons: WarningReasonData[];
    schemeVersion: number;
    evaluatedAt: string;
    cause: EvaluationCause;
  } & AppliedThresholds;
};

export type WarningCleared = {
  type: 'WarningCleared';
  data: {
    targetId: string;
    cycleId: string;
    unitId: string;
    category: string;
    previousLevel: RaisedLevel;
    schemeVersion: number;
    evaluatedAt: string;
    cause: EvaluationCause;
  } & AppliedThresholds;
};

export type WarningEvent = WarningRaised | WarningCleared;
export const WARNING_EVENT_TYPES: readonly WarningEvent['type'][] = ['WarningRaised', 'WarningCleared'];

export type EvaluateWarning = {
  type: 'EvaluateWarning';
  targetId: string;
  cycleId: string;
  unitId: string;
  category: string;
  /** The outcome of `evaluateWarning` at `at`. */
  evaluation: { level: WarningLevel; reasons: readonly WarningReason[] };
  schemeVersion: number;
  at: string;
  cause: EvaluationCause;
} & AppliedThresholds;
export type WarningCommand = EvaluateWarning;

export type WarningState =
  { status: 'none' } | { status: 'raised'; level: RaisedLevel; since: string; schemeVersion: number };

export const warningDecider: Decider<WarningCommand, WarningState, WarningEvent> = {
  initialState: () => ({ status: 'none' }),

  evolve(_state, event) {
    switch (event.type) {
      case 'WarningRaised':
        return {
          status: 'raised',
          level: event.data.level,
          since: event.data.evaluatedAt,
          schemeVersion: event.data.schemeVersion,
        };
      case 'WarningCleared':
        return { status: 'none' };
      default: {
        const _: never = event;
        return _;
      }
    }
  },

  /** Records a change of level only: the same level again (even with other reasons) appends nothing. */
  decide(command, state) {
    switch (command.type) {
      case 'EvaluateWarning': {
        const current: WarningLevel = state.status === 'raised' ? state.level : 'none';
        const { level, reasons } = command.evaluation;
        if (level === current) return [];
        const { targetId, cycleId, unitId, category, schemeVersion, at, cause } = command;
        const applied: AppliedThresholds =
          command.thresholds === undefined
            ? {}
            : { thresholds: command.thresholds, overrides: command.overrides ?? null };
        if (level === 'none') {
          return [
            {
              type: 'WarningCleared',
              data: {
                targetId,
                cycleId,
                unitId,
                category,
                previousLevel: current as RaisedLevel,
                schemeVersion,
                evaluatedAt: at,
                cause,
                ...applied,
              },
            },
          ];
        }
        return [
          {
            type: 'WarningRaised',
            data: {
              targetId,
              cycleId,
              unitId,
              category,
              level,
              previousLevel: current,
              reasons: reasons.map(reasonData),
              schemeVersion,
              evaluatedAt: at,
              cause,
              ...applied,
            },
          },
        ];
      }
      default: {
        const _: never = command.type;
        return _;
      }
    }
  },
};
