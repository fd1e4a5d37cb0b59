import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Logger } from '@nestjs/common';
import type { EventStore } from '@dukao/event-store';
import type { ReadModelStore } from '@dukao/read-model-store';
import type { Projection } from './projection';
import { ProjectionRunner, type RunnerFailure, type RunnerState } from './projection-runner';

export interface ProjectionEngineOptions {
  batchSize?: number;
  /** Identifies this process in leases. */
  owner?: string;
  leaseTtlMs?: number;
  logger?: Pick<Logger, 'log' | 'warn' | 'error'>;
}

export type ProjectionState = RunnerState | 'standby' | 'rebuilding';

export interface ProjectionStatus {
  name: string;
  version: number;
  /** The generation queries read, and the version that built it. */
  activeGeneration: number | null;
  activeVersion: number | null;
  state: ProjectionState;
  position: number | null;
  headPosition: number | null;
  lag: number | null;
  rebuild: { generation: number; state: RunnerState; position: number | null } | null;
  failure: RunnerFailure | null;
}

interface Slot {
  projection: Projection;
  live: ProjectionRunner | null;
  building: ProjectionRunner | null;
  hasLease: boolean;
}

export class ProjectionBusyError extends Error {
  readonly code = 'PROJECTION_BUSY';
  constructor(message: string) {
    super(message);
    this.name = 'ProjectionBusyError';
  }
}

export class UnknownProjectionError extends Error {
  readonly code = 'UNKNOWN_PROJECTION';
  constructor(readonly projection: string) {
    super(`no projection named ${projection}`);
    this.name = 'UnknownProjectionError';
  }
}

/**
 * Runs projections: one live runner per projection on its active generation, plus a second runner
 * while a new generation is rebuilt from position 0 (after a version bump or on request). The old
 * generation serves until the new one reaches the head of the log; then the old runner stops and
 * the store swaps generations in one step.
 *
 * Each projection runs only where this process holds its lease, so two workers never run the same
 * projection; the other waits in `standby` and takes over when the lease expires.
 */
export class ProjectionEngine {
  private readonly slots = new Map<string, Slot>();
  private readonly batchSize: number;
  private readonly owner: string;
  private readonly leaseTtlMs: number;
  private readonly logger: Pick<Logger, 'log' | 'warn' | 'error'>;
  private leaseTimer: NodeJS.Timeout | null = null;
  private started = false;

  constructor(
    private readonly eventStore: EventStore,
    private readonly readStore: ReadModelStore,
    projections: readonly Projection[],
    options: ProjectionEngineOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.leaseTtlMs = options.leaseTtlMs ?? 30_000;
    this.logger = options.logger ?? new Logger('Projections');
    for (const projection of projections) {
      if (this.slots.has(projection.name)) throw new Error(`two projections named ${projection.name}`);
      this.slots.set(projection.name, { projection, live: null, building: null, hasLease: false });
    }
  }

  get projections(): Projection[] {
    return [...this.slots.values()].map((slot) => slot.projection);
  }

  async start(): Promise<void> {
    this.started = true;
    await this.tendLeases();
    this.leaseTimer = setInterval(
      () => void this.tendLeases(),
      Math.max(50, Math.floor(this.leaseTtlMs / 3)),
    );
    this.leaseTimer.unref();
  }

  /** Stops every runner (each commits what it has), then gives up the leases. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    for (const slot of this.slots.values()) await this.release(slot);
  }

  /** Builds a fresh generation of `name` from position 0 while the current one keeps serving. */
  async rebuild(name: string): Promise<void> {
    const slot = this.slot(name);
    if (!slot.hasLease)
      throw new ProjectionBusyError(`projection ${name} runs in another process; rebuild it there`);
    if (slot.building) throw new ProjectionBusyError(`projection ${name} is already being rebuilt`);
    const registration = await this.readStore.registration(name);
    await this.startBuilding(slot, (registration?.generation ?? 0) + 1);
  }

  /** The projection whose documents fill `collection`. */
  ownerOf(collection: string): string {
    for (const slot of this.slots.values()) {
      if (slot.projection.collections.some((spec) => spec.name === collection)) return slot.projection.name;
    }
    throw new UnknownProjectionError(`(collection ${collection})`);
  }

