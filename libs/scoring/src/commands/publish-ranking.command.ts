import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  type CommandContext,
  EVENT_STORE,
  type EventStore,
  handleCommand,
  readAllPages,
} from '@dukao/event-store';
import { READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import { type CycleOpened, CycleErrors, cycleStream, UNITS, type UnitView } from '@dukao/targets';
import { cutAtPosition, inputsDigest } from '../domain/inputs-digest';
import { type PublicationKind, publicationInstant, publishedRows } from '../domain/publication';
import { publicationDecider } from '../domain/publication.decider';
import { PublicationErrors } from '../domain/publication.errors';
import { publicationStream, type RankingPublished } from '../domain/publication.events';
import { scoreCategory } from '../domain/scoring.engine';
import { ScoringInputLoader } from '../scoring-input.loader';

/** What publishing answers: the publication, its stream revision and log position. */
export interface PublicationOutcome {
  id: string;
  revision: number;
  position: number | null;
  /** True when the Idempotency-Key was seen before: the original publication, nothing appended. */
  replayed: boolean;
  publication: RankingPublished['data'];
}

export interface PublishRankingRequest {
  publicationId: string;
  cycleId: string;
  category: string;
  kind: PublicationKind;
  period: string | null;
  appealWindowDays: number;
  note: string | null;
  /**
   * The log's head, which the units and targets views have reached: the input is cut there
   * (`cutAtPosition`), so the publication and any later verification read the same events.
   */
  logPosition: number;
}

/**
 * Publishes (公示) a category's ranking: scored at the month's or the cycle year's end as the log
 * knows it `now`, cut at `request.logPosition`. The caller makes sure the units and targets views
 * have reached that position (they say which units and targets there are; the numbers come from
 * the streams).
 */
export class PublishRanking extends Command<PublicationOutcome> {
  constructor(
    readonly request: PublishRankingRequest,
    readonly context: CommandContext,
    readonly now: string,
  ) {
    super();
  }
}

@CommandHandler(PublishRanking)
export class PublishRankingHandler implements ICommandHandler<PublishRanking> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    private readonly loader: ScoringInputLoader,
  ) {}

  async execute({ request, context, now }: PublishRanking): Promise<PublicationOutcome> {
    // A retried request (same Idempotency-Key) is answered from the log, without scoring again.
    const existing = await this.store.readStream(publicationStream(request.publicationId));
    const first = existing[0];
    if (first && first.metadata.commandId === context.commandId) {
      const last = existing.at(-1)!;
      const publication = (first as unknown as RankingPublished).data;
      return {
        id: publication.publicationId,
        revision: last.revision,
        position: last.position,
        replayed: true,
        publication,
      };
    }

    const opened = (await this.store.readStream(cycleStream(request.cycleId))).find(
      (e) => e.type === 'CycleOpened',
    ) as unknown as CycleOpened | undefined;
    if (!opened) throw CycleErrors.notFound();
    const cycleYear = opened.data.year;
    const at = publicationInstant(request.kind, request.period, cycleYear);
    if (now < at) throw PublicationErrors.periodNotEnded(request.period ?? String(cycleYear), at);

    const input = cutAtPosition(
      await this.loader.load({ cycleId: request.cycleId, category: request.category, at, asOf: now }),
      request.logPosition,
    );
    const scored = scoreCategory(input, { trace: 'none' });
    const units = await this.views.find<UnitView>(
      UNITS,
      { _id: { $in: scored.units.map((u) => u.unitId) } },
      { limit: Math.max(1, scored.units.length) },
    );
    const names = new Map(units.map((u) => [u._id, u.name]));
    const result = await handleCommand(
      this.store,
      publicationStream(request.publicationId),
      publicationDecider,
      {
        type: 'PublishRanking',
        ...request,
        cycleYear,
        now,
        scored: {
          at,
          schemeVersion: scored.schemeVersion,
          treeVersion: scored.treeVersion,
          scale: scored.scale,
          rows: publishedRows(scored, names),
        },
        inputsDigest: inputsDigest(input),
        supersedes: await this.latestOfSeries(request),
      },
      context,
    );
    if (result.state.status !== 'published') throw new Error('publication not in the log after publishing');
    return {
      id: request.publicationId,
      revision: result.nextRevision,
      position: result.position,
      replayed: result.replayed,
      publication: result.state.publication,
    };
  }

  /**
   * The latest publication of the same cycle, category, kind and period, read from the log (not a
   * view, so a publication just made is never missed). Two publications racing for the same period
   * may both name the same predecessor; the later in the log is then the one in force.
   */
  private async latestOfSeries(request: PublishRankingRequest): Promise<string | null> {
    let latest: string | null = null;
    for await (const stored of readAllPages(this.store, { filter: { eventTypes: ['RankingPublished'] } })) {
      const data = (stored as unknown as RankingPublished).data;
      if (
        data.publicationId !== request.publicationId &&
        data.cycleId === request.cycleId &&
        data.category === request.category &&
        data.kind === request.kind &&
        data.period === request.period
      )
        latest = data.publicationId;
    }
    return latest;
  }
}
