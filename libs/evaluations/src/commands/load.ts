import type { Decider, DomainEvent, EventStore } from '@dukao/event-store';
import { campaignDecider, type CampaignState } from '../domain/campaign.decider';
import { campaignStream } from '../domain/campaign.events';

/** Folds a stream with a decider's evolve: the state a command handler decides on. */
export async function fold<State, Event extends DomainEvent>(
  store: EventStore,
  streamId: string,
  decider: Decider<unknown, State, Event>,
): Promise<State> {
  const stored = await store.readStream(streamId);
  return stored.reduce((s, e) => decider.evolve(s, e as unknown as Event), decider.initialState());
}

/** The campaign's current state, read from its stream (write side). */
export const loadCampaign = (store: EventStore, campaignId: string): Promise<CampaignState> =>
  fold(store, campaignStream(campaignId), campaignDecider as Decider<unknown, CampaignState, never>);

/** What a command on the campaign answers: its stream revision and log position. */
export interface CampaignOutcome {
  id: string;
  revision: number;
  position: number | null;
  replayed: boolean;
}
