import type { EventSubscription, StoredEvent } from './event-store.port';

export interface PollingSource {
  after: number | undefined;
  batchSize: number;
  /**
   * Reads up to `limit` events after `after`. `scannedTo` is the position the read has covered
   * (past the last returned event when a filter skipped some): the next read starts after it.
   */
  readBatch(
    after: number | undefined,
    limit: number,
  ): Promise<{ events: StoredEvent[]; scannedTo: number | undefined }>;
  /** Resolves when new events may be there (an append was seen, a poll interval passed, or the signal aborted). */
  waitForAppend(signal: AbortSignal): Promise<void>;
}

/**
 * A catch-up subscription built from ordered batch reads: read from the cursor until a short batch,
 * then wait for an append and read again. The cursor only moves past events that were yielded or
 * that the read scanned, so nothing is skipped or reordered.
 */
export function pollingSubscription(source: PollingSource): EventSubscription {
  const stop = new AbortController();
  async function* run(): AsyncGenerator<StoredEvent> {
    let cursor = source.after;
    while (!stop.signal.aborted) {
      const { events, scannedTo } = await source.readBatch(cursor, source.batchSize);
      for (const event of events) {
        if (stop.signal.aborted) return;
        yield event;
        cursor = event.position;
      }
      if (scannedTo !== undefined && (cursor === undefined || scannedTo > cursor)) cursor = scannedTo;
      if (events.length < source.batchSize) await source.waitForAppend(stop.signal);
    }
  }
  const iterator = run();
  return {
    [Symbol.asyncIterator]: () => iterator,
    async close() {
      stop.abort();
      await iterator.return(undefined);
    },
  };
}
