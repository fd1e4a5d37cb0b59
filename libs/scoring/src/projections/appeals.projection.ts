import type { EvidenceRef } from '@dukao/evidence-store';
import { documentProjection } from '@dukao/projections';
import type { ReadModelDocument } from '@dukao/read-model-store';
import {
  APPEAL_EVENT_TYPES,
  type AppealEvent,
  type AppealSubject,
  type RulingOutcome,
} from '../domain/appeal.events';

export const APPEALS = 'appeals';

export type AppealStatus = 'filed' | 'withdrawn' | 'ruled';

/** One document per appeal (`_id` the appealId): the filing, and its withdrawal or its ruling. */
export interface AppealView extends ReadModelDocument {
  appealId: string;
  cycleId: string;
  unitId: string;
  category: string;
  publicationId: string;
  subject: AppealSubject;
  reasons: string;
  evidence: EvidenceRef[];
  status: AppealStatus;
  filedAt: string;
  filedBy: { userId: string; role: string };
  withdrawal: { reason: string | null; withdrawnAt: string; withdrawnBy: string } | null;
  ruling: {
    outcome: RulingOutcome;
    amount: number | null;
    reasoning: string;
    effectiveFrom: string;
    ruledAt: string;
    ruledBy: string;
    eventId: string;
  } | null;
}

export const appealsProjection = documentProjection<AppealView>({
  name: 'appeals',
  version: 1,
  eventTypes: APPEAL_EVENT_TYPES,
  collection: {
    name: APPEALS,
    indexes: [
      { fields: { cycleId: 1, unitId: 1, filedAt: -1 } },
      { fields: { status: 1, filedAt: -1 } },
      { fields: { publicationId: 1 } },
    ],
  },
  documentId: (stored) => (stored as unknown as AppealEvent).data.appealId,
  evolve(appeal, stored) {
    const event = stored as unknown as AppealEvent;
    const userId = stored.metadata.actor.userId;
    switch (event.type) {
      case 'AppealFiled':
        return {
          _id: event.data.appealId,
          ...event.data,
          status: 'filed',
          filedBy: { userId, role: stored.metadata.actor.role },
          withdrawal: null,
          ruling: null,
        };
      case 'AppealWithdrawn':
        if (!appeal) return null;
        return {
          ...appeal,
          status: 'withdrawn',
          withdrawal: { reason: event.data.reason, withdrawnAt: event.data.withdrawnAt, withdrawnBy: userId },
        };
      case 'RulingRecorded': {
        if (!appeal) return null;
        const { outcome, amount, reasoning, effectiveFrom, ruledAt } = event.data;
        return {
          ...appeal,
          status: 'ruled',
          ruling: { outcome, amount, reasoning, effectiveFrom, ruledAt, ruledBy: userId, eventId: stored.id },
        };
      }
    }
  },
});
