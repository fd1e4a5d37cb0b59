import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type CommandContext, EVENT_STORE, type EventStore, handleCommand } from '@dukao/event-store';
import { ANOMALY_SETTINGS_STREAM, anomalySettingsDecider } from './anomaly-settings.decider';

export interface AnomalySettingsOutcome {
  id: string;
  revision: number;
  position: number | null;
  replayed: boolean;
  version: number;
  /** False when the same settings were already in force (nothing appended). */
  changed: boolean;
}

/** Publishes a version of the 虚报瞒报 signal thresholds and weights (inspectors). */
export class PublishAnomalySettings extends Command<AnomalySettingsOutcome> {
  constructor(
    readonly settings: unknown,
    readonly note: string | null,
    readonly context: CommandContext,
    readonly at: string,
  ) {
    super();
  }
}

@CommandHandler(PublishAnomalySettings)
export class PublishAnomalySettingsHandler implements ICommandHandler<PublishAnomalySettings> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ settings, note, context, at }: PublishAnomalySettings): Promise<AnomalySettingsOutcome> {
    const result = await handleCommand(
      this.store,
      ANOMALY_SETTINGS_STREAM,
      anomalySettingsDecider,
      { type: 'PublishAnomalySettings', settings, note, role: context.actor.role, at },
      context,
    );
    return {
      id: ANOMALY_SETTINGS_STREAM,
      revision: result.nextRevision,
      position: result.position,
      replayed: result.replayed,
      version: result.state.version,
      changed: result.events.length > 0,
    };
  }
}
