import { Module } from '@nestjs/common';
import { PublishAnomalySettingsHandler } from '../anomalies/anomaly-settings.command';
import { DrawSpotCheckHandler, RecordSpotCheckOutcomeHandler } from './spot-check.commands';

const commandHandlers = [DrawSpotCheckHandler, RecordSpotCheckOutcomeHandler, PublishAnomalySettingsHandler];

/**
 * Spot checks (察访核验), one stream per draw (`spotcheck-<id>`), and the 虚报瞒报 signal settings
 * (`anomalysettings-global`). Their projections, `spotChecksProjection` and `anomaliesProjection`,
 * are registered with every other in @dukao/composition.
 */
@Module({ providers: [...commandHandlers] })
export class SpotChecksModule {}
