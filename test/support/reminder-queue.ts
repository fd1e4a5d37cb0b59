import { EVENT_STORE, type EventStore } from '@dukao/event-store';
import { JOB_QUEUE, ReminderPlanner, type SqliteJobQueue } from '@dukao/notifications';
import { ProjectionEngine } from '@dukao/projections';
import { EvaluateWarningWhenTargetChanged } from '@dukao/warnings';
import { bearer, type EmbeddedApp, type Session } from './embedded-app';

/** An SMS in the embedded outbox. */
export interface OutboxMessage {
  key: string;
  to: string;
  text: string;
  sentAt: string;
}

/**
 * The embedded reminder queue as the reminder journeys drive it on their moving clock: wait for the
 * planner, run every job due now, read the outbox and what the log says each SMS carried. `app` and
 * `now` are read at each call (the app starts in `beforeAll`, the clock moves).
 */
export function reminderQueue(app: () => EmbeddedApp, now: () => string) {
  const queue = () => app().app.get<SqliteJobQueue>(JOB_QUEUE);
  const outbox = async (as: Session): Promise<OutboxMessage[]> =>
    (await app().http().get('/reminders/outbox?limit=1000').set(bearer(as)).expect(200)).body.items;
  return {
    queue,
    outbox,
    /** Waits until the warnings reactor handled the write at `position` (if given) and the planner every event since. */
    async settle(position?: number): Promise<void> {
      if (position !== undefined)
        expect(await app().app.get(EvaluateWarningWhenTargetChanged).waitFor(position, 10_000)).toBe(true);
      expect(await app().app.get(ReminderPlanner).settle(10_000)).toBe(true);
    },
    /** Runs every job due at the test's time, until none is due or running. */
    async drain(): Promise<void> {
      for (let round = 0; round < 100; round++) {
        await queue().tick();
        const jobs = await queue().list({ limit: 1000 });
        const busy = jobs.some(
          (j) =>
            j.state === 'running' ||
            (j.state === 'pending' && j.attempts === 0 && Date.parse(j.runAt) <= Date.parse(now())),
        );
        if (!busy) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error('the queue did not drain');
    },
    /**
     * Each SMS sent, oldest first: the reminder items it carried (from the log's SmsSent, through
     * `GET /reminders/messages` read by `admin`), to whom, when; the outbox read by `supervisor`.
     */
    async sent(admin: Session, supervisor: Session) {
      const box = await outbox(supervisor);
      const head = await app().app.get<EventStore>(EVENT_STORE).headPosition();
      if (head !== null)
        expect(await app().app.get(ProjectionEngine).waitFor('smsMessages', head, 10_000)).toBe(true);
      const logged = (await app().http().get('/reminders/messages?limit=1000').set(bearer(admin)).expect(200))
        .body.items as Array<{
        _id: string;
        items: Array<{ reminderKey: string }>;
        status: string;
        sentAt: string;
      }>;
      const byKey = new Map(logged.map((m) => [m._id, m]));
      return box.map((m) => {
        expect(byKey.get(m.key)).toMatchObject({ status: 'sent', sentAt: m.sentAt });
        return {
          keys: byKey.get(m.key)!.items.map((i) => i.reminderKey),
          to: m.to,
          sentAt: m.sentAt,
          text: m.text,
        };
      });
    },
  };
}
