import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CommandContext, EVENT_STORE, type EventStore, handleCommand } from '@dukao/event-store';
import { type CallerScope, type IssueNotice, supervisionDecider } from '../domain/supervision.decider';
import { supervisionStream } from '../domain/supervision.events';
import { cycleStatus, loadCycle, loadTargetFacts, unitExists } from './supervision-facts';

/** What every supervision command answers: the case (or action) id, stream revision and log position. */
export interface SupervisionOutcome {
  id: string;
  revision: number;
  position: number | null;
  replayed: boolean;
}

export type NoticeDraft = Omit<IssueNotice, 'type' | 'noticeId' | 'facts' | 'scope' | 'at'>;

/** Opens a case (督查通知 / 绩效督查建议书), round 1. */
export class IssueSupervisionNotice extends Command<SupervisionOutcome> {
  constructor(
    readonly noticeId: string,
    readonly notice: NoticeDraft,
    readonly context: CommandContext,
    readonly scope: CallerScope,
    readonly at: string,
  ) {
    super();
  }
}

@CommandHandler(IssueSupervisionNotice)
export class IssueSupervisionNoticeHandler implements ICommandHandler<IssueSupervisionNotice> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({
    noticeId,
    notice,
    context,
    scope,
    at,
  }: IssueSupervisionNotice): Promise<SupervisionOutcome> {
    const [cycle, unit, targets] = await Promise.all([
      loadCycle(this.store, notice.cycleId),
      unitExists(this.store, notice.unitId),
      loadTargetFacts(
        this.store,
        notice.targets.map((t) => t.targetId),
      ),
    ]);
    const result = await handleCommand(
      this.store,
      supervisionStream(noticeId),
      supervisionDecider,
      {
        type: 'IssueNotice',
        noticeId,
        ...notice,
        facts: { cycle: cycleStatus(cycle), unitExists: unit, targets },
        scope,
        at,
      },
      context,
    );
    return {
      id: noticeId,
      revision: result.nextRevision,
      position: result.position,
      replayed: result.replayed,
    };
  }
}
