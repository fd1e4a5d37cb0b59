import { documentProjection } from '@dukao/projections';
import type { ReadModelDocument } from '@dukao/read-model-store';
import { ACCOUNTABILITY_ACTION_EVENT, type AccountabilityActionTaken } from '../domain/supervision.events';
import type { StepActor } from './supervision-notices.projection';

export const ACCOUNTABILITY_ACTIONS_VIEW = 'accountabilityActions';

type ActionData = AccountabilityActionTaken['data'];

/** One accountability action (`_id` is its id): the event's facts, who took it and when it was recorded. */
export interface AccountabilityActionView extends ReadModelDocument, ActionData {
  takenBy: StepActor;
  recordedAt: string;
  streamId: string;
  eventId: string;
}

/** Every accountability action, whether it followed a case or not: the list and the unit pages read it. */
export const accountabilityActionsProjection = documentProjection<AccountabilityActionView>({
  name: 'accountabilityActions',
  version: 1,
  eventTypes: [ACCOUNTABILITY_ACTION_EVENT],
  collection: {
    name: ACCOUNTABILITY_ACTIONS_VIEW,
    indexes: [{ fields: { cycleId: 1, unitId: 1, occurredOn: 1 } }, { fields: { noticeId: 1 } }],
  },
  documentId: (stored) => (stored as unknown as AccountabilityActionTaken).data.actionId,
  evolve(_doc, stored) {
    const { data } = stored as unknown as AccountabilityActionTaken;
    const { actor } = stored.metadata;
    return {
      _id: data.actionId,
      ...data,
      takenBy: { userId: actor.userId, role: actor.role, unitId: actor.unitId ?? null },
      recordedAt: stored.metadata.recordedAt,
      streamId: stored.streamId,
      eventId: stored.id,
    };
  },
});
