import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The correlation id of the work being done (an HTTP request, an event a reactor handles), so that
 * every log line it causes carries it. The api sets it per request; reactors per event, from the
 * event's metadata. The JSON logger reads it (`@dukao/observability`).
 */
export const logContext = new AsyncLocalStorage<{ correlationId: string }>();

/** Runs `fn` with `correlationId` as the current log context. */
export function withCorrelationId<T>(correlationId: string, fn: () => T): T {
  return logContext.run({ correlationId }, fn);
}
