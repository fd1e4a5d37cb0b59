import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { UNIT_MEMBERSHIPS, type UnitMembershipView, USERS, type UserView } from '@dukao/identity';
import { CLOCK, type Clock } from '@dukao/kernel';
import { READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import { digest, earliestSendTime } from '@dukao/warnings';
import { JOB_QUEUE, type JobPayload, type JobQueue, type RunningJob } from '../job-queue.port';
import { REMINDER_JOB, type ReminderJobPayload, remindersInForce } from './reminder-planner.reactor';
import { SmsLedger } from './sms-ledger';
import { SMS_GATEWAY, type SmsGateway } from './sms.port';

const DAY_MS = 86_400_000;

/** Thrown when a reminder has nobody to go to; the job fails and stays visible as failed. */
export class NoRecipientError extends Error {
  readonly code = 'NO_RECIPIENT';
}

/**
 * Sends 'reminder' jobs: resolves who holds the duty for the target's unit now (unitMemberships +
 * users), holds the SMS out of quiet hours and within the phone's provider limits
 * (`earliestSendTime` over the phone's recent sends in the {@link SmsLedger}) by rescheduling it under
 * a derived key (`<key>.d<yyyymmddhhmm UTC>`, still sent under the original key), and sends it through
 * {@link SMS_GATEWAY} with the reminder's key as idempotency key. A key already sent is not sent again.
 *
 * Not done: digests across jobs. Each job is one SMS (its text made by `digest` of that one job);
 * several items due to one person on one day are not merged into one message yet.
 */
@Injectable()
export class SendReminderProcessor implements OnApplicationBootstrap {
  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(SMS_GATEWAY) private readonly gateway: SmsGateway,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly ledger: SmsLedger,
  ) {}

  onApplicationBootstrap(): void {
    this.queue.process<JobPayload>(
      REMINDER_JOB,
      async (job) => {
        await this.handle(job);
      },
      { maxAttempts: 3, backoffMs: 60_000 },
    );
  }

  /** What happened: sent, already sent before, or deferred to a later instant. */
  async handle(
    job: RunningJob<JobPayload>,
  ): Promise<{ outcome: 'sent' | 'alreadySent' | 'deferred'; at: string }> {
    const payload = job.payload as unknown as ReminderJobPayload;
    const key = payload.reminderKey ?? job.jobKey;
    const now = this.clock().toISOString();
    if (await this.ledger.wasSent(key)) return { outcome: 'alreadySent', at: now };

    const phone = await this.phoneOf(payload, now);
    const reminders = await remindersInForce(this.views, payload.cycleId, now);
    const since = new Date(Date.parse(now) - 2 * DAY_MS).toISOString();
    const history = await this.ledger.sendsTo(phone, since);
    const at = earliestSendTime(history, reminders.perPhoneLimits, reminders.quietHours, now);
    if (at > now) {
      const stamp = at.slice(0, 16).replace(/[-T:]/g, '');
      await this.queue.schedule({
        jobKey: `${key}.d${stamp}`,
        name: REMINDER_JOB,
        runAt: at,
        payload: job.payload,
      });
      return { outcome: 'deferred', at };
    }
    const { text } = digest([payload]);
    const { providerId } = await this.gateway.send({ to: phone, text, key });
    await this.ledger.record(key, phone, now, providerId);
    return { outcome: 'sent', at: now };
  }

  private async phoneOf(job: ReminderJobPayload, at: string): Promise<string> {
    const memberships = await this.views.find<UnitMembershipView>(
      UNIT_MEMBERSHIPS,
      {
        unitId: job.unitId,
        duty: job.duty,
        effectiveFrom: { $lte: at },
        $or: [{ effectiveUntil: null }, { effectiveUntil: { $gt: at } }],
      },
      { sort: { effectiveFrom: -1 }, limit: 1 },
    );
    const membership = memberships[0];
    if (!membership)
      throw new NoRecipientError(
        `no ${job.duty} of unit ${job.unitId} at ${at}: reminder ${job.jobKey} cannot be sent`,
      );
    const user = await this.views.get<UserView>(USERS, membership.userId);
    if (!user || user.status !== 'active')
      throw new NoRecipientError(
        `the ${job.duty} of unit ${job.unitId} (user ${membership.userId}) is not an active user`,
      );
    if (!user.phone)
      throw new NoRecipientError(
        `the ${job.duty} of unit ${job.unitId} (${user.displayName}) has no phone number`,
      );
    return user.phone;
  }
}
