import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  type CommandContext,
  EVENT_STORE,
  type EventStore,
  deriveEventId,
  handleCommand,
} from '@dukao/event-store';
import type { EvidenceRef } from '@dukao/evidence-store';
import { type TargetEvent, cycleStream, targetStream } from '@dukao/targets';
import { type SpotCheckState, spotCheckDecider } from './spot-check.decider';
import { SpotCheckErrors } from './spot-check.errors';
import { type SpotCheckEvent, type SpotCheckOutcome, spotCheckStream } from './spot-check.events';
import { type FrameRule, buildFrame } from './spot-check.frame';
import { readLogAt } from './spot-check.log';
import type { SampleSize, Strata } from './spot-check.sampler';

/** What a spot-check command answers: the draw, its stream revision and log position (read-your-writes). */
export interface SpotCheckOutcomeResult {
  id: string;
  revision: number;
  position: number | null;
  replayed: boolean;
}

export interface DrawSpotCheckRequest {
  spotCheckId: string;
  title: string;
  rule: FrameRule;
  size: SampleSize;
  strata: Strata;
}

/** Draws a spot-check sample (察访核验抽样) at the log's current position. */
export class DrawSpotCheck extends Command<SpotCheckOutcomeResult> {
  constructor(
    readonly request: DrawSpotCheckRequest,
    readonly context: CommandContext,
    readonly at: string,
  ) {
    super();
  }
}

/**
 * Takes the log's head position P, the event there (the seed's source) and the target events up to P
 * (the frame, by the request's rule), then lets the decider draw. Events appended after P do not
 * change the draw; the draw records P, so anyone can rebuild the same frame and seed from the log.
 */
@CommandHandler(DrawSpotCheck)
export class DrawSpotCheckHandler implements ICommandHandler<DrawSpotCheck> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ request, context, at }: DrawSpotCheck): Promise<SpotCheckOutcomeResult> {
    const position = (await this.store.headPosition()) ?? 0;
    const [log, cycle] = await Promise.all([
      readLogAt(this.store, position),
      this.store.readStream(cycleStream(request.rule.cycleId)),
    ]);
    const result = await handleCommand(
      this.store,
      spotCheckStream(request.spotCheckId),
      spotCheckDecider,
      {
        type: 'DrawSpotCheck',
        ...request,
        frame: buildFrame(log.targetEvents, request.rule),
        log: log.event ?? { position, eventId: '', hash: '' },
        cycleKnown: cycle.some((e) => e.type === 'CycleOpened'),
        role: context.actor.role,
        at,
      },
      context,
    );
    return {
      id: request.spotCheckId,
      revision: result.nextRevision,
      position: result.position,
      replayed: result.replayed,
    };
  }
}

export interface SpotCheckOutcomeRequest {
  spotCheckId: string;
  itemId: string;
  outcome: SpotCheckOutcome;
  reportId: string | null;
  findings: string | null;
  evidence: EvidenceRef[];
}

/** Records the on-site finding for one sampled item (inspectors). */
export class RecordSpotCheckOutcome extends Command<SpotCheckOutcomeResult> {
  constructor(
    readonly request: SpotCheckOutcomeRequest,
    readonly context: CommandContext,
    readonly at: string,
  ) {
    super();
  }
}

/** Reads the sampled item's target stream (its reports, to check the report named), then decides. */
@CommandHandler(RecordSpotCheckOutcome)
export class RecordSpotCheckOutcomeHandler implements ICommandHandler<RecordSpotCheckOutcome> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ request, context, at }: RecordSpotCheckOutcome): Promise<SpotCheckOutcomeResult> {
    const stream = spotCheckStream(request.spotCheckId);
    const state = (await this.store.readStream(stream)).reduce<SpotCheckState>(
      (s, e) => spotCheckDecider.evolve(s, e as unknown as SpotCheckEvent),
      spotCheckDecider.initialState(),
    );
    if (state.status === 'none') throw SpotCheckErrors.notFound(request.spotCheckId);
    const item = state.items[request.itemId];
    const targetReports = item
      ? (await this.store.readStream(targetStream(item.targetId))).flatMap((stored) => {
          const event = stored as unknown as TargetEvent;
          return event.type === 'ProgressReported' || event.type === 'NilReturnDeclared'
            ? [{ reportId: event.data.reportId, period: event.data.period }]
            : [];
        })
      : [];
    const result = await handleCommand(
      this.store,
      stream,
      spotCheckDecider,
      {
        type: 'RecordSpotCheckOutcome',
        ...request,
        targetReports,
        caseId: deriveEventId(`falsereport\u0000${context.commandId}`, 0),
        role: context.actor.role,
        at,
      },
      context,
    );
    return {
      id: request.spotCheckId,
      revision: result.nextRevision,
      position: result.position,
      replayed: result.replayed,
    };
  }
}
