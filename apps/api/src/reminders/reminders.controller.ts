import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import type { Role } from '@dukao/identity';
import {
  JOB_QUEUE,
  type JobQueue,
  type JobState,
  OutboxSmsGateway,
  maskPhone,
  REMINDER_JOB,
  type ReminderJobPayload,
  SMS_BY_TARGET,
  SMS_JOB,
  SMS_MESSAGES,
  type SmsByTargetView,
  type SmsJobPayload,
  SmsLedger,
  type SmsMessageView,
} from '@dukao/notifications';
import { READ_MODEL_STORE, type ReadModelStore } from '@dukao/read-model-store';
import { PageQuery } from '../common/page-query';
import { Roles } from '../security/access';

/** Who may see the reminder jobs and the SMS sent (phone numbers included). */
export const REMINDER_READERS: Role[] = ['assessmentAdmin', 'supervisor', 'systemAdmin'];
const STATES: JobState[] = ['pending', 'running', 'done', 'failed'];

export class ListRemindersQuery extends PageQuery {
  @IsOptional() @IsIn(STATES) state?: JobState;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const DELIVERY = ['sent', 'delivered', 'deliveryFailed', 'rejected'];

export class ListMessagesQuery extends PageQuery {
  @IsOptional() @Matches(ID, { message: '目标编号格式不正确' }) targetId?: string;
  @IsOptional() @Matches(ID, { message: '用户编号格式不正确' }) userId?: string;
  @IsOptional() @IsIn(DELIVERY) status?: string;
}

export class ListOutboxQuery extends PageQuery {
  @IsOptional() @Matches(/^1\d{10}$/, { message: '手机号须为 11 位' }) to?: string;
}

@ApiTags('reminders')
@Controller('reminders')
export class RemindersController {
  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(OutboxSmsGateway) private readonly outbox: OutboxSmsGateway,
    @Inject(READ_MODEL_STORE) private readonly views: ReadModelStore,
    private readonly ledger: SmsLedger,
  ) {}

  /** The reminder jobs by time: planned, sent, failed (e.g. nobody holds the duty), with their tier. */
  @Get()
  @Roles(...REMINDER_READERS)
  @ApiOperation({
    summary: '提醒任务列表：状态、发送时间、任务键、提醒级别（考核管理、督查督办、系统管理员）',
  })
  async list(@Query() query: ListRemindersQuery) {
    return {
      items: (await this.jobs(REMINDER_JOB, query)).map((job) => {
        const p = job.payload as unknown as ReminderJobPayload;
        return {
          key: job.jobKey,
          reminderKey: p.reminderKey ?? job.jobKey,
          state: job.state,
          runAt: job.runAt,
          tier: p.tier,
          duty: p.duty,
          reason: p.reason,
          targetId: p.targetId,
          unitId: p.unitId,
          period: p.period,
          dueDate: p.dueDate,
          attempts: job.attempts,
          lastError: job.lastError,
          finishedAt: job.finishedAt,
        };
      }),
    };
  }

  /** The SMS stored by the embedded outbox gateway, oldest first. */
  @Get('outbox')
  @Roles(...REMINDER_READERS)
  @ApiOperation({ summary: '已发送短信（内置发件箱）（考核管理、督查督办、系统管理员）' })
  async sent(@Query() query: ListOutboxQuery) {
    return {
      items: await this.outbox.list({ to: query.to, limit: query.limit ?? 100, skip: query.skip ?? 0 }),
    };
  }

  /**
   * The SMS messages (digests) queued to the gateway, with their state: waiting, being sent, sent,
   * refused, or failed after every retry (`lastError`). What the outbox or provider has is not
   * enough to see a message that never got there.
   */
  @Get('sms')
  @Roles(...REMINDER_READERS)
  @ApiOperation({ summary: '短信发送任务：待发、已发、失败（含失败原因）（考核管理、督查督办、系统管理员）' })
  async smsJobs(@Query() query: ListRemindersQuery) {
    return {
      items: (await this.jobs(SMS_JOB, query)).map((job) => {
        const digest = this.ledger.digest((job.payload as unknown as SmsJobPayload).digestKey);
        return {
          key: job.jobKey,
          messageKey: digest?.key ?? null,
          state: job.state,
          runAt: job.runAt,
          attempts: job.attempts,
          lastError: job.lastError,
          finishedAt: job.finishedAt,
          message: digest && {
            userId: digest.userId,
            phone: maskPhone(digest.phone),
            state: digest.state,
            items: digest.items.map((i) => i.reminderKey),
            text: digest.text,
            sentAt: digest.sentAt,
            error: digest.error,
          },
        };
      }),
    };
  }

  /**
   * The messages sent or refused, from the log (SmsSent, SmsRejected, delivery receipts): who was
   * told what and when, and whether it arrived. By target, by person, or all, newest first.
   */
  @Get('messages')
  @Roles(...REMINDER_READERS)
  @ApiOperation({
    summary:
      '短信记录（来自事件日志）：收件人、内容、涉及目标、发送与送达时间（考核管理、督查督办、系统管理员）',
  })
  async messages(@Query() query: ListMessagesQuery) {
    const limit = query.limit ?? 100;
    const skip = query.skip ?? 0;
    const filter: Record<string, unknown> = {};
    if (query.userId) filter.userId = query.userId;
    if (query.status) filter.status = query.status;
    if (!query.targetId) {
      const items = await this.views.find<SmsMessageView>(SMS_MESSAGES, filter, {
        sort: { sentAt: -1, _id: 1 },
        limit,
        skip,
      });
      return { items: items.map(({ _position, ...m }) => m) };
    }
    const index = await this.views.find<SmsByTargetView>(
      SMS_BY_TARGET,
      { targetId: query.targetId, ...(query.userId ? { userId: query.userId } : {}) },
      { sort: { at: -1, _id: 1 }, limit: query.status ? 100_000 : limit + skip },
    );
    const found = new Map(
      (
        await this.views.find<SmsMessageView>(SMS_MESSAGES, { _id: { $in: index.map((i) => i.messageKey) } })
      ).map((m) => [m._id, m]),
    );
    const items = index
      .map((i) => found.get(i.messageKey))
      .filter((m): m is SmsMessageView => m !== undefined && (!query.status || m.status === query.status))
      .slice(skip, skip + limit);
    return { items: items.map(({ _position, ...m }) => m) };
  }

  /** The page of the queue's jobs, in the query's state, that are named `name`. */
  private async jobs(name: string, query: ListRemindersQuery) {
    const jobs = await this.queue.list({
      state: query.state,
      limit: query.limit ?? 100,
      skip: query.skip ?? 0,
    });
    return jobs.filter((job) => job.name === name);
  }
}
