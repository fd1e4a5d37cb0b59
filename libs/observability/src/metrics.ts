import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Seconds: from 1 ms (a cached read) to 10 s (a large import). */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Event types that mean a reminder SMS left, or failed for good. */
export const SMS_SENT_EVENTS: ReadonlySet<string> = new Set(['SmsSent']);
export const SMS_FAILED_EVENTS: ReadonlySet<string> = new Set(['SmsRejected', 'SmsDeliveryFailed']);

/**
 * The process's Prometheus metrics, on a registry of its own (two apps in one test process do not
 * mix). Names and labels are listed in docs/operations.md; label values are bounded (route
 * templates, stream categories, projection names), never ids or user input.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequestDuration = new Histogram({
    name: 'dukao_http_request_duration_seconds',
    help: 'HTTP request latency by route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly eventAppendDuration = new Histogram({
    name: 'dukao_event_append_duration_seconds',
    help: 'Latency of one append to the event store, by stream category and outcome (ok, conflict, error)',
    labelNames: ['category', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly eventsAppended = new Counter({
    name: 'dukao_events_appended_total',
    help: 'Events appended by this process, by stream category',
    labelNames: ['category'] as const,
    registers: [this.registry],
  });

  readonly smsSent = new Counter({
    name: 'dukao_sms_sent_total',
    help: 'Reminder SMS sent by this process (SmsSent recorded in the log)',
    registers: [this.registry],
  });

  readonly smsFailed = new Counter({
    name: 'dukao_sms_failed_total',
    help: 'Reminder SMS that failed for good, by event (SmsRejected: refused by the provider; SmsDeliveryFailed: receipt)',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });

  readonly projectionLag = new Gauge({
    name: 'dukao_projection_lag_events',
    help: 'Log head position minus the checkpoint of each projection and reactor',
    labelNames: ['name', 'kind'] as const,
    registers: [this.registry],
  });

  readonly projectionState = new Gauge({
    name: 'dukao_projection_state',
    help: '1 for the state each projection or reactor is in (caught-up, lagging, failed, standby, stopped)',
    labelNames: ['name', 'kind', 'state'] as const,
    registers: [this.registry],
  });

  readonly queueJobs = new Gauge({
    name: 'dukao_queue_jobs',
    help: 'Jobs in the reminder queue by state (pending includes delayed and retrying)',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false)
      collectDefaultMetrics({ register: this.registry, prefix: 'dukao_' });
  }

  /** Counts one stored event of `type` in `streamId` (appended by this process). */
  countAppended(streamId: string, type: string): void {
    this.eventsAppended.inc({ category: streamCategory(streamId) });
    if (SMS_SENT_EVENTS.has(type)) this.smsSent.inc();
    if (SMS_FAILED_EVENTS.has(type)) this.smsFailed.inc({ event: type });
  }

  /** The exposition text, for `GET /metrics`. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** `target-…` → `target`: the category of a stream (STYLE §4 names streams `<category>-<uuid>`). */
export function streamCategory(streamId: string): string {
  const dash = streamId.indexOf('-');
  const category = dash > 0 ? streamId.slice(0, dash) : streamId;
  return /^[A-Za-z][A-Za-z0-9_]{0,40}$/.test(category) ? category : 'other';
}
