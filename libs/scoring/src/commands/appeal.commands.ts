import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  type CommandContext,
  EVENT_STORE,
  type EventStore,
  type StoredEvent,
  handleCommand,
  readAllPages,
} from '@dukao/event-store';
import type { EvidenceRef } from '@dukao/evidence-store';
import { DomainError } from '@dukao/kernel';
import type { FalseReportConfirmed } from '@dukao/audit';
import { ACCOUNTABILITY_ACTION_EVENT, type AccountabilityActionTaken } from '@dukao/supervision';
import {
  periodEnd,
  type TargetEvent,
  targetStream,
  type UnitEvent,
  type UnitState,
  unitDecider,
  unitStream,
} from '@dukao/targets';
import {
  type AppealCommand,
  type AppealState,
  appealDecider,
  type PublicationFacts,
  type SubjectFacts,
} from '../domain/appeal.decider';
import { AppealErrors } from '../domain/appeal.errors';
import { appealStream } from '../domain/appeal.events';
import type { RankingPublished } from '../domain/publication.events';
import { publicationStream } from '../domain/publication.events';
import type { ScoreRecordEvent } from '../domain/score-adjustment.events';
import { scoreRecordStream } from '../domain/score-adjustment.events';
import { foldTargets } from '../domain/target-facts';

/** What an appeal command answers: the appeal, its stream revision and log position (read-your-writes). */
export interface AppealOutcome {
  id: string;
  revision: number;
  position: number | null;
  replayed: boolean;
}

/** What the unit names as the subject of its appeal (申诉对象). */
export type AppealSubjectRequest =
  | { kind: 'adjustment'; adjustmentId: string }
  | { kind: 'veto'; vetoId: string }
  | { kind: 'accountability'; actionId: string }
  | { kind: 'verification'; targetId: string; reportId: string }
  | { kind: 'falseReport'; caseId: string }
  | { kind: 'score' };

export interface FileAppealRequest {
  appealId: string;
  unitId: string;
  publicationId: string;
  subject: AppealSubjectRequest;
  reasons: string;
  evidence: EvidenceRef[];
}

/** Files an appeal (申诉) for a unit against an item of a publication (the unit's staff). */
export class FileAppeal extends Command<AppealOutcome> {
  constructor(
    readonly request: FileAppealRequest,
    readonly context: CommandContext,
    readonly at: string,
  ) {
    super();
  }
}

/** The publication as its stream says, or null when there is none. */
async function publicationFacts(store: EventStore, publicationId: string): Promise<PublicationFacts | null> {
  const published = (await store.readStream(publicationStream(publicationId))).find(
    (e) => e.type === 'RankingPublished',
  ) as unknown as RankingPublished | undefined;
  if (!published) return null;
  const { cycleId, category, at, asOf, appealDeadline, rows } = published.data;
  return { publicationId, cycleId, category, at, asOf, appealDeadline, unitIds: rows.map((r) => r.unitId) };
}

/**
 * Finds the subject among the unit's own records (its `scorerecords-<cycle>:<unit>` stream), the
 * accountability actions against it in the cycle (read by event type: an action lives on its case's
 * stream or its own), or its own targets (a report currently rejected, of a target of the unit in the
 * cycle); null when there is no such item of this unit, so another unit's is refused like a missing one.
 */
async function resolveSubject(
  store: EventStore,
  publication: PublicationFacts,
  unitId: string,
  request: AppealSubjectRequest,
): Promise<SubjectFacts | null> {
  switch (request.kind) {
    case 'score':
      return {
        subject: { kind: 'score', eventId: null, occurredAt: publication.at },
        recordedAt: publication.asOf,
      };
    case 'adjustment':
    case 'veto': {
      const records = await store.readStream(scoreRecordStream(publication.cycleId, unitId));
      for (const stored of records) {
        const event = stored as unknown as ScoreRecordEvent;
        const recordedAt = stored.metadata.recordedAt;
        if (
          request.kind === 'adjustment' &&
          event.type === 'ScoreAdjusted' &&
          event.data.adjustmentId === request.adjustmentId
        )
          return {
            subject: {
              kind: 'adjustment',
              adjustmentId: request.adjustmentId,
              recordKind: event.data.kind,
              amount: event.data.amount,
              eventId: stored.id,
              occurredAt: event.data.occurredAt,
            },
            recordedAt,
          };
        if (request.kind === 'veto' && event.type === 'VetoImposed' && event.data.vetoId === request.vetoId)
          return {
            subject: {
              kind: 'veto',
              vetoId: request.vetoId,
              eventId: stored.id,
              occurredAt: event.data.occurredAt,
            },
            recordedAt,
          };
      }
      return null;
    }
    case 'accountability': {
      for await (const stored of readAllPages(store, {
        filter: { eventTypes: [ACCOUNTABILITY_ACTION_EVENT] },
      })) {
        const { data } = stored as unknown as AccountabilityActionTaken;
        if (data.actionId !== request.actionId) continue;
        if (data.unitId !== unitId || data.cycleId !== publication.cycleId) return null;
        return {
          subject: {
            kind: 'accountability',
            actionId: data.actionId,
            action: data.action,
            deduction: data.deduction,
            eventId: stored.id,
            occurredAt: data.occurredAt,
          },
          recordedAt: stored.metadata.recordedAt,
        };
      }
      return null;
    }
    case 'falseReport': {
      for await (const stored of readAllPages(store, {
        filter: { eventTypes: ['FalseReportConfirmed' satisfies FalseReportConfirmed['type']] },
      })) {
        const { data } = stored as unknown as FalseReportConfirmed;
        if (data.caseId !== request.caseId) continue;
        if (data.unitId !== unitId || data.cycleId !== publication.cycleId) return null;
        return {
          subject: {
            kind: 'falseReport',
            caseId: data.caseId,
            finding: data.kind,
            targetId: data.targetId,
            eventId: stored.id,
            occurredAt: data.occurredAt,
          },
          recordedAt: stored.metadata.recordedAt,
        };
      }
      return null;
    }
    case 'verification': {
      const events: StoredEvent[] = await store.readStream(targetStream(request.targetId));
      const [facts] = foldTargets(
        events.map((e) => ({
          eventId: e.id,
          position: e.position,
          recordedAt: e.metadata.recordedAt,
          event: e as unknown as TargetEvent,
        })),
        undefined,
      );
      if (!facts || facts.definition.unitId !== unitId || facts.definition.cycleId !== publication.cycleId)
        return null;
      const report = facts.reports.find((r) => r.reportId === request.reportId && r.status === 'rejected');
      const rejection = report?.rejection && events.find((e) => e.id === report.rejection!.eventId);
      if (!report || !rejection) return null;
      return {
        subject: {
          kind: 'verification',
          targetId: request.targetId,
          reportId: request.reportId,
          period: report.period,
          eventId: rejection.id,
          occurredAt: periodEnd(report.period),
        },
        recordedAt: rejection.metadata.recordedAt,
      };
    }
  }
}

