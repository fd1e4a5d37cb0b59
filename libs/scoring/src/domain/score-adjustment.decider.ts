import type { Decider } from '@dukao/event-store';
import { Dec } from './decimal';
import { ScoreRecordErrors } from './score-adjustment.errors';
import type { ScoreRecordEvent } from './score-adjustment.events';

/** The largest single adjustment, in points (a guard against typos such as 200 for 2.00). */
export const MAX_ADJUSTMENT_POINTS = 100;

/** What the handler read about the cycle and the unit before deciding (their own streams). */
export interface ScoreRecordReferences {
  cycle: { status: 'none' | 'open' | 'closed'; year: number | null };
  unitExists: boolean;
}

/** The records of one unit in one cycle (`scorerecords-<cycleId>:<unitId>`). */
export interface ScoreRecordState {
  adjustmentIds: string[];
  vetoIds: string[];
}

interface Common {
  cycleId: string;
  unitId: string;
  reason: string;
  basis: string;
  /** YYYY-MM-DD (Asia/Shanghai). */
  occurredOn: string;
  references: ScoreRecordReferences;
  at: string;
}

export type ScoreRecordCommand =
  | (Common & { type: 'AdjustScore'; adjustmentId: string; kind: 'bonus' | 'penalty'; amount: number })
  | (Common & { type: 'ImposeVeto'; vetoId: string });

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/**
 * The instant a Shanghai calendar day starts (UTC), or null for a malformed or non-existent date:
 * a record dated 15 June counts from the first moment of 15 June, so at the end of June, not at the
 * end of May.
 */
export function startOfShanghaiDay(date: string): string | null {
  const m = DATE.exec(date);
  if (!m) return null;
  const utc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Number.isNaN(utc) || new Date(utc).toISOString().slice(0, 10) !== date) return null;
  return new Date(utc - SHANGHAI_OFFSET_MS).toISOString();
}

/** Positive, at most MAX_ADJUSTMENT_POINTS, and no finer than thousandths (the engine's precision). */
export function isValidAdjustmentAmount(amount: number, { allowZero = false, allowNegative = false } = {}) {
  if (!Number.isFinite(amount)) return false;
  if (Math.abs(amount) > MAX_ADJUSTMENT_POINTS) return false;
  if (amount < 0 && !allowNegative) return false;
  if (amount === 0 && !allowZero) return false;
  const exact = Dec.of(amount);
  return exact.cmp(Dec.thousandths(exact.toThousandths())) === 0;
}

function check(command: ScoreRecordCommand): { occurredAt: string; reason: string; basis: string } {
  const { cycle, unitExists } = command.references;
  if (cycle.status !== 'open' || cycle.year === null) throw ScoreRecordErrors.cycleNotOpen(command.cycleId);
  if (!unitExists) throw ScoreRecordErrors.unitNotFound(command.unitId);
  const occurredAt = startOfShanghaiDay(command.occurredOn);
  if (occurredAt === null) throw ScoreRecordErrors.invalidDate(command.occurredOn);
  if (Number(command.occurredOn.slice(0, 4)) !== cycle.year)
    throw ScoreRecordErrors.dateOutsideCycle(command.occurredOn, cycle.year);
  const reason = command.reason.trim();
  const basis = command.basis.trim();
  if (!reason) throw ScoreRecordErrors.blank('reason');
  if (!basis) throw ScoreRecordErrors.blank('basis');
  return { occurredAt, reason, basis };
}

/**
 * Adjustments (加减分) and vetoes (一票否决) of one unit in one cycle, recorded by the assessment
 * office. The cycle must be open and the unit registered (read by the handler from their streams);
 * the date lies in the cycle's year; an amount is positive, at most {@link MAX_ADJUSTMENT_POINTS}, in
 * thousandths at most; ids are unique in the unit's cycle. Nothing is ever changed or removed: a
 * record is contested by an appeal, and a ruling decides what stands.
 */
export const scoreRecordDecider: Decider<ScoreRecordCommand, ScoreRecordState, ScoreRecordEvent> = {
  initialState: () => ({ adjustmentIds: [], vetoIds: [] }),
  evolve(state, event) {
    switch (event.type) {
      case 'ScoreAdjusted':
        return { ...state, adjustmentIds: [...state.adjustmentIds, event.data.adjustmentId] };
      case 'VetoImposed':
        return { ...state, vetoIds: [...state.vetoIds, event.data.vetoId] };
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'AdjustScore': {
        const { occurredAt, reason, basis } = check(command);
        if (!isValidAdjustmentAmount(command.amount))
          throw ScoreRecordErrors.invalidAmount(command.amount, MAX_ADJUSTMENT_POINTS);
        if (state.adjustmentIds.includes(command.adjustmentId))
          throw ScoreRecordErrors.adjustmentExists(command.adjustmentId);
        const { adjustmentId, cycleId, unitId, kind, amount, occurredOn, at } = command;
        return [
          {
            type: 'ScoreAdjusted',
            data: {
              adjustmentId,
              cycleId,
              unitId,
              kind,
              amount,
              reason,
              basis,
              occurredOn,
              occurredAt,
              adjustedAt: at,
            },
          },
        ];
      }
      case 'ImposeVeto': {
        const { occurredAt, reason, basis } = check(command);
        if (state.vetoIds.includes(command.vetoId)) throw ScoreRecordErrors.vetoExists(command.vetoId);
        const { vetoId, cycleId, unitId, occurredOn, at } = command;
        return [
          {
            type: 'VetoImposed',
            data: { vetoId, cycleId, unitId, reason, basis, occurredOn, occurredAt, imposedAt: at },
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
