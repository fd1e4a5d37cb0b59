import { auditTrailProjection, logDigestsProjection, streamCatalogProjection } from '@dukao/audit';
import { workCalendarsProjection } from '@dukao/calendar';
import { campaignsProjection, publicRatingLinksProjection } from '@dukao/evaluations';
import { smsMessagesProjection } from '@dukao/notifications';
import { usersProjection } from '@dukao/identity';
import { appealsProjection, publicationsProjection, scoreAdjustmentsProjection } from '@dukao/scoring';
import { accountabilityActionsProjection, supervisionNoticesProjection } from '@dukao/supervision';
import { cyclesProjection, targetsProjection, unitsProjection } from '@dukao/targets';
import { milestoneLightsProjection, warningsProjection } from '@dukao/warnings';
import type { Projection } from '@dukao/projections';
import { anomaliesProjection, spotChecksProjection } from '@dukao/audit';

/**
 * The composition root's lists: every projection of every context. The api (embedded mode), the
 * worker (production) and the command-line tools all register exactly this list.
 */
export const allProjections: readonly Projection[] = [
  streamCatalogProjection,
  auditTrailProjection,
  logDigestsProjection,
  usersProjection,
  unitsProjection,
  cyclesProjection,
  targetsProjection,
  warningsProjection,
  milestoneLightsProjection,
  workCalendarsProjection,
  campaignsProjection,
  publicRatingLinksProjection,
  smsMessagesProjection,
  supervisionNoticesProjection,
  accountabilityActionsProjection,
  publicationsProjection,
  scoreAdjustmentsProjection,
  appealsProjection,
  spotChecksProjection,
  anomaliesProjection,
];
