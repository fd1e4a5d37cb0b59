import {
  type Actor,
  type EventData,
  type EventStore,
  type NewEvent,
  type StoredEvent,
  WrongExpectedRevisionError,
} from './event-store.port';
import { deriveEventId } from './event-id';

/** A domain event as deciders see it: the business fact only; the envelope belongs to the store. */
export interface DomainEvent<Type extends string = string, Data extends EventData = EventData> {
  type: Type;
  data: Data;
  schemaVersion?: number;
}

/** Pure aggregate logic: no I/O, no clock, no randomness (time and ids come in with the command). */
export interface Decider<Command, State, Event extends DomainEvent> {
  initialState(): State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): Event[];
}

export interface CommandContext {
  /**
   * The client's command id (from the Idempotency-Key): event ids derive from it and the stream, so a
   * retried command appends nothing, and one command may write to several streams.
   */
  commandId: string;
  actor: Actor;
  correlationId: string;
  causationId?: string | null;
  /** Business time of the facts, when it differs from the time of recording. */
  occurredAt?: string;
}

export interface HandleCommandOptions<State = unknown> {
  /**
   * Runs on the loaded state before `decide`, for checks that are not the aggregate's own rules
   * (e.g. may this caller act for the target's unit). Throw to refuse.
   */
  check?: (state: State) => void;
  /** The revision the client saw (If-Match). With it, a concurrent change is the client's conflict: no retry. */
  expectedRevision?: number | 'no_stream';
  /** Reload-and-redecide attempts on a concurrent append when the client did not pin a revision (default 25, with jitter). */
  maxRetries?: number;
}

export interface CommandResult<State> {
  streamId: string;
  /** The stream's revision after the command (-1 when it still has no events). */
  nextRevision: number;
  /** Log position of the stream's last event (the one just written, or the existing last one when nothing was). */
  position: number | null;
  events: DomainEvent[];
  state: State;
  /** True when the command id was seen before and its original result is returned. */
  replayed: boolean;
}

/** The id of a command's `index`-th event on `streamId`: a retried command derives the same ids. */
export const commandEventId = (streamId: string, commandId: string, index: number): string =>
  deriveEventId(`${streamId}\u0000${commandId}`, index);

/** What a command appends for its events: ids derived from the stream and command id, metadata from its context. */
export function commandEnvelopes(
  streamId: string,
  events: readonly DomainEvent[],
  context: CommandContext,
): NewEvent[] {
  return events.map((event, index) => ({
    id: commandEventId(streamId, context.commandId, index),
    type: event.type,
    schemaVersion: event.schemaVersion ?? 1,
    data: event.data,
    metadata: {
      actor: context.actor,
      correlationId: context.correlationId,
      causationId: context.causationId ?? null,
      commandId: context.commandId,
      ...(context.occurredAt ? { occurredAt: context.occurredAt } : {}),
    },
  }));
}

/**
 * Load → fold → decide → append with the loaded revision. On a concurrent append, reload and decide
 * again. A command whose first event id is already in the stream was handled before: its original
 * outcome is returned and nothing is appended.
 */
export async function handleCommand<Command, State, Event extends DomainEvent>(
  store: EventStore,
  streamId: string,
  decider: Decider<Command, State, Event>,
  command: Command,
  context: CommandContext,
  options: HandleCommandOptions<State> = {},
): Promise<CommandResult<State>> {
  const maxRetries = options.expectedRevision === undefined ? (options.maxRetries ?? 25) : 0;
  const firstId = commandEventId(streamId, context.commandId, 0);
  for (let attempt = 0; ; attempt += 1) {
    const stored = await store.readStream(streamId);
    const replay = replayedResult(stored, firstId, context.commandId, decider);
    if (replay) return { streamId, ...replay };

    const revision = stored.length - 1;
    const expected = options.expectedRevision === 'no_stream' ? -1 : options.expectedRevision;
    if (expected !== undefined && expected !== revision) {
      throw new WrongExpectedRevisionError(
        streamId,
        options.expectedRevision!,
        revision < 0 ? null : revision,
      );
    }
    const state = stored.reduce((s, e) => decider.evolve(s, e as unknown as Event), decider.initialState());
    options.check?.(state);
    const events = decider.decide(command, state);
    if (events.length === 0) {
      return {
        streamId,
        nextRevision: revision,
        position: stored.at(-1)?.position ?? null,
        events,
        state,
        replayed: false,
      };
    }
    try {
      const result = await store.append(streamId, commandEnvelopes(streamId, events, context), {
        expectedRevision: revision < 0 ? 'no_stream' : revision,
      });
      return {
        streamId,
        nextRevision: result.nextRevision,
        position: result.position,
        events,
        state: events.reduce((s, e) => decider.evolve(s, e), state),
        replayed: false,
      };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || attempt >= maxRetries) throw error;
      // Concurrent losers would otherwise reload together and collide again in the next group commit.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** attempt)));
    }
  }
}

function replayedResult<State, Event extends DomainEvent>(
  stored: StoredEvent[],
  firstId: string,
  commandId: string,
  decider: Decider<unknown, State, Event>,
): Omit<CommandResult<State>, 'streamId'> | null {
  const start = stored.findIndex((event) => event.id === firstId);
  if (start < 0) return null;
  let end = start;
  while (end + 1 < stored.length && stored[end + 1]!.metadata.commandId === commandId) end += 1;
  const upTo = stored.slice(0, end + 1);
  const last = upTo[upTo.length - 1]!;
  return {
    nextRevision: last.revision,
    position: last.position,
    events: stored
      .slice(start, end + 1)
      .map(({ type, data, schemaVersion }) => ({ type, data, schemaVersion })),
    state: upTo.reduce((s, e) => decider.evolve(s, e as unknown as Event), decider.initialState()),
    replayed: true,
  };
}