/**
 * Reads what the decider judges the appeal on, each from its own stream: the publication (its
 * window, category and rows), the unit (its category) and the subject (the unit's own record or
 * rejected report). The decider refuses; nothing is appended on a refusal.
 */
@CommandHandler(FileAppeal)
export class FileAppealHandler implements ICommandHandler<FileAppeal> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ request, context, at }: FileAppeal): Promise<AppealOutcome> {
    const [publication, unit] = await Promise.all([
      publicationFacts(this.store, request.publicationId),
      this.store
        .readStream(unitStream(request.unitId))
        .then((events) =>
          events.reduce(
            (s, e) => unitDecider.evolve(s, e as unknown as UnitEvent),
            unitDecider.initialState(),
          ),
        ) as Promise<UnitState>,
    ]);
    const subject = publication
      ? await resolveSubject(this.store, publication, request.unitId, request.subject)
      : null;
    const result = await handleCommand(
      this.store,
      appealStream(request.appealId),
      appealDecider,
      {
        type: 'FileAppeal',
        appealId: request.appealId,
        unitId: request.unitId,
        unitCategory: unit.status === 'registered' ? unit.category : null,
        publicationId: request.publicationId,
        publication,
        subjectRequest: { ...request.subject },
        subject,
        reasons: request.reasons,
        evidence: request.evidence,
        at,
      },
      context,
    );
    return {
      id: request.appealId,
      revision: result.nextRevision,
      position: result.position,
      replayed: result.replayed,
    };
  }
}

/** Withdraws an appeal (the unit) or records the committee's ruling on it (the assessment office). */
export class ChangeAppeal extends Command<AppealOutcome> {
  constructor(
    readonly appealId: string,
    readonly command: Exclude<AppealCommand, { type: 'FileAppeal' }>,
    readonly context: CommandContext,
    /** The units the caller may act for (unit staff withdrawing); null: any. */
    readonly unitIds: string[] | null = null,
  ) {
    super();
  }
}

@CommandHandler(ChangeAppeal)
export class ChangeAppealHandler implements ICommandHandler<ChangeAppeal> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ appealId, command, context, unitIds }: ChangeAppeal): Promise<AppealOutcome> {
    const check = (state: AppealState) => {
      if (state.status === 'none') throw AppealErrors.notFound(appealId);
      if (unitIds !== null && !unitIds.includes(state.unitId))
        throw new DomainError('forbidden', 'OUT_OF_SCOPE', '无权处理其他单位的申诉', { appealId });
    };
    // A ruling's business time is its effectiveFrom: by default the contested item's, which the
    // appeal pinned when it was filed.
    let effective = command;
    let occurredAt: string | undefined;
    if (command.type === 'RecordRuling') {
      const filed = (await this.store.readStream(appealStream(appealId))).find(
        (e) => e.type === 'AppealFiled',
      );
      const subjectAt = (filed?.data as { subject?: { occurredAt?: string } } | undefined)?.subject
        ?.occurredAt;
      occurredAt = command.effectiveFrom ?? subjectAt;
      effective = { ...command, effectiveFrom: occurredAt ?? null };
    }
    const result = await handleCommand(
      this.store,
      appealStream(appealId),
      appealDecider,
      effective,
      { ...context, ...(occurredAt ? { occurredAt } : {}) },
      { check },
    );
    return {
      id: appealId,
      revision: result.nextRevision,
      position: result.position,
      replayed: result.replayed,
    };
  }
}
