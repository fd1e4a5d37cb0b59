import type { Decider } from '@dukao/event-store';
import type { InputsDigest } from './inputs-digest';
import { appealDeadline, type PublicationKind, type PublishedRow, publicationInstant } from './publication';
import { PublicationErrors } from './publication.errors';
import type { PublicationEvent, RankingPublished } from './publication.events';

export type PublicationState =
  { status: 'none' } | { status: 'published'; publication: RankingPublished['data'] };

/**
 * Publish (公示) a ranking computed by the caller: the handler scores the category at the
 * publication's instant as the log knows it at `asOf` (= `now`), and hands in the rows and the
 * digest; the decider checks the rules that do not need the log (period, window, not empty) and
 * fixes the event. Time comes in with the command.
 */
export type PublicationCommand = {
  type: 'PublishRanking';
  publicationId: string;
  cycleId: string;
  cycleYear: number;
  category: string;
  kind: PublicationKind;
  period: string | null;
  /** When the request is handled: the publication's `publishedAt` and `asOf`. */
  now: string;
  logPosition: number;
  scored: {
    at: string;
    schemeVersion: number;
    treeVersion: number;
    scale: number;
    rows: PublishedRow[];
  };
  inputsDigest: InputsDigest;
  appealWindowDays: number;
  note: string | null;
  supersedes: string | null;
};

/** One stream per publication (`publication-{publicationId}`): it is published once and never changes. */
export const publicationDecider: Decider<PublicationCommand, PublicationState, PublicationEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve(_state, event) {
    switch (event.type) {
      case 'RankingPublished':
        return { status: 'published', publication: event.data };
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'PublishRanking': {
        if (state.status === 'published') throw PublicationErrors.exists(command.publicationId);
        const at = publicationInstant(command.kind, command.period, command.cycleYear);
        if (command.now < at)
          throw PublicationErrors.periodNotEnded(command.period ?? String(command.cycleYear), at);
        const days = command.appealWindowDays;
        if (!Number.isInteger(days) || days < 1 || days > 365) throw PublicationErrors.badAppealWindow(days);
        if (command.scored.rows.length === 0) throw PublicationErrors.nothingToPublish(command.category);
        if (command.scored.at !== at)
          throw new Error(`scored at ${command.scored.at}, but the publication's instant is ${at}`);
        const note = command.note?.trim() || null;
        return [
          {
            type: 'RankingPublished',
            data: {
              publicationId: command.publicationId,
              cycleId: command.cycleId,
              category: command.category,
              kind: command.kind,
              period: command.period,
              at,
              asOf: command.now,
              logPosition: command.logPosition,
              schemeVersion: command.scored.schemeVersion,
              treeVersion: command.scored.treeVersion,
              scale: command.scored.scale,
              inputsDigest: command.inputsDigest,
              rows: command.scored.rows,
              publishedAt: command.now,
              appealDeadline: appealDeadline(command.now, days),
              appealWindowDays: days,
              note,
              supersedes: command.supersedes,
            },
          },
        ];
      }
      default: {
        const _exhaustive: never = command.type;
        return _exhaustive;
      }
    }
  },
};
