import { Inject, Injectable, Logger } from '@nestjs/common';
import { EVENT_STORE, type EventStore, type LogFilter, type StoredEvent } from '@dukao/event-store';
import { LogReactor, ProjectionEngine } from '@dukao/projections';
import { READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import {
  CYCLES,
  type CycleEvent,
  TARGET_EVENT_TYPES,
  TARGETS,
  type TargetEvent,
  type TargetView,
} from '@dukao/targets';
import { MilestoneLightsEvaluator } from './milestone-lights-evaluator';
import { WarningEvaluator } from './warning-evaluator';

/** Name of the reactor's checkpoint in the read-model store (a generation with no collections). */
export const WARNING_REACTOR = 'warningReactor';
/** The events the reactor reads: every change to a target, and a new scheme version. */
const REACTS_TO: LogFilter = {
  streamPrefixes: ['target-', 'cycle-'],
  eventTypes: [...TARGET_EVENT_TYPES, 'SchemePublished'],
};
/** The views an evaluation reads. */
const READS = [TARGETS, CYCLES];

/**
 * Re-evaluates a target's warning, and its milestones' lights, after each change to it (a report,
 * a verification, a rejection, an adjustment, a withdrawal, its own thresholds set: every type of
 * `TARGET_EVENT_TYPES`) and every target of a cycle after a new scheme version is published:
 * Event → Command, as STYLE §2. A {@link LogReactor}: it follows the log from its own checkpoint,
 * in the one process holding its lease, once the `targets` and `cycles` views have applied the event.
 *
 * Command ids derive from the target and the event id, so handling an event again (after a crash
 * before the checkpoint, or a lease taken over mid-event) appends nothing twice. An evaluation that
 * keeps failing is logged and skipped: the next tick (`WarningsTick`) evaluates the target anyway.
 */
@Injectable()
export class EvaluateWarningWhenTargetChanged extends LogReactor {
  constructor(
    private readonly evaluator: WarningEvaluator,
    private readonly lights: MilestoneLightsEvaluator,
    engine: ProjectionEngine,
    @Inject(EVENT_STORE) events: EventStore,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
  ) {
    super(
      { events, views, engine },
      {
        name: WARNING_REACTOR,
        filter: REACTS_TO,
        waitForViews: READS,
        logger: new Logger('WarningReactor'),
      },
    );
  }

  protected async handle(event: StoredEvent): Promise<void> {
    const context = { correlationId: event.metadata.correlationId, causationId: event.id };
    const cause = { kind: 'event' as const, eventId: event.id };
    if (event.type === 'SchemePublished') {
      const { cycleId } = (event as unknown as Extract<CycleEvent, { type: 'SchemePublished' }>).data;
      const targets = await this.views.find<TargetView>(TARGETS, { cycleId, status: 'issued' });
      for (const target of targets) {
        await this.evaluator.evaluate(target, cause, context);
        await this.lights.evaluate(target, cause, context);
      }
    } else {
      const target = await this.views.get<TargetView>(
        TARGETS,
        (event as unknown as TargetEvent).data.targetId,
      );
      if (!target) return;
      await this.evaluator.evaluate(target, cause, context);
      await this.lights.evaluate(target, cause, context);
    }
  }
}
