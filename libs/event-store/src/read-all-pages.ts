import type { EventStore, ReadAllOptions, StoredEvent } from './event-store.port';

/** Iterates the log (or a filtered part of it) page by page, without holding it in memory. */
export async function* readAllPages(
  store: EventStore,
  options: Omit<ReadAllOptions, 'limit'> & { pageSize?: number } = {},
): AsyncGenerator<StoredEvent> {
  const { pageSize = 5000, ...rest } = options;
  let after = rest.after;
  for (;;) {
    const page = await store.readAll({ ...rest, after, limit: pageSize });
    yield* page;
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.position;
  }
}
