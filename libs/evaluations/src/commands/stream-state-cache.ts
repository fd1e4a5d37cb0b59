import type { Decider, DomainEvent, EventStore } from '@dukao/event-store';

/** A stream's state folded from its first `length` events (`length` is the stream's revision + 1). */
export interface FoldedState<State> {
  readonly length: number;
  readonly state: State;
}

export interface StreamStateCacheOptions<State> {
  /** At most this many streams are kept (least recently used dropped first). */
  maxStreams: number;
  /** Size of a kept state, e.g. its token count; the sum over kept streams stays within `maxWeight`. */
  weigh?: (state: State) => number;
  maxWeight?: number;
}

/**
 * Folded states of streams kept in this process between commands. A kept state is a true fold of the
 * stream's first `length` events, never more, so it can be stale but never wrong: a decision taken on
 * it must append expecting revision `length - 1`, and a state made stale by another writer (another
 * process, a concurrent request, another handler) costs a conflict, a read of the tail and a new
 * decision. `current` brings a state up to date by reading only the events appended since it (O(new
 * events) instead of O(stream)); `kept` gives it without any read, for a caller that appends on it
 * with that expected revision. The decider's `evolve` must not change the state it is given (states
 * here are shared by concurrent commands). Least recently used streams are dropped beyond
 * `maxStreams` or `maxWeight`.
 */
export class StreamStateCache<State, Event extends DomainEvent> {
  private readonly entries = new Map<string, { folded: FoldedState<State>; weight: number }>();
  private weight = 0;

  constructor(
    private readonly decider: Decider<unknown, State, Event>,
    private readonly options: StreamStateCacheOptions<State>,
  ) {}

  /** The kept state of the stream, as last folded or appended here; possibly stale. No read. */
  kept(streamId: string): FoldedState<State> | null {
    const folded = this.entries.get(streamId)?.folded;
    return folded ? this.touch(streamId, folded) : null;
  }

  /**
   * The stream's state as of now: the kept one when the stream's revision says nothing was appended
   * since (one look at the stream's head), else folded on with the events appended since.
   */
  async checked(store: EventStore, streamId: string): Promise<FoldedState<State>> {
    const kept = this.entries.get(streamId)?.folded;
    if (kept && (await store.streamRevision(streamId)) === kept.length - 1) return this.touch(streamId, kept);
    return this.current(store, streamId);
  }

  /** The stream's state as of now: the kept one, folded on with the events appended since. */
  async current(store: EventStore, streamId: string): Promise<FoldedState<State>> {
    const kept = this.entries.get(streamId)?.folded ?? { length: 0, state: this.decider.initialState() };
    const tail = await store.readStream(streamId, { from: kept.length });
    if (tail.length > 0 && tail[0]!.revision !== kept.length) {
      // Not the stream the state was folded from (cannot happen with an append-only log): start over.
      if (kept.length === 0) throw new Error(`${streamId} does not start at revision 0`);
      this.weight -= this.entries.get(streamId)?.weight ?? 0;
      this.entries.delete(streamId);
      return this.current(store, streamId);
    }
    // Another command may have moved the kept state on while this one read: take the furthest.
    const latest = this.entries.get(streamId)?.folded;
    if (latest && latest.length >= kept.length + tail.length) return this.touch(streamId, latest);
    let folded = latest && latest.length > kept.length ? latest : kept;
    for (let i = folded.length - kept.length; i < tail.length; i += 1)
      folded = {
        length: folded.length + 1,
        state: this.decider.evolve(folded.state, tail[i] as unknown as Event),
      };
    return this.keep(streamId, folded);
  }

  /**
   * After `events` were appended on `base` (expecting revision `base.length - 1`): keeps the state
   * they lead to, unless the kept one is already further.
   */
  appended(streamId: string, base: FoldedState<State>, events: readonly Event[]): void {
    const kept = this.entries.get(streamId)?.folded;
    if (kept && kept.length >= base.length + events.length) return;
    this.keep(streamId, {
      length: base.length + events.length,
      state: events.reduce((s, e) => this.decider.evolve(s, e), base.state),
    });
  }

  private touch(streamId: string, folded: FoldedState<State>): FoldedState<State> {
    const entry = this.entries.get(streamId);
    if (entry) {
      this.entries.delete(streamId);
      this.entries.set(streamId, entry);
    }
    return folded;
  }

  private keep(streamId: string, folded: FoldedState<State>): FoldedState<State> {
    const previous = this.entries.get(streamId);
    if (previous && previous.folded.length > folded.length) return this.touch(streamId, previous.folded);
    const weight = this.options.weigh?.(folded.state) ?? 1;
    if (previous) {
      this.weight -= previous.weight;
      this.entries.delete(streamId);
    }
    this.entries.set(streamId, { folded, weight });
    this.weight += weight;
    const maxWeight = this.options.maxWeight ?? Number.POSITIVE_INFINITY;
    for (const [id, entry] of this.entries) {
      if (this.entries.size <= this.options.maxStreams && this.weight <= maxWeight) break;
      if (id === streamId) continue;
      this.entries.delete(id);
      this.weight -= entry.weight;
    }
    return folded;
  }

  /** How many streams are kept (for tests). */
  get size(): number {
    return this.entries.size;
  }
}
