import type { Decider } from '@dukao/event-store';
import { canonicalJson } from '@dukao/event-store';
import { DomainError } from '@dukao/kernel';
import { type AnomalySettings, anomalySettingsSchema } from './anomaly.settings';

/** A version of the 虚报瞒报 signal thresholds and weights; the latest is in force from its recording. */
export type AnomalySettingsPublished = {
  type: 'AnomalySettingsPublished';
  data: { version: number; settings: AnomalySettings; note: string | null; publishedAt: string };
};
export type AnomalySettingsEvent = AnomalySettingsPublished;
export const ANOMALY_SETTINGS_EVENT_TYPES: readonly AnomalySettingsEvent['type'][] = [
  'AnomalySettingsPublished',
];
/** One stream for the whole system: the thresholds are the inspectors' tool, not a cycle's scheme. */
export const ANOMALY_SETTINGS_STREAM = 'anomalysettings-global';

export const AnomalySettingsErrors = {
  invalid: (problems: string[]) =>
    new DomainError('invalid', 'INVALID_ANOMALY_SETTINGS', `预警线索参数不符合要求：${problems.join('；')}`, {
      problems,
    }),
  forbidden: (role: string) =>
    new DomainError('forbidden', 'ANOMALY_SETTINGS_FORBIDDEN', '仅电子监察人员可设置预警线索参数', { role }),
};

export type AnomalySettingsState = { version: number; settings: AnomalySettings | null };
export type AnomalySettingsCommand = {
  type: 'PublishAnomalySettings';
  settings: unknown;
  note: string | null;
  role: string;
  at: string;
};

/**
 * The signal thresholds (`anomalysettings-global`), by inspectors only: checked against the schema
 * (every field, nothing else), numbered; the same settings again append nothing.
 */
export const anomalySettingsDecider: Decider<
  AnomalySettingsCommand,
  AnomalySettingsState,
  AnomalySettingsEvent
> = {
  initialState: () => ({ version: 0, settings: null }),
  evolve: (_state, event) => ({ version: event.data.version, settings: event.data.settings }),
  decide(command, state) {
    if (command.role !== 'inspector') throw AnomalySettingsErrors.forbidden(command.role);
    const parsed = anomalySettingsSchema.safeParse(command.settings);
    if (!parsed.success)
      throw AnomalySettingsErrors.invalid(
        parsed.error.issues.map((i) => `${i.path.join('.') || '（整体）'}：${i.message}`),
      );
    if (state.settings && canonicalJson(state.settings) === canonicalJson(parsed.data)) return [];
    return [
      {
        type: 'AnomalySettingsPublished',
        data: {
          version: state.version + 1,
          settings: parsed.data,
          note: command.note?.trim() || null,
          publishedAt: command.at,
        },
      },
    ];
  },
};
