import { Module } from '@nestjs/common';
import { ChangeSupervisionNoticeHandler } from './commands/change-notice.command';
import { IssueSupervisionNoticeHandler } from './commands/issue-notice.command';
import { TakeAccountabilityActionHandler } from './commands/take-accountability-action.command';

const commandHandlers = [
  IssueSupervisionNoticeHandler,
  ChangeSupervisionNoticeHandler,
  TakeAccountabilityActionHandler,
];

/**
 * Supervision (督查督办): cases on `supervision-<noticeId>` (every round, step and the actions that
 * followed), free-standing accountability actions on `accountability-<actionId>`. Its projections,
 * `supervisionNoticesProjection` and `accountabilityActionsProjection`, are registered with every
 * other in @dukao/composition.
 */
@Module({ providers: [...commandHandlers] })
export class SupervisionModule {}