  /** Resolves true when `name` has taken `position` into account, false after `timeoutMs`. */
  async waitFor(name: string, position: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reached = await this.activePosition(name);
      if (reached !== null && reached >= position) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      const runner = this.slot(name).live;
      // Wake on local progress; poll the store where another process runs the projection.
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          runner?.progress.off('position', done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(left, runner ? 250 : 25));
        runner?.progress.on('position', done);
      });
    }
  }

  async statuses(): Promise<ProjectionStatus[]> {
    const head = await this.eventStore.headPosition();
    return Promise.all(
      [...this.slots.values()].map(async (slot): Promise<ProjectionStatus> => {
        const registration = await this.readStore.registration(slot.projection.name);
        const live = slot.live;
        const position = live?.position ?? registration?.checkpoint ?? null;
        const state: ProjectionState = !slot.hasLease
          ? 'standby'
          : live
            ? live.state
            : slot.building
              ? 'rebuilding'
              : this.started
                ? 'starting'
                : 'stopped';
        return {
          name: slot.projection.name,
          version: slot.projection.version,
          activeGeneration: registration?.generation ?? null,
          activeVersion: registration?.version ?? null,
          state,
          position,
          headPosition: head,
          lag: head === null ? 0 : Math.max(0, head - (position ?? 0)),
          rebuild: slot.building
            ? {
                generation: slot.building.generation,
                state: slot.building.state,
                position: slot.building.position,
              }
            : null,
          failure: live?.failure ?? slot.building?.failure ?? null,
        };
      }),
    );
  }

  private slot(name: string): Slot {
    const slot = this.slots.get(name);
    if (!slot) throw new UnknownProjectionError(name);
    return slot;
  }

  private async activePosition(name: string): Promise<number | null> {
    const slot = this.slot(name);
    if (slot.live) return slot.live.position;
    return (await this.readStore.registration(name))?.checkpoint ?? null;
  }

  private async tendLeases(): Promise<void> {
    for (const slot of this.slots.values()) {
      if (!this.started) return;
      const name = slot.projection.name;
      let held: boolean;
      try {
        held = await this.readStore.acquireLease(`projection:${name}`, this.owner, this.leaseTtlMs);
      } catch (error) {
        this.logger.warn(`projection ${name}: lease check failed (${String(error)})`);
        continue;
      }
      if (held && !slot.hasLease) {
        slot.hasLease = true;
        await this.run(slot);
      } else if (!held && slot.hasLease) {
        this.logger.warn(`projection ${name}: lease lost to another process; standing by`);
        await this.release(slot);
      }
    }
  }

  private async run(slot: Slot): Promise<void> {
    const { projection } = slot;
    const registration = await this.readStore.registration(projection.name);
    if (!registration) {
      // First start: there is nothing older to serve, so the first generation serves while it fills.
      await this.readStore.generation(projection.name, 1, projection.collections);
      await this.readStore.activate(projection.name, 1, projection.version);
      slot.live = this.runner(slot, 1);
    } else if (registration.version === projection.version) {
      slot.live = this.runner(slot, registration.generation);
    } else {
      this.logger.log(
        `projection ${projection.name}: version ${registration.version} → ${projection.version}, rebuilding; the old view serves meanwhile`,
      );
      await this.startBuilding(slot, registration.generation + 1);
    }
    slot.live?.start();
  }

  private async startBuilding(slot: Slot, generation: number): Promise<void> {
    const { projection } = slot;
    // A generation left half-built by an earlier run may come from other code: start it afresh.
    const leftover = await this.readStore.generation(projection.name, generation, projection.collections);
    await leftover.drop();
    slot.building = this.runner(slot, generation, async (runner) => {
      await slot.live?.stop();
      await this.readStore.activate(projection.name, runner.generation, projection.version);
      slot.live = runner;
      slot.building = null;
      this.logger.log(
        `projection ${projection.name}: generation ${runner.generation} caught up and now serves`,
      );
    });
    slot.building.start();
  }

  private runner(slot: Slot, generation: number, onCaughtUp?: (runner: ProjectionRunner) => Promise<void>) {
    return new ProjectionRunner({
      eventStore: this.eventStore,
      readStore: this.readStore,
      projection: slot.projection,
      generation,
      batchSize: this.batchSize,
      logger: this.logger,
      onCaughtUp,
    });
  }

  private async release(slot: Slot): Promise<void> {
    await slot.building?.stop();
    await slot.live?.stop();
    slot.building = null;
    slot.live = null;
    if (slot.hasLease) {
      slot.hasLease = false;
      await this.readStore
        .releaseLease(`projection:${slot.projection.name}`, this.owner)
        .catch(() => undefined);
    }
  }
}
