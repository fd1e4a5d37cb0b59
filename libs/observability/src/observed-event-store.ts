import {
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type EventSubscription,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type SubscribeOptions,
  WrongExpectedRevisionError,
} from '@dukao/event-store';
import { type Metrics, streamCategory } from './metrics';

/**
 * The event store port measured from outside, so both adapters (SQLite, KurrentDB) are timed the
 * same way: each append's latency by stream category and outcome, and the events it stored (SMS
 * counters come from the types appended). Everything else passes through untouched.
 */
export class ObservedEventStore implements EventStore {
  constructor(
    private readonly inner: EventStore,
    private readonly metrics: Metrics,
  ) {}

  get positionsAreGapFree(): boolean {
    return this.inner.positionsAreGapFree;
  }

  async append(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    const end = this.metrics.eventAppendDuration.startTimer({ category: streamCategory(streamId) });
    try {
      const result = await this.inner.append(streamId, events, options);
      end({ outcome: 'ok' });
      for (const event of events) this.metrics.countAppended(streamId, event.type);
      return result;
    } catch (error) {
      end({ outcome: error instanceof WrongExpectedRevisionError ? 'conflict' : 'error' });
      throw error;
    }
  }

  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    return this.inner.readStream(streamId, options);
  }

  readAll(options?: ReadAllOptions): Promise<StoredEvent[]> {
    return this.inner.readAll(options);
  }

  subscribe(options?: SubscribeOptions): EventSubscription {
    return this.inner.subscribe(options);
  }

  streamRevision(streamId: string): Promise<number | null> {
    return this.inner.streamRevision(streamId);
  }

  headPosition(): Promise<number | null> {
    return this.inner.headPosition();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
