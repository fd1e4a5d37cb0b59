import { documentProjection } from '@dukao/projections';
import type { ReadModelDocument } from '@dukao/read-model-store';
import type { RulingOutcome, RulingRecorded } from '../domain/appeal.events';
import { SCORE_RECORD_EVENT_TYPES, type ScoreRecordEvent } from '../domain/score-adjustment.events';

export const SCORE_RECORDS = 'scoreRecords';

/**
 * One document per adjustment (加减分) or veto (一票否决), `_id` its adjustmentId / vetoId, with the
 * rulings on it in the order recorded (the last one is what stands; the score engine decides that
 * from the log, this view only shows it).
 */
export interface ScoreRecordView extends ReadModelDocument {
  recordType: 'adjustment' | 'veto';
  kind: 'bonus' | 'penalty' | 'veto';
  cycleId: string;
  unitId: string;
  /** Points (adjustments); null for a veto. */
  amount: number | null;
  reason: string;
  basis: string;
  occurredOn: string;
  occurredAt: string;
  recordedAt: string;
  recordedBy: { userId: string; role: string };
  eventId: string;
  rulings: Array<{
    appealId: string;
    outcome: RulingOutcome;
    amount: number | null;
    effectiveFrom: string;
    ruledAt: string;
    eventId: string;
  }>;
}

export const scoreAdjustmentsProjection = documentProjection<ScoreRecordView>({
  name: 'scoreRecords',
  version: 1,
  eventTypes: [...SCORE_RECORD_EVENT_TYPES, 'RulingRecorded'],
  collection: {
    name: SCORE_RECORDS,
    indexes: [
      { fields: { cycleId: 1, unitId: 1, occurredOn: 1 } },
      { fields: { recordType: 1, cycleId: 1, occurredOn: 1 } },
    ],
  },
  documentId(stored) {
    const event = stored as unknown as ScoreRecordEvent | RulingRecorded;
    switch (event.type) {
      case 'ScoreAdjusted':
        return event.data.adjustmentId;
      case 'VetoImposed':
        return event.data.vetoId;
      case 'RulingRecorded': {
        const subject = event.data.subject;
        return subject.kind === 'adjustment'
          ? subject.adjustmentId
          : subject.kind === 'veto'
            ? subject.vetoId
            : null;
      }
      default:
        return null;
    }
  },
  evolve(record, stored) {
    const event = stored as unknown as ScoreRecordEvent | RulingRecorded;
    const recorded = {
      recordedAt: stored.metadata.recordedAt,
      recordedBy: { userId: stored.metadata.actor.userId, role: stored.metadata.actor.role },
      eventId: stored.id,
      rulings: [],
    };
    switch (event.type) {
      case 'ScoreAdjusted': {
        const { adjustmentId, adjustedAt: _at, ...data } = event.data;
        return { _id: adjustmentId, recordType: 'adjustment', ...data, ...recorded };
      }
      case 'VetoImposed': {
        const { vetoId, imposedAt: _at, ...data } = event.data;
        return { _id: vetoId, recordType: 'veto', kind: 'veto', amount: null, ...data, ...recorded };
      }
      case 'RulingRecorded': {
        if (!record) return null;
        const { appealId, outcome, amount, effectiveFrom, ruledAt } = event.data;
        return {
          ...record,
          rulings: [
            ...record.rulings,
            { appealId, outcome, amount, effectiveFrom, ruledAt, eventId: stored.id },
          ],
        };
      }
      default:
        return record;
    }
  },
});
