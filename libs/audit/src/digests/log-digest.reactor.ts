import { Inject, Injectable, Logger } from '@nestjs/common';
import { EVENT_STORE, type EventStore, type StoredEvent, deriveEventId } from '@dukao/event-store';
import { SYSTEM_ACTOR } from '@dukao/kernel';
import { LogReactor, ProjectionEngine } from '@dukao/projections';
import { READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import { LogDigester } from './log-digester';

export const LOG_DIGEST_REACTOR = 'logDigestReactor';

/**
 * Signs a digest of the whole log at every publication (公示, `RankingPublished`): the digest covers
 * the publication itself, so what was published is witnessed outside the system from then on.
 * The digest id derives from the publication event's id, so handling the event again records nothing.
 * Without a signing key (production without AUDIT_SIGNING_KEY_FILE) it logs and moves on.
 */
@Injectable()
export class SignLogDigestWhenRankingPublished extends LogReactor {
  constructor(
    private readonly digester: LogDigester,
    engine: ProjectionEngine,
    @Inject(EVENT_STORE) events: EventStore,
    @Inject(READ_MODEL_STORE) views: ReadModelStore,
  ) {
    super(
      { events, views, engine },
      {
        name: LOG_DIGEST_REACTOR,
        filter: { eventTypes: ['RankingPublished'] },
        logger: new Logger('LogDigestReactor'),
      },
    );
  }

  protected async handle(event: StoredEvent): Promise<void> {
    if (!this.digester.publicKey()) return;
    const publicationId = typeof event.data.publicationId === 'string' ? event.data.publicationId : '';
    await this.digester.record(
      { kind: 'publication', publicationId, eventId: event.id },
      {
        commandId: `publication-digest:${event.id}`,
        actor: SYSTEM_ACTOR,
        correlationId: event.metadata.correlationId,
        causationId: event.id,
      },
      deriveEventId(`logdigest\u0000publication\u0000${event.id}`, 0),
    );
  }
}
