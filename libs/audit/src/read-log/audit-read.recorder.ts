import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type Actor, EVENT_STORE, type EventStore } from '@dukao/event-store';
import { CLOCK, type Clock } from '@dukao/kernel';
import { type AuditReadInput, auditViewRead } from './audit-read';
import { auditReadStream } from './audit-read.events';

/**
 * Appends one `AuditViewRead` per sensitive read, on the reader's stream of the day. One append with
 * no expected revision (`any`: reads never conflict) and no read of the stream first, so it costs one
 * group-committed insert. Throws when the record cannot be written: the caller refuses the read.
 */
@Injectable()
export class AuditReadRecorder {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async record(
    read: Omit<AuditReadInput, 'readId' | 'readAt'>,
    context: { actor: Actor; correlationId: string },
  ): Promise<{ readId: string; position: number }> {
    const readId = randomUUID();
    const readAt = this.clock().toISOString();
    const event = auditViewRead({ ...read, readId, readAt });
    const result = await this.events.append(
      auditReadStream(read.userId, readAt),
      [
        {
          id: readId,
          type: event.type,
          data: event.data,
          metadata: { actor: context.actor, correlationId: context.correlationId, commandId: readId },
        },
      ],
      { expectedRevision: 'any' },
    );
    return { readId, position: result.position };
  }
}
