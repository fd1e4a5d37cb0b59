import { Inject, Injectable, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@dukao/event-store';
import { UNIT_MEMBERSHIPS, type UnitMembershipView, USERS, type UserView } from '@dukao/identity';
import { CLOCK, type Clock } from '@dukao/kernel';
import { READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import { digest, earliestSendTime } from '@dukao/warnings';
import { JOB_QUEUE, type JobPayload, type JobQueue, type RunningJob } from '../job-queue.port';
import { REMINDER_JOB, type ReminderJobPayload, remindersInForce } from './reminder-planner.reactor';
import { AppendLinger, type AppendTurn } from './append-linger';
import { maskPhone, recordSmsEvent, smsItemOf, smsStreamId } from './sms.events';
import { type Digest, SmsLedger } from './sms-ledger';
import { SMS_GATEWAY, type SmsGateway } from './sms.port';

const DAY_MS = 86_400_000;
/** The job name of a digest message to send. */
export const SMS_JOB = 'sms';
/** How long a person's digest collects items after its first one before it goes; configurable (SMS_DIGEST_WINDOW_SECONDS). */
export const SMS_DIGEST_WINDOW_MS = Symbol('SMS_DIGEST_WINDOW_MS');
export const DEFAULT_DIGEST_WINDOW_MS = 60_000;
/** The gateway's name as the log records it (outbox, http, aliyun). */
export const SMS_GATEWAY_NAME = Symbol('SMS_GATEWAY_NAME');
/** Our template name for a reminder digest; the Aliyun adapter maps it to an approved template code. */
export const REMINDER_DIGEST_TEMPLATE = 'reminderDigest';
/**
 * How many 'sms' jobs one worker process sends at once (it was 8). A provider answers in tens of
 * milliseconds, so this caps a worker's rate (8 at 50 ms is 160 messages/s, 64 is 1,280), and the
 * sends in flight share their commits (ledger, outbox, one fsync of the log for all their
 * `SmsSent`). Safe at any width: a send's per-phone check and its seal are one synchronous step of
 * this process, and every write is keyed by the digest.
 */
export const SMS_SEND_CONCURRENCY = 64;
/** At most this long a send's `SmsSent` waits for the concurrent sends' to share a commit (see {@link AppendLinger}). */
export const SMS_SENT_LINGER_MS = 5;

export type SmsJobPayload = { digestKey: string };

/** Aliyun caps a template variable at 35 characters (a `${first}` longer than that is refused). */
const TEMPLATE_VARIABLE_MAX = 35;

/**
 * The variables of the `reminderDigest` template, for providers that send only approved templates:
 * `count` items, the first item's unit and title (`first`, cut to fit a variable: 甲镇“GDP增速” for a
 * target, 甲镇《督查通知的标题》 for a supervision case), the full `text` for those that take it whole.
 * An Aliyun template reads e.g. 「您有${count}项督考事项待办，含${first}等，请登录督考系统查看。」
 */
export function digestTemplateParams(message: Pick<Digest, 'items' | 'text'>): Record<string, string> {
  const first = message.items[0];
  const label = !first
    ? ''
    : first.subject.kind === 'supervision'
      ? `${first.unitName}《${first.subject.title}》`
      : `${first.unitName}“${first.targetTitle ?? ''}”`;
  return {
    count: String(message.items.length),
    first: label.length > TEMPLATE_VARIABLE_MAX ? `${label.slice(0, TEMPLATE_VARIABLE_MAX - 1)}…` : label,
    text: message.text ?? '',
  };
}

/** Thrown when a reminder has nobody to go to; the job fails and stays visible as failed. */
export class NoRecipientError extends Error {
  readonly code = 'NO_RECIPIENT';
}

/**
 * Sends reminders (三级提醒) in two steps, both idempotent:
 * 1. a 'reminder' job resolves who holds the duty for the target's (or case's) unit now
 *    (unitMemberships + users), or the named user of a case tracker's reminder, and adds the item
 *    to that person's open digest in the {@link SmsLedger}, opening one and scheduling its 'sms' job
 *    a digest window later when there is none. So one person's items due together (the 09:00 batch
 *    of tier 1–3 across targets, cases and units) go as one message.
 * 2. the 'sms' job holds the message out of quiet hours and within the phone's provider limits
 *    (`earliestSendTime` over the ledger's recent sends; rescheduled under `<key>.d<yyyymmddhhmm>`,
 *    never dropped), seals its text, sends it through {@link SMS_GATEWAY} under the digest key, and
 *    records `SmsSent` in the log before marking the ledger. A crash anywhere resends the sealed text
 *    under the same key, which the gateway dedupes; an item already in a sent message is never sent
 *    again, even when the queue lost its records. A provider's refusal (`permanent`) fails the
 *    message at once and records `SmsRejected`; anything else is retried with backoff.
 */
@Injectable()
export class SendReminderProcessor implements OnApplicationBootstrap {
  private readonly windowMs: number;
  private readonly gatewayName: string;
  private readonly sentAppends = new AppendLinger(SMS_SENT_LINGER_MS);

  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(SMS_GATEWAY) private readonly gateway: SmsGateway,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly ledger: SmsLedger,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Optional() @Inject(SMS_DIGEST_WINDOW_MS) windowMs?: number,
    @Optional() @Inject(SMS_GATEWAY_NAME) gatewayName?: string,
  ) {
    this.windowMs = windowMs ?? DEFAULT_DIGEST_WINDOW_MS;
    this.gatewayName = gatewayName ?? 'outbox';
  }

  onApplicationBootstrap(): void {
    // Wide, so that a batch due together (or caught up after downtime) joins its digests before they seal.
    this.queue.process<JobPayload>(REMINDER_JOB, async (job) => void (await this.handle(job)), {
      concurrency: 16,
      maxAttempts: 3,
      backoffMs: 60_000,
    });
    this.queue.process<JobPayload>(SMS_JOB, async (job) => void (await this.send(job)), {
      concurrency: SMS_SEND_CONCURRENCY,
      maxAttempts: 5,
      backoffMs: 30_000,
    });
  }

  /** A reminder item joins its person's digest: `joined`, or `alreadySent` when a sent message carried it. */
  async handle(
    job: RunningJob<JobPayload>,
  ): Promise<{ outcome: 'joined' | 'alreadySent'; digestKey: string; at: string }> {
    const item = job.payload as unknown as ReminderJobPayload;
    const reminderKey = item.reminderKey ?? job.jobKey;
    const now = this.clock().toISOString();
    const known = this.ledger.digestOfItem(reminderKey);
    if (known?.state === 'sent') return { outcome: 'alreadySent', digestKey: known.key, at: now };
    const person = known ?? (await this.personOf(item, now));
    const { digestKey } = known
      ? { digestKey: known.key }
      : this.ledger.join({ ...item, reminderKey }, person, now);
    const first = this.ledger.digest(digestKey)!.items[0] ?? item;
    // The window counts from when the first item was due, so a planner or worker catching up late
    // sends at once. Scheduling is idempotent by key: a retry after a crash here schedules nothing twice.
    const due = Math.max(Date.parse(first.sendAt) + this.windowMs, Date.parse(now));
    await this.queue.schedule({
      jobKey: digestKey,
      name: SMS_JOB,
      runAt: new Date(due).toISOString(),
      payload: { digestKey },
    });
    return { outcome: 'joined', digestKey, at: now };
  }

  /** Sends a digest once it may go: `sent`, `alreadySent`, `deferred` (to `at`) or `rejected`. */
  async send(
    job: RunningJob<JobPayload>,
  ): Promise<{ outcome: 'sent' | 'alreadySent' | 'deferred' | 'rejected'; at: string }> {
    const turn = this.sentAppends.enter();
    try {
      return await this.sendDigest(job, turn);
    } finally {
      turn.leave();
    }
  }

  private async sendDigest(
    job: RunningJob<JobPayload>,
    turn: AppendTurn,
  ): Promise<{ outcome: 'sent' | 'alreadySent' | 'deferred' | 'rejected'; at: string }> {
    const { digestKey } = job.payload as unknown as SmsJobPayload;
    const now = this.clock().toISOString();
    let message = this.ledger.digest(digestKey);
    if (!message) throw new Error(`digest ${digestKey} is not in the SMS ledger`);
    if (message.state === 'sent') return { outcome: 'alreadySent', at: message.sentAt ?? now };
    if (message.state === 'failed') return { outcome: 'rejected', at: now };
    // A seal read here may be another send's of this very turn: act on it only once it is committed.
    if (message.state === 'sealed') await this.ledger.committed();
    // The log is the record: a send it has whose ledger mark was lost (power loss) is not sent again.
    const logged = (await this.events.readStream(smsStreamId(digestKey))).find((e) => e.type === 'SmsSent');
    if (logged) {
      const data = logged.data as { sentAt: string; providerId: string };
      this.ledger.markSentFromLog(digestKey, data.sentAt, data.providerId);
      return { outcome: 'alreadySent', at: data.sentAt };
    }
    if (message.state === 'open') {
      const reminders = await remindersInForce(this.views, message.items[0]?.cycleId ?? '', now);
      // No await from here to the seal (it applies before `seal` returns its promise): the check and
      // the seal are one step for this process.
      const history = this.ledger.sendsTo(
        message.phone,
        new Date(Date.parse(now) - 2 * DAY_MS).toISOString(),
      );
      const at = earliestSendTime(history, reminders.perPhoneLimits, reminders.quietHours, now);
      if (at > now) {
        await this.queue.schedule({
          jobKey: `${digestKey}.d${at.slice(0, 16).replace(/[-T:]/g, '')}`,
          name: SMS_JOB,
          runAt: at,
          payload: job.payload,
        });
        return { outcome: 'deferred', at };
      }
      message = await this.ledger.seal(
        digestKey,
        now,
        (items) => digest(items.map((i) => ({ ...i, sendAt: now }))).text,
        message,
      );
      // Another send of this digest (a rerun of its job) got there first.
      if (message.state === 'sent') return { outcome: 'alreadySent', at: message.sentAt ?? now };
      if (message.state === 'failed') return { outcome: 'rejected', at: now };
    }
    return this.deliver(message, now, job.jobKey, turn);
  }

  private async deliver(
    message: Digest,
    now: string,
    jobKey: string,
    turn: AppendTurn,
  ): Promise<{ outcome: 'sent' | 'rejected'; at: string }> {
    const facts = {
      messageKey: message.key,
      userId: message.userId,
      phone: maskPhone(message.phone),
      gateway: this.gatewayName,
      items: message.items.map(smsItemOf),
    };
    const context = { correlationId: `sms:${message.key}`, occurredAt: now };
    let providerId: string;
    try {
      ({ providerId } = await this.gateway.send({
        to: message.phone,
        text: message.text!,
        key: message.key,
        template: {
          name: REMINDER_DIGEST_TEMPLATE,
          params: digestTemplateParams(message),
        },
      }));
    } catch (error) {
      turn.leave();
      if ((error as { permanent?: unknown }).permanent !== true) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      await recordSmsEvent(
        this.events,
        'rejected',
        { type: 'SmsRejected', data: { ...facts, error: reason, at: now } },
        context,
      );
      this.ledger.markFailed(message.key, reason);
      throw error;
    }
    // The log first: a crash before the ledger mark resends under the same key (deduped) and appends
    // nothing twice. With the concurrent sends' appends: one commit of the log for all of them.
    await turn.ready();
    await recordSmsEvent(
      this.events,
      'sent',
      { type: 'SmsSent', data: { ...facts, text: message.text!, providerId, sentAt: now } },
      { ...context, correlationId: `sms:${message.key}:${jobKey}` },
    );
    await this.ledger.markSent(message.key, now, providerId);
    return { outcome: 'sent', at: now };
  }

  private async personOf(job: ReminderJobPayload, at: string): Promise<{ userId: string; phone: string }> {
    if (job.duty === 'tracker') {
      // A case's tracker (专人跟踪) is named by user id, not by a duty in the unit.
      const user = job.userId ? await this.views.get<UserView>(USERS, job.userId) : null;
      if (!user || user.status !== 'active')
        throw new NoRecipientError(
          `the tracker ${job.userId ?? '(none)'} of reminder ${job.jobKey} is not an active user`,
        );
      if (!user.phone)
        throw new NoRecipientError(
          `the tracker ${user.displayName} of reminder ${job.jobKey} has no phone number`,
        );
      return { userId: user._id, phone: user.phone };
    }
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
    return { userId: user._id, phone: user.phone };
  }
}
