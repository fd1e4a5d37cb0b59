import { deciderSpec } from '@dukao/testing';
import { type AnomalySettingsPublished, anomalySettingsDecider } from './anomaly-settings.decider';
import { DEFAULT_ANOMALY_SETTINGS } from './anomaly.settings';

const at = '2026-03-01T02:00:00.000Z';
const stricter = { ...DEFAULT_ANOMALY_SETTINGS, jumpPoints: 30 };
const publish = (settings: unknown, role = 'inspector') =>
  ({ type: 'PublishAnomalySettings', settings, note: ' 收紧跳升阈值 ', role, at }) as const;
const published = (version: number, settings = stricter): AnomalySettingsPublished => ({
  type: 'AnomalySettingsPublished',
  data: { version, settings, note: '收紧跳升阈值', publishedAt: at },
});
const spec = deciderSpec(anomalySettingsDecider);

describe('when no settings are published', () => {
  it('publishes version 1', () => {
    spec
      .given()
      .when(publish(stricter))
      .then([published(1)]);
  });

  it('refuses anyone but an inspector', () => {
    spec.given().when(publish(stricter, 'assessmentAdmin')).thenRefuses('ANOMALY_SETTINGS_FORBIDDEN');
  });

  it('refuses a missing field, an out-of-range value and an unknown field, naming each', () => {
    const { outlierZ: _z, ...missing } = stricter;
    spec
      .given()
      .when(publish(missing))
      .thenRefuses('INVALID_ANOMALY_SETTINGS', /outlierZ/);
    spec
      .given()
      .when(publish({ ...stricter, staleReports: 1 }))
      .thenRefuses('INVALID_ANOMALY_SETTINGS', /staleReports/);
    spec
      .given()
      .when(publish({ ...stricter, extra: 1 }))
      .thenRefuses('INVALID_ANOMALY_SETTINGS');
  });
});

describe('when settings are published', () => {
  it('appends nothing for the same settings again', () => {
    spec
      .given(published(1))
      .when(publish({ ...stricter }))
      .then([]);
  });

  it('publishes the next version for a change', () => {
    spec
      .given(published(1))
      .when(publish(DEFAULT_ANOMALY_SETTINGS))
      .then([published(2, DEFAULT_ANOMALY_SETTINGS)]);
  });
});
