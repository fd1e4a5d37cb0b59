import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import type { Role } from '@dukao/identity';
import {
  JOB_QUEUE,
  type JobQueue,
  type JobState,
  OutboxSmsGateway,
  REMINDER_JOB,
  type ReminderJobPayload,
} from '@dukao/notifications';
import { Roles } from '../security/access';

/** Who may see the reminder jobs and the SMS sent (phone numbers included). */
export const REMINDER_READERS: Role[] = ['assessmentAdmin', 'supervisor', 'systemAdmin'];
const STATES: JobState[] = ['pending', 'running', 'done', 'failed'];

export class ListRemindersQuery {
  @IsOptional() @IsIn(STATES) state?: JobState;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(1_000_000) skip?: number;
}

export class ListOutboxQuery {
  @IsOptional() @Matches(/^1\d{10}$/, { message: '手机号须为 11 位' }) to?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(1_000_000) skip?: number;
}

@ApiTags('reminders')
@Controller('reminders')
export class RemindersController {
  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(OutboxSmsGateway) private readonly outbox: OutboxSmsGateway,
  ) {}

  /** The reminder jobs by time: planned, sent, failed (e.g. nobody holds the duty), with their tier. */
  @Get()
  @Roles(...REMINDER_READERS)
  @ApiOperation({
    summary: '提醒任务列表：状态、发送时间、任务键、提醒级别（考核管理、督查督办、系统管理员）',
  })
  async list(@Query() query: ListRemindersQuery) {
    const jobs = await this.queue.list({
      state: query.state,
      limit: query.limit ?? 100,
      skip: query.skip ?? 0,
    });
    return {
      items: jobs
        .filter((job) => job.name === REMINDER_JOB)
        .map((job) => {
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
}
