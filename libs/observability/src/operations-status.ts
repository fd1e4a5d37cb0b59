import { Inject, Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '@dukao/config';
import { EVENT_STORE, type EventStore } from '@dukao/event-store';
import { JOB_QUEUE, type JobQueue, type JobState } from '@dukao/notifications';
import { LogReactor, ProjectionEngine, type ProjectionStatus } from '@dukao/projections';
import { READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import { Metrics } from './metrics';

/** How long one dependency may take to answer a health check before it counts as down. */
export const CHECK_TIMEOUT_MS = 2000;

export type DependencyCheck =
  { status: 'up'; adapter: string; latencyMs: number } | { status: 'down'; adapter: string; error: string };

/**
 * - `caught-up`: has applied the whole log (a reactor: every event of its filter);
 * - `lagging`: running, behind the head of the log;
 * - `failed`: stopped at an event its code cannot apply, or its storage keeps failing (stalled);
 * - `standby`: another process holds its lease and runs it;
 * - `stopped`: not running here (the api in production mode, or shutting down).
 */
export type ProgressStatus = 'caught-up' | 'lagging' | 'failed' | 'standby' | 'stopped';

export interface ProgressReport {
  name: string;
  kind: 'projection' | 'reactor';
  status: ProgressStatus;
  /** The checkpoint: the last log position taken into account. */
  position: number | null;
  /** Head position minus the checkpoint (0 for a reactor with nothing of its filter left). */
  lag: number;
  /** The projection engine's own state (`live`, `catching-up`, `rebuilding`, …); projections only. */
  state?: string;
  failure?: ProjectionStatus['failure'];
}

export interface OperationsReport {
  /** `down`: a dependency is unreachable (not ready, 503); `degraded`: a projection failed (ready). */
  status: 'ok' | 'degraded' | 'down';
  mode: AppConfig['mode'];
  eventStore: DependencyCheck & { headPosition?: number | null };
  readStore: DependencyCheck;
  /** Redis when REDIS_URL is set, else the embedded SQLite queue; with the jobs per state. */
  queue: DependencyCheck & { jobs?: Record<JobState, number> };
  projections: ProgressReport[];
}

/**
 * What `/health`, the readiness check and `/metrics` report, computed in one place for the api and
 * the worker: each dependency is asked something cheap with a time limit, and each projection's and
 * reactor's checkpoint is compared with the head of the log.
 */
@Injectable()
export class OperationsStatus {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(READ_MODEL_STORE) private readonly readStore: ReadModelStore,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    private readonly engine: ProjectionEngine,
    private readonly discovery: DiscoveryService,
    private readonly metrics: Metrics,
  ) {}

  async report(): Promise<OperationsReport> {
    const [eventStore, readStore, queue] = await Promise.all([
      check(this.config.eventStore.kind, () => this.eventStore.headPosition()),
      check(this.config.readStoreUrl?.startsWith('mongodb') ? 'mongodb' : 'sqlite', () =>
        this.readStore.registration('health-check'),
      ),
      check(this.config.redisUrl ? 'bullmq' : 'sqlite', () => this.queue.counts()),
    ]);
    const head = eventStore.value ?? null;
    const projections =
      eventStore.check.status === 'up' && readStore.check.status === 'up'
        ? await this.progress(head).catch(() => [])
        : [];
    const down = [eventStore.check, readStore.check, queue.check].some((c) => c.status === 'down');
    const failed = projections.some((p) => p.status === 'failed');
    return {
      status: down ? 'down' : failed ? 'degraded' : 'ok',
      mode: this.config.mode,
      eventStore: {
        ...eventStore.check,
        ...(eventStore.check.status === 'up' ? { headPosition: head } : {}),
      },
      readStore: readStore.check,
      queue: { ...queue.check, ...(queue.value ? { jobs: queue.value } : {}) },
      projections,
    };
  }

  /** Sets the gauges of {@link Metrics} from a fresh report; called on each scrape. */
  async refreshMetrics(): Promise<OperationsReport> {
    const report = await this.report();
    const { projectionLag, projectionState, queueJobs } = this.metrics;
    projectionLag.reset();
    projectionState.reset();
    for (const p of report.projections) {
      projectionLag.set({ name: p.name, kind: p.kind }, p.lag);
      projectionState.set({ name: p.name, kind: p.kind, state: p.status }, 1);
    }
    queueJobs.reset();
    for (const [state, count] of Object.entries(report.queue.jobs ?? {})) queueJobs.set({ state }, count);
    return report;
  }

  private async progress(head: number | null): Promise<ProgressReport[]> {
    const projections = (await this.engine.statuses()).map((s): ProgressReport => ({
      name: s.name,
      kind: 'projection',
      status:
        s.state === 'failed' || s.state === 'stalled'
          ? 'failed'
          : s.state === 'standby' || s.state === 'stopped'
            ? s.state
            : s.state === 'live' && (s.lag ?? 0) === 0
              ? 'caught-up'
              : 'lagging',
      position: s.position,
      lag: s.lag ?? 0,
      state: s.state,
      failure: s.failure,
    }));
    const reactors = await Promise.all(
      this.reactors().map(async (reactor): Promise<ProgressReport> => {
        const r = await reactor.lagReport();
        const lag = r.nextPosition === null || head === null ? 0 : Math.max(0, head - (r.position ?? 0));
        return {
          name: r.name,
          kind: 'reactor',
          status: !r.active ? 'standby' : lag === 0 ? 'caught-up' : 'lagging',
          position: r.position,
          lag,
        };
      }),
    );
    return [...projections, ...reactors];
  }

  private reactors(): LogReactor[] {
    return this.discovery
      .getProviders()
      .map((wrapper) => wrapper.instance as unknown)
      .filter((instance): instance is LogReactor => instance instanceof LogReactor);
  }
}

async function check<T>(
  adapter: string,
  probe: () => Promise<T>,
): Promise<{ check: DependencyCheck; value?: T }> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const value = await Promise.race([
      probe(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
    return { check: { status: 'up', adapter, latencyMs: Date.now() - started }, value };
  } catch (error) {
    return {
      check: {
        status: 'down',
        adapter,
        error: withoutCredentials(error instanceof Error ? error.message : String(error)),
      },
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Driver errors may quote a connection string: never show its user and password. */
function withoutCredentials(message: string): string {
  return message.replace(/\/\/[^/@\s]+@/g, '//***@');
}
