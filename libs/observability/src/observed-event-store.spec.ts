import { randomUUID } from 'node:crypto';
import { SqliteEventStore, WrongExpectedRevisionError } from '@dukao/event-store';
import { Metrics } from './metrics';
import { ObservedEventStore } from './observed-event-store';

const event = (type: string) => ({
  id: randomUUID(),
  type,
  data: {},
  metadata: { actor: { userId: 'u', role: 'test' }, correlationId: 'c' },
});

describe('ObservedEventStore', () => {
  it('times each append by category and outcome, counts events and SMS outcomes, and passes reads through', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    const store = new ObservedEventStore(new SqliteEventStore({ filename: ':memory:' }), metrics);
    try {
      await store.append('target-1', [event('TargetSet'), event('TargetRevised')], {
        expectedRevision: 'no_stream',
      });
      await store.append('sms-k1', [event('SmsSent')], { expectedRevision: 'no_stream' });
      await store.append('sms-k2', [event('SmsRejected')], { expectedRevision: 'no_stream' });
      await expect(
        store.append('target-1', [event('TargetRevised')], { expectedRevision: 0 }),
      ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      expect(await store.headPosition()).not.toBeNull();
      expect((await store.readStream('target-1')).map((e) => e.type)).toEqual(['TargetSet', 'TargetRevised']);
      expect(store.positionsAreGapFree).toBe(true);

      const text = (await metrics.render()).body;
      expect(text).toContain('dukao_event_append_duration_seconds_count{category="target",outcome="ok"} 1');
      expect(text).toContain(
        'dukao_event_append_duration_seconds_count{category="target",outcome="conflict"} 1',
      );
      expect(text).toContain('dukao_events_appended_total{category="target"} 2');
      expect(text).toContain('dukao_sms_sent_total 1');
      expect(text).toContain('dukao_sms_failed_total{event="SmsRejected"} 1');
    } finally {
      await store.close();
    }
  });
});
