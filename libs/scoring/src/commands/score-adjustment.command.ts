import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  type CommandContext,
  EVENT_STORE,
  type EventStore,
  type StoredEvent,
  handleCommand,
} from '@dukao/event-store';
import {
  type CycleEvent,
  type CycleState,
  cycleDecider,
  cycleStream,
  type UnitEvent,
  type UnitState,
  unitDecider,
  unitStream,
} from '@dukao/targets';
import {
  type ScoreRecordCommand,
  type ScoreRecordReferences,
  scoreRecordDecider,
  startOfShanghaiDay,
} from '../domain/score-adjustment.decider';
import { scoreRecordStream } from '../domain/score-adjustment.events';

/** What recording answers: the record's id, the stream revision and the log position (read-your-writes). */
export interface ScoreRecordOutcome {
  id: string;
  revision: number;
  position: number | null;
  replayed: boolean;
}

type Request = DistributiveOmit<ScoreRecordCommand, 'references' | 'at'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Records an adjustment (加减分) or a veto (一票否决) for a unit in a cycle (the assessment office). */
export class RecordScoreRecord extends Command<ScoreRecordOutcome> {
  constructor(
    readonly request: Request,
    readonly context: CommandContext,
    readonly at: string,
  ) {
    super();
  }
}

async function fold<S, E>(
  store: EventStore,
  streamId: string,
  decider: { initialState(): S; evolve(s: S, e: E): S },
): Promise<S> {
  const events: StoredEvent[] = await store.readStream(streamId);
  return events.reduce((s, e) => decider.evolve(s, e as unknown as E), decider.initialState());
}

/**
 * Reads the cycle and the unit from their own streams (never a view that may lag), then decides on
 * the unit's record stream. The event's business time (`occurredAt` in its metadata) is the start of
 * the date it applies to, so the timeline shows it beside the time it was recorded.
 */
@CommandHandler(RecordScoreRecord)
export class RecordScoreRecordHandler implements ICommandHandler<RecordScoreRecord> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ request, context, at }: RecordScoreRecord): Promise<ScoreRecordOutcome> {
    const [cycle, unit] = await Promise.all([
      fold<CycleState, CycleEvent>(this.store, cycleStream(request.cycleId), cycleDecider),
      fold<UnitState, UnitEvent>(this.store, unitStream(request.unitId), unitDecider),
    ]);
    const references: ScoreRecordReferences = {
      cycle: { status: cycle.status, year: cycle.status === 'none' ? null : cycle.year },
      unitExists: unit.status === 'registered',
    };
    const occurredAt = startOfShanghaiDay(request.occurredOn);
    const result = await handleCommand(
      this.store,
      scoreRecordStream(request.cycleId, request.unitId),
      scoreRecordDecider,
      { ...request, references, at },
      { ...context, ...(occurredAt ? { occurredAt } : {}) },
    );
    return {
      id: request.type === 'AdjustScore' ? request.adjustmentId : request.vetoId,
      revision: result.nextRevision,
      position: result.position,
      replayed: result.replayed,
    };
  }
}
